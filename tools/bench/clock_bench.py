"""Benchmark: what the deadline rules cost on each kind of clock.

The shipped demo's inquiries are read once and evaluated again and again in memory (no Git, no
disk): the baseline is the record checks and the event fold alone (`check_inquiry`); against it, the
whole evaluation (fold plus every deadline rule) on the scheme's working days, on a 24-hour clock in
hours, and on a window open 08:30–12:00 and 14:30–18:00 on working days. Best of 3, same process.
Numbers go into BENCHMARKS.md by hand.

    python tools/bench/clock_bench.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from datetime import date

from shouwen.core.clock import Clock
from shouwen.core.ledger import evaluate
from shouwen.core.validate import check_inquiry
from shouwen.repo import store
from shouwen.repo.loader import load_rules

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def best(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20, help="how many times every inquiry is evaluated per run")
    args = ap.parse_args()
    rules = load_rules(REPO)
    records = [r for r in store.load_records(REPO, use_cache=False) if r.kind == "inquiries"] * args.rounds
    today = date(2026, 11, 27)
    clocks = {"working days (bureau)": rules.policy.clock,
              "hours, 24h every day (hotel)": Clock("hours", ((0, 1440),), "all"),
              "hours, 08:30-12:00 and 14:30-18:00 on working days": Clock("hours", ((510, 720), (870, 1080)), "workdays")}
    base = best(lambda: [check_inquiry(r, rules) for r in records])
    print(f"{len(records)} evaluations; baseline (record checks and fold only): {base:.2f} s")
    for name, clock in clocks.items():
        subject = replace(rules, policy=replace(rules.policy, clock=clock))
        t = best(lambda: [evaluate(r, subject, today) for r in records])
        print(f"{name}: {t:.2f} s, {t / base:.2f}x the baseline")


if __name__ == "__main__":
    main()
