"""Benchmark: where `shouwen demo` spends its time (issue 15 item 6), and its floor.

    python tools/bench/demo_bench.py DIR [--size 2000] [--since 2026-07-01] [--no-keys]

Builds the demo (2,000 matters over the month before 2026-11-27 by default; `--since`: from that day, as
`shouwen demo` does from 2026-07-01) in a new folder DIR/demo-N-PID and prints its
wall time, records a second and CPU time (this process: planning and serialising; its children: the pack
writer, git, and the lookup keys' workers) and the cost of one lookup key at the demo agency's rounds (1,000,
its rules/policy.yml `lookup.rounds`; code from before them: 50,000). `--no-keys` is an experiment, not a
demo: the keys are replaced by a cheap stand-in, to show what the rest costs. With PYTHONPATH at another
commit's tools/ it measures that commit (old and new in turns, one run). Nothing is asserted: the figures go
into BENCHMARKS.md by hand.

The demos are left in DIR, to be removed after the runs: this machine's file system (ext4 without a journal)
passes over inodes freed in the last minutes when it makes a file, so ten thousand files made where ten
thousand were just removed cost seconds of system time instead of a fifth of one.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import time
from datetime import date, timedelta

UNTIL = date(2026, 11, 27)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--size", type=int, default=2000)
    ap.add_argument("--since", type=date.fromisoformat)
    ap.add_argument("--no-keys", dest="keys", action="store_false")
    a = ap.parse_args()
    from shouwen.core.lookup_key import derive
    from shouwen.repo import replay
    from shouwen.repo.demo import make_demo
    t = time.process_time()
    for i in range(20):
        derive(f"20261127-J005-{i:03d}", "ABC123")
    key_ms = (time.process_time() - t) / 20 * 1000
    if not a.keys:
        replay.derive = lambda rid, code, rounds: hashlib.sha256(f"{rid}:{code}".encode()).digest()
    out = os.path.join(a.dir, f"demo-{a.size}-{os.getpid()}")
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    make_demo(out, a.size, a.since or UNTIL - timedelta(days=30), UNTIL, seed=1)
    wall, main_cpu = time.perf_counter() - t, time.process_time() - c
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    commits = int(os.popen(f"git -C {out} rev-list --count HEAD").read())
    print(f"demo --size {a.size}{'' if a.keys else ' (keys replaced: an experiment)'}: {commits} commits, "
          f"wall {wall:.1f} s ({a.size / wall:.0f} records/s), load {load:.1f}–{os.getloadavg()[0]:.1f}")
    kids = ru.ru_utime + ru.ru_stime
    from shouwen.repo.loader import load_rules
    rounds = getattr(load_rules(out).policy, "lookup_rounds", 50_000)    # the agency's (rules/policy.yml lookup.rounds)
    key_ms *= rounds / 50_000
    keys = key_ms * a.size / 1000 if a.keys else 0
    print(f"  CPU: this process (planning, serialising) {main_cpu:.1f} s; its children {kids:.1f} s: the pack writer and "
          f"git, and the keys ({a.size} x {key_ms:.2f} ms at {rounds:,} rounds = about {keys:.1f} s); all {main_cpu + kids:.1f} s, "
          f"{a.size / (main_cpu + kids):.0f} records a CPU second")


if __name__ == "__main__":
    main()
