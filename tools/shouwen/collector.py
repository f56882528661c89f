"""Python's cycle collector paused while a command makes or reads many objects that all live on (issue 15):
its passes over them would free nothing (at 100,000 records, half the time of some commands)."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused(freeze: bool = False):
    """The collector off for the block; `freeze`: what is alive after it lives until the command ends, so
    later collections need not walk it either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


_LIBC: list = []


def give_back() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim), after a command let go of much it
    held: freed bytes objects (a ledger's pickled rows) stay resident otherwise, and Python's own allocator,
    which takes fresh pages for small objects, never reuses them. Nothing where there is no glibc."""
    if not _LIBC:
        try:
            import ctypes
            _LIBC.append(ctypes.CDLL(None).malloc_trim)
        except (OSError, AttributeError, ImportError):
            _LIBC.append(None)
    if _LIBC[0] is not None:
        _LIBC[0](0)
