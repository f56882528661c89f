"""Benchmark: where a cold read of the ledger spends its time, a record at a time, on one core.

    python tools/bench/read_stages.py AGENCY [ROUNDS]
    PYTHONPATH=OLD/tools python tools/bench/read_stages.py AGENCY     # another version of the code, same files

Every record file's bytes are read first; then, best of ROUNDS, in this process with the collector off:
`read` (the reader and its canonical check), `judge` (`core.ledger.evaluate` as of 2026-11-27, the rules in
time) and `row` (the index row, without its heavy part, as `check --no-cache` keeps it). Nothing is asserted.
"""
from __future__ import annotations

import argparse
import gc
import os
import time
from datetime import date


def main():
    ap = argparse.ArgumentParser(description="where a cold read of the ledger spends its time, on one core")
    ap.add_argument("agency")
    ap.add_argument("rounds", nargs="?", type=int, default=3, help="best of how many rounds (default 3)")
    a = ap.parse_args()
    root, rounds = a.agency, a.rounds
    from shouwen.core.ledger import evaluate
    from shouwen.repo import store
    from shouwen.repo.index_rows import make_row
    from shouwen.repo.loader import load_rules
    from shouwen.repo.rules_history import RulesInTime
    rules = load_rules(root)
    on = RulesInTime(root, rules).on
    items = store.contents(root, None, store.listing(root))
    today = date(2026, 11, 27)
    light = make_row.__code__.co_argcount > 1       # older code keeps every row's heavy part
    best: dict = {}
    for _ in range(rounds):
        gc.disable()
        t0 = time.process_time()
        recs = [store.parse_checked(p, d) for p, _, d in items]
        t1 = time.process_time()
        entries = [evaluate(r, rules, today, on) for r in recs]
        t2 = time.process_time()
        rows = [make_row(e, False) if light else make_row(e) for e in entries]
        t3 = time.process_time()
        gc.enable()
        for k, v in (("read", t1 - t0), ("judge", t2 - t1), ("row", t3 - t2)):
            best[k] = min(best.get(k, float("inf")), v)
        del recs, entries, rows
    n = len(items)
    print(", ".join(f"{k} {v:.3f} s ({v / n * 1e6:.0f} µs a record)" for k, v in best.items()),
          f"— {n} records, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
