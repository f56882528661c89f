"""The fault and bad-input suite (issue 11): sampled in `make test`, full counts in `make stress`.

One seed drives every sampled choice; it is printed in the run's header and can be replayed with
SHOUWEN_TEST_SEED=N.
"""
import os
import random

SEED = int(os.environ.get("SHOUWEN_TEST_SEED") or random.SystemRandom().randrange(1 << 30))


def pytest_report_header(config):
    return f"robust suite seed: {SEED} (replay with SHOUWEN_TEST_SEED={SEED})"


def report(line: str) -> None:
    """A count the stress run prints (stdout is shown for stress runs: make stress uses -s)."""
    print(f"[robust] {line}", flush=True)
