"""shouwen (首问): a first-inquiry responsibility system kept as Markdown records in Git."""
__version__ = "0.1.0"


def _quiet_interrupts():
    """Run as the `shouwen` command (not imported as a library): Ctrl-C at any moment, even while Python
    is still importing, ends the command with one Chinese line, never a traceback. The writer holds
    Ctrl-C back while a commit is open, so it always lands on a finished or undone write."""
    import os
    import signal
    import sys

    def stop(signum, frame):
        try:
            sys.stderr.write("\n已中断。\n")
            sys.stderr.flush()
        finally:
            os._exit(130)

    if os.path.basename(sys.argv[0] or "") in ("shouwen", "shouwen.exe", "shouwen-script.py"):
        signal.signal(signal.SIGINT, stop)


_quiet_interrupts()
