"""Benchmark: the write side of two versions of shouwen on one agency, side by side in one run.

    git -C REPO archive OLD tools | tar -x -C /tmp/old        # the version to compare with
    python tools/bench/write_path_ab.py AGENCY /tmp/old/tools [--repeat 5]

For each version (the one this script belongs to, and the package under OLD_TOOLS put first on
PYTHONPATH), in turns so that both meet the same load: `note ID` and `new` against `git add && git commit`
of one file, and a one-record commit through the agency's pre-commit hook (each version's own hook
command) against `git commit --no-verify`. Wall time and CPU time (user + sys, children included), best of
--repeat, with the load average. Nothing is asserted: the figures go into BENCHMARKS.md by hand.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = {**os.environ, "SHOUWEN_LATE_REASON": "基准测试补录", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@x.invalid",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@x.invalid"}
BASE.pop("PYTHONDONTWRITEBYTECODE", None)      # bytecode as pip installs it


def cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(argv, env, cwd=None, check=True):
    t, c = time.perf_counter(), cpu()
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True)
    if check and r.returncode not in (0, 1):
        raise SystemExit(f"{argv} exited {r.returncode}: {r.stderr.decode(errors='replace')[-1500:]}")
    return time.perf_counter() - t, cpu() - c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agency")
    ap.add_argument("old_tools")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    g = ["git", "-C", a.agency]
    versions = {"new": {**BASE, "PYTHONPATH": os.path.join(HERE, "tools")},
                "old": {**BASE, "PYTHONPATH": os.path.abspath(a.old_tools)}}
    lean = os.path.exists(os.path.join(a.old_tools, "shouwen", "precommit.py"))    # the hook's own entry point
    hooks = {"new": [sys.executable, "-m", "shouwen.precommit"],
             "old": [sys.executable, "-m", "shouwen.precommit"] if lean else
             [sys.executable, "-m", "shouwen", "--repo", a.agency, "check", "--staged"]}
    victim = subprocess.run(g + ["ls-files", "records/inquiries"], capture_output=True, text=True).stdout.split()[100]
    rid = os.path.basename(victim)[:-3]
    best: dict = {}

    def keep(name, wall_cpu):
        w, c = best.get(name, (float("inf"), float("inf")))
        best[name] = (min(w, wall_cpu[0]), min(c, wall_cpu[1]))

    for v in versions.values():         # bytecode written, rules cached: as a desk's second command
        run([sys.executable, "-m", "shouwen", "--help"], v)
    loads = []
    for i in range(a.repeat):
        loads.append(os.getloadavg()[0])
        path = os.path.join(a.agency, "site", f"ab-{os.getpid()}-{i}.md")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{i}\n")
        t1 = run(g + ["add", path], BASE)
        t2 = run(g + ["commit", "-q", "--no-verify", "-m", "x"], BASE)
        keep("git add && git commit", (t1[0] + t2[0], t1[1] + t2[1]))
        for name, env in versions.items():
            sw = [sys.executable, "-m", "shouwen", "--repo", a.agency, "--as", "J005"]
            keep(f"{name}: note", run(sw + ["note", rid, "--text", "基准", "--at", "2026-11-27T17:55"], env))
            keep(f"{name}: new", run(sw + ["new", "--name", "测试", "--matter", "基准", "--at", "2026-11-27T17:50"], env))
            # the hook: the same staged one-record change judged by this version's hook command, then committed
            with open(os.path.join(a.agency, victim), "a", encoding="utf-8") as fh:
                fh.write("补记。\n")
            run(g + ["add", victim], BASE)
            hook = run(hooks[name], env, cwd=a.agency)
            plain = run(g + ["commit", "-q", "--no-verify", "-m", "补记"], BASE)
            keep(f"{name}: commit through the hook", (hook[0] + plain[0], hook[1] + plain[1]))
            keep("git commit --no-verify", plain)
    print(f"load average during the runs: {min(loads):.1f}–{max(loads):.1f}")
    print("| what | wall | CPU | wall ratio | CPU ratio |")
    print("|---|---|---|---|---|")
    for name in ("note", "new", "commit through the hook"):
        base = best["git commit --no-verify" if "hook" in name else "git add && git commit"]
        for v in ("old", "new"):
            w, c = best[f"{v}: {name}"]
            print(f"| {v}: {name} | {w:.3f} s | {c:.3f} s | {w / base[0]:.2f}× | {c / base[1]:.2f}× |")
    for name in ("git add && git commit", "git commit --no-verify"):
        print(f"| {name} | {best[name][0]:.3f} s | {best[name][1]:.3f} s | | |")


if __name__ == "__main__":
    main()
