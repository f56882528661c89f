"""Shared by the fault and bad-input suite (issue 11): the seed and the printed counts.

One seed drives every sampled choice; it is printed in the run's header and can be replayed with
SHOUWEN_TEST_SEED=N.
"""
import os
import random

SEED = int(os.environ.get("SHOUWEN_TEST_SEED") or random.SystemRandom().randrange(1 << 30))


def report(line: str) -> None:
    """A count the run prints (shown by `make stress`, which runs pytest with -s)."""
    print(f"[robust] {line}", flush=True)
