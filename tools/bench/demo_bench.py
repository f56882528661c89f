"""Benchmark: where `shouwen demo` spends its time (issue 15 item 6), and its floor.

    python tools/bench/demo_bench.py DIR [--size 2000] [--no-keys]

Builds the demo (2,000 matters over the month before 2026-11-27 by default) in DIR/demo-N and prints its
wall time, records a second and CPU time, with `git fast-import`'s own CPU (its process is timed by a
`git` wrapper first on PATH) and the cost of one lookup key. `--no-keys` is an experiment, not a demo: the
keys (PBKDF2, 50,000 rounds, which the writer stores) are replaced by a cheap stand-in, to show what the
rest costs. Nothing is asserted: the figures go into BENCHMARKS.md by hand.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import stat
import tempfile
import time
from datetime import date, timedelta

UNTIL = date(2026, 11, 27)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--size", type=int, default=2000)
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
        replay.derive = lambda rid, code: hashlib.sha256(f"{rid}:{code}".encode()).digest()
    wrap = tempfile.mkdtemp(prefix="demo-bench-")
    log = os.path.join(wrap, "fast-import.log")
    real = shutil.which("git")
    with open(os.path.join(wrap, "git"), "w", encoding="utf-8") as fh:
        fh.write(f'#!/bin/sh\ncase "$*" in *fast-import*) exec /usr/bin/time -a -o {log} -f "%U %S" {real} "$@";; esac\n'
                 f'exec {real} "$@"\n')
    os.chmod(os.path.join(wrap, "git"), 0o755 | stat.S_IXUSR)
    os.environ["PATH"] = wrap + os.pathsep + os.environ["PATH"]
    out = os.path.join(a.dir, f"demo-{a.size}")
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), time.process_time()
    make_demo(out, a.size, UNTIL - timedelta(days=30), UNTIL, seed=1)
    wall, main_cpu = time.perf_counter() - t, time.process_time() - c
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    fi = sum(float(x) for line in open(log, encoding="utf-8") for x in line.split()[:2]) if os.path.exists(log) else 0
    commits = int(os.popen(f"git -C {out} rev-list --count HEAD").read())
    print(f"demo --size {a.size}{'' if a.keys else ' (keys replaced: an experiment)'}: {commits} commits, "
          f"wall {wall:.1f} s ({a.size / wall:.0f} records/s), load {load:.1f}–{os.getloadavg()[0]:.1f}")
    print(f"  CPU: this process {main_cpu:.1f} s, its children {ru.ru_utime + ru.ru_stime:.1f} s, of which git "
          f"{fi:.1f} s ({fi / commits * 1000:.2f} ms a commit); one lookup key {key_ms:.1f} ms")
    shutil.rmtree(wrap, ignore_errors=True)


if __name__ == "__main__":
    main()
