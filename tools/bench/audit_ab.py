"""A/B of `shouwen audit`: the code of another revision (BASE) against this work tree's, on the same history.

Each run is a process of its own (`python -m shouwen --repo DIR audit --format json`, cold: the audit's
cache removed first), timed with its CPU time and peak memory (`wait4`), between two runs of `git log -p`
as the baseline; then the two JSON answers are compared finding by finding and must be identical.
No test asserts a time; the figures go into BENCHMARKS.md.

    python tools/bench/audit_ab.py --base main /tmp/copy-of-a-history [...]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# `python -m shouwen …` that also says its own peak memory (wait4 gives the largest of it and the git it ran)
SELF_PEAK = ("import resource, runpy, sys\nsys.argv[0] = 'shouwen'\ntry:\n    runpy.run_module('shouwen', run_name='__main__')\n"
             "finally:\n    print(f'python alone: peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB',"
             " file=sys.stderr)\n")
TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(label: str, cmd: list, env=None, out=subprocess.DEVNULL) -> tuple[float, float, float, bytes]:
    """(wall s, CPU s, peak MB, stdout) of one process, printed with the load average."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as fh:
        proc = subprocess.Popen(cmd, stdout=fh if out is None else out, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall, cpu, peak = time.perf_counter() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024
        fh.seek(0)
        data = fh.read()
    print(f"{label:<34} {wall:8.1f} s, CPU {cpu:7.1f} s, peak memory {peak:6.0f} MB, exit "
          f"{os.waitstatus_to_exitcode(status)} (load average {os.getloadavg()[0]:.1f})", flush=True)
    return wall, cpu, peak, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", help="histories (copies: the audit writes its cache into them)")
    ap.add_argument("--base", default="main", help="the revision whose code is A (default main)")
    ap.add_argument("--no-baseline", action="store_true", help="skip `git log -p`")
    args = ap.parse_args()
    old = tempfile.mkdtemp(prefix="audit-ab-")
    try:
        tar = subprocess.run(["git", "-C", os.path.dirname(TOOLS), "archive", args.base, "tools/shouwen"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", old], input=tar.stdout, check=True)
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for root in args.dirs:
            count = subprocess.run(["git", "-C", root, "rev-list", "--count", "HEAD"], capture_output=True, text=True)
            print(f"{root}: {count.stdout.strip()} commits")
            log_p = ["git", "-C", root, "log", "-p"]
            base = None if args.no_baseline else run("git log -p (baseline)", log_p)
            answers = {}
            for name, path in (("A " + args.base, os.path.join(old, "tools")), ("B this tree", TOOLS)):
                for f in glob.glob(os.path.join(root, ".shouwen", "cache", "history-v*.pickle")):
                    os.remove(f)
                e = dict(env, PYTHONPATH=path)
                cmd = [sys.executable, "-P", "-c", SELF_PEAK, "--repo", root, "audit", "--format", "json"]
                wall, cpu, peak, out = run(f"audit {name}, cold", cmd, e, out=None)
                answers[name] = (json.loads(out), wall, cpu, peak)
                if name.startswith("B"):        # again, with whatever the first run kept
                    wall, cpu, peak, out = run(f"audit {name}, again", cmd, e, out=None)
                    answers[name + " again"] = (json.loads(out), wall, cpu, peak)
            again = None if args.no_baseline else run("git log -p again", log_p)
            (a, *_), *rest = answers.values()
            for name, (b, wall, cpu, peak) in list(answers.items())[1:]:
                same = a == b
                print(f"{name}: {'IDENTICAL' if same else 'DIFFERENT'} answer ({len(b['problems'])} findings, "
                      f"{b['commits']} commits)")
                if not same:
                    for k in a:
                        if a[k] != b.get(k):
                            print(f"  differs in {k!r}")
            for name, (_, wall, cpu, peak) in answers.items():
                if base and again:
                    print(f"{name}: {wall / base[0]:.2f}x / {wall / again[0]:.2f}x git log -p wall, "
                          f"{cpu / base[1]:.2f}x / {cpu / again[1]:.2f}x CPU, peak {peak / base[2]:.2f}x / "
                          f"{peak / again[2]:.2f}x")
    finally:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
