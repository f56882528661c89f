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
