"""What the benchmark scripts share: the best of a few runs of one step, printed as one row."""
from __future__ import annotations

import time


def best_of(label: str, fn, repeat: int = 3, width: int = 46) -> tuple[float, object]:
    """(best wall time, the last run's result) of `repeat` runs of fn(), printed as one aligned row."""
    best, out = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    print(f"{label:<{width}} {best:8.2f} s (best of {repeat})")
    return best, out
