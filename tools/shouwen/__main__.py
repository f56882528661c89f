import sys

from . import _quiet_interrupts

sys.argv[0] = "shouwen"          # `python -m shouwen` is the command too
_quiet_interrupts()

from .cli import main  # noqa: E402  (after the handler: Ctrl-C while importing is quiet too)

main()
