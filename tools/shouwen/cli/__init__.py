"""The `shouwen` command line (DESIGN §8): a thin layer over the library.

Each module holds one command group and lists its commands in `COMMANDS`; this module adds them
to the one group defined in `context`, so no command module imports this one (no circle). A command's
module is imported only when that command runs (a clerk's `todo` never loads the site builder or the
desk's web page); `--help` and an unknown name load them all.
Exit codes: 0 ok, 1 problems found, 2 bad input or usage (nothing written), 3 busy or in conflict.
"""
from __future__ import annotations

import importlib

from .context import cli

MODULES = ("desk", "clock", "views", "check", "account", "reports", "placard", "ledger_files", "history", "site",
           "setup", "evidence", "deskpage", "remind")
# command -> the module that defines it (tests/test_imports.py holds it to the modules' COMMANDS)
WHERE = {**dict.fromkeys(("new", "answer", "refer", "relay", "forward", "accept", "return", "notify", "promise",
                          "extend", "escalate", "followup", "explain", "complete", "deliver", "rate", "note"), "desk"),
         **dict.fromkeys(("suspend", "resume", "reopen"), "clock"),
         **dict.fromkeys(("show", "list", "todo", "find", "receipt", "pickup"), "views"), "check": "check",
         **dict.fromkeys(("complain", "verdict", "sanction", "commend", "inspect", "report"), "account"),
         **dict.fromkeys(("ladder", "bulletin", "review", "rollup"), "reports"), "placard": "placard",
         "export": "ledger_files", "import": "ledger_files",
         **dict.fromkeys(("audit", "history", "merge-driver", "sync"), "history"), "site": "site",
         **dict.fromkeys(("init", "demo", "setup"), "setup"), **dict.fromkeys(("fmt", "correct", "void"), "evidence"),
         "desk": "deskpage", "remind": "remind"}
_loaded: set = set()


def load(name: str | None):
    """Add the command `name` (None: every command) to the group, importing only its module."""
    for module in [WHERE[name]] if name in WHERE else MODULES:
        if module not in _loaded:
            _loaded.add(module)
            for command in importlib.import_module(f"{__name__}.{module}").COMMANDS:
                cli.add_command(command)


cli.loader = load


def main():
    import sys
    for stream in (sys.stdout, sys.stderr):     # a GBK console can't show every character: never crash on one
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        cli.main(prog_name="shouwen")
    finally:
        # The command's work is done (output written, commit made). Python now tears its modules down with
        # its signal handlers already removed: a Ctrl-C then would only turn the exit status into "killed".
        import signal
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


__all__ = ["cli", "main"]
