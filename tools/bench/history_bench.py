"""Benchmark: `shouwen audit` against plain `git log -p` on the same demo history, and the reader
cold against warm. Numbers go into BENCHMARKS.md by hand; no test asserts a time.

    python tools/bench/history_bench.py --size 1700 /tmp/bench-agency
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date


def timed(label, fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    print(f"{label:<40} {best:8.2f} s (best of {repeat})")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--size", type=int, default=1700)
    args = ap.parse_args()
    from shouwen.demo import make_demo
    from shouwen.audit import audit
    from shouwen.rules import load_rules
    from shouwen import store
    if not os.path.isdir(args.dir):
        t = time.perf_counter()
        _, n = make_demo(args.dir, args.size, date(2026, 1, 5), date(2026, 11, 27), seed=7)
        print(f"demo: {args.size} records, {n} commits in {time.perf_counter() - t:.1f} s")
    root = args.dir
    commits = subprocess.run(["git", "-C", root, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"history: {commits} commits")
    timed("git log -p (baseline, to /dev/null)", lambda: subprocess.run(
        ["git", "-C", root, "log", "-p", "--unified=0", "--", "records"], stdout=subprocess.DEVNULL, check=True))
    rules = load_rules(root)
    rep = timed("shouwen audit (library)", lambda: audit(root, rules))
    print(f"  audit found {len(rep.problems)} problems in {rep.commits} commits")
    cache = os.path.join(root, ".shouwen", "cache")
    def cold():
        subprocess.run(["rm", "-rf", cache])
        return store.load_records(root)
    timed("reader, cold (no cache)", cold)
    timed("reader, warm (blob cache)", lambda: store.load_records(root))
    timed("reader, no cache at all", lambda: store.load_records(root, use_cache=False))


if __name__ == "__main__":
    sys.exit(main())
