"""shouwen (首问): a first-inquiry responsibility system kept as Markdown records in Git."""
__version__ = "0.1.0"


# What a command undoes when Ctrl-C ends it (a half-built site that the privacy guard has not seen yet)
ON_INTERRUPT: list = []


def _quiet_interrupts():
    """Run as the `shouwen` command (not imported as a library): Ctrl-C at any moment, even while Python
    is still importing, ends the command with one Chinese line, never a traceback. The writer holds
    Ctrl-C back while a commit is open, so it always lands on a finished or undone write.

    Only built-in modules here (`_signal`, not `signal`: importing `signal` builds its enums, which takes
    long enough for a Ctrl-C to land in it)."""
    import _signal
    import os
    import sys

    def stop(signum, frame):
        try:
            for undo in list(ON_INTERRUPT):
                try:
                    undo()
                except Exception:
                    pass
            os.write(2, "\n已中断。\n".encode(sys.stderr.encoding or "utf-8", "replace") if sys.stderr else b"")
        finally:
            os._exit(130)

    argv = getattr(sys, "orig_argv", sys.argv)
    # `python -m shouwen`, and the pre-commit hook's `python -m shouwen.precommit`
    as_module = "-m" in argv[:-1] and argv[argv.index("-m") + 1] in ("shouwen", "shouwen.__main__", "shouwen.precommit")
    if as_module or os.path.basename(sys.argv[0] or "") in ("shouwen", "shouwen.exe", "shouwen-script.py"):
        _signal.signal(_signal.SIGINT, stop)
        # the launcher (tools/bin/shouwen) blocked Ctrl-C until now: deliver what is pending.
        # Windows has no signal masks (nor the launcher: there the command is `py -m shouwen`)
        if hasattr(_signal, "pthread_sigmask"):
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, {_signal.SIGINT})


_quiet_interrupts()
