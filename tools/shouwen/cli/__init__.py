"""The `shouwen` command line (DESIGN §8): a thin layer over the library.

Each module holds one command group and lists its commands in `COMMANDS`; this module names which
module holds which command, and the group imports a module only when one of its commands runs (a clerk's
`note` loads the writer, not the site, the reports or the mailer: every import is paid at every start).
No command module imports this one (no circle); tests/test_cli_lazy.py holds this table to the modules.
Exit codes: 0 ok, 1 problems found, 2 bad input or usage (nothing written), 3 busy or in conflict.
"""
from __future__ import annotations

from .context import cli

COMMAND_MODULES = {
    "account": ["complain", "verdict", "sanction", "commend", "inspect", "report"],
    "check": ["check"],
    "clock": ["suspend", "resume", "reopen"],
    "desk": ["new", "answer", "refer", "relay", "forward", "accept", "return", "notify", "promise", "extend",
             "escalate", "followup", "explain", "complete", "deliver", "rate", "note"],
    "deskpage": ["desk"],
    "evidence": ["fmt", "correct", "void"],
    "history": ["audit", "history", "merge-driver", "sync"],
    "ledger_files": ["export", "import"],
    "placard": ["placard"],
    "remind": ["remind"],
    "reports": ["ladder", "bulletin", "review", "rollup"],
    "setup": ["init", "demo", "setup"],
    "site": ["site"],
    "views": ["show", "list", "todo", "find", "receipt"],
}
cli.lazy = {name: f"{__name__}.{module}" for module, names in COMMAND_MODULES.items() for name in names}


def main():
    import sys
    for stream in (sys.stdout, sys.stderr):     # a GBK console can't show every character: never crash on one
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli.main(prog_name="shouwen")


__all__ = ["cli", "main", "COMMAND_MODULES"]
