"""A/B of `bulletin QUARTER --format json` after a new commit (one record changed) between versions of shouwen's
code, on one copy of an agency, the versions alternating, the load average printed beside each figure.

    python tools/bench/guard_ab.py AGENCY_COPY 2026Q3 CODE_DIR [CODE_DIR ...] [--rounds 3]

Each CODE_DIR holds the `shouwen` package (a worktree's tools/, or `git archive REV tools | tar -x`); each is
warmed (its index and kept answers made) before the timed rounds. The agency copy is written to (commits)."""
from __future__ import annotations

import argparse
import glob
import os
import resource
import subprocess
import sys
import time


def run(agency, quarter, code):
    env = dict(os.environ, PYTHONPATH=code)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(["nice", sys.executable, "-P", "-m", "shouwen", "--repo", agency, "bulletin", quarter,
                    "--format", "json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - t, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agency")
    ap.add_argument("quarter")
    ap.add_argument("codes", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    victim = sorted(glob.glob(os.path.join(a.agency, "records", "inquiries", "*", "*", "*.md")))[-1]
    for code in a.codes:
        run(a.agency, a.quarter, code)
        run(a.agency, a.quarter, code)
    for i in range(a.rounds):
        for code in a.codes:
            with open(victim, "a", encoding="utf-8") as fh:
                fh.write(f"补记 {i} {code}\n")
            subprocess.run(["git", "-C", a.agency, "commit", "-q", "--no-verify", "-am", "补记"], check=True)
            wall, cpu = run(a.agency, a.quarter, code)
            print(f"{code:<40} load {os.getloadavg()[0]:5.2f}: {wall:5.2f} s wall, {cpu:5.2f} s CPU", flush=True)


if __name__ == "__main__":
    main()
