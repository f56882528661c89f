"""The `shouwen` command line (DESIGN §8): a thin layer over the library.

Each module holds one command group and lists its commands in `COMMANDS`; this module adds them
to the one group defined in `context`, so no command module imports this one (no circle).
Exit codes: 0 ok, 1 problems found, 2 bad input or usage (nothing written), 3 busy or in conflict.
"""
from __future__ import annotations

from . import account, check, clock, desk, deskpage, evidence, history, ledger_files, placard, remind, reports, setup, site, views
from .context import cli

for _module in (desk, clock, views, check, account, reports, placard, ledger_files, history, site, setup, evidence, deskpage, remind):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main():
    import sys
    for stream in (sys.stdout, sys.stderr):     # a GBK console can't show every character: never crash on one
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli.main(prog_name="shouwen")


__all__ = ["cli", "main"]
