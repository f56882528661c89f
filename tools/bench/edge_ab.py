"""Benchmark: the two read-side ratios of issue 15 that sit at the edge, on an existing agency, in one run.

    python tools/bench/edge_ab.py AGENCY [--repeat 5] [--against OLD_TOOLS]

`check` after one record changed (a line appended to one record before each run) against `git status`, and a
one-record commit through the agency's pre-commit hook against the same commit with `--no-verify`: wall and
CPU (the child's, git's and the hook's included), best of --repeat, as scale_bench.py measures them.
`--against DIR`: the same rows with the package found in DIR first (PYTHONPATH, e.g. `git archive main
tools/shouwen | tar -x -C /tmp/old` then `--against /tmp/old/tools`), in a block of its own after this tree's
(each with its own baseline runs), so both come from one run. The agency is written to (commits): use a copy.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_bench as sb  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agency")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--against", help="a tools/ folder holding another version of the package")
    a = ap.parse_args()
    agency = os.path.abspath(a.agency)
    files = sorted(subprocess.run(sb.git(agency, "ls-files", "records/inquiries"), capture_output=True,
                                  text=True, check=True).stdout.split())
    victim = os.path.join(agency, files[len(files) // 2])
    trees = {"this": sb.ENV}
    if a.against:
        trees["against"] = {**sb.ENV, "PYTHONPATH": os.path.abspath(a.against)}

    def touch():
        with open(victim, "a", encoding="utf-8") as fh:
            fh.write("补记。\n")

    def run(argv, env):
        t = time.perf_counter()
        p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(p.pid, 0)
        return time.perf_counter() - t, usage.ru_utime + usage.ru_stime

    def commit(env, verify):
        touch()
        subprocess.run(sb.git(agency, "add", victim), env=env, check=True)
        t, c = time.perf_counter(), sb.children_cpu()
        subprocess.run(sb.git(agency, "commit", "-q", "-m", "补记", *([] if verify else ["--no-verify"])), env=env,
                       check=True, capture_output=True)
        return time.perf_counter() - t, sb.children_cpu() - c

    best: dict = {}

    def keep(key, got):
        best[key] = tuple(min(x, y) for x, y in zip(best.get(key, (9e9, 9e9)), got))
    # each version in a block of its own, a warm-up first: the rules' cache under .shouwen/ holds one version's
    # at a time, so runs of two versions in turns would each parse the rules again. Every check first: a commit
    # between them would move HEAD under the kept judgement
    for name, env in trees.items():
        touch()
        run(sb.sw(agency, "check", "--today", sb.UNTIL.isoformat()), env)
        for _ in range(a.repeat):
            touch()
            keep(("check", name), run(sb.sw(agency, "check", "--today", sb.UNTIL.isoformat()), env))
            keep(("status", name), run(sb.git(agency, "status"), sb.ENV))
    for name, env in trees.items():
        commit(env, True)
        for _ in range(a.repeat):
            keep(("hook", name), commit(env, True))
            keep(("plain", name), commit(sb.ENV, False))
    for row, base, what, base_name in (("check", "status", "check after one record changed", "git status"),
                                       ("hook", "plain", "a one-record commit through the hook", "--no-verify")):
        for name in trees:
            (bw, bc), (w, c) = best[(base, name)], best[(row, name)]
            print(f"{what} ({name}): {w:.3f} s / {base_name} {bw:.3f} s = {w / bw:.2f}× wall; "
                  f"CPU {c:.3f} / {bc:.3f} s = {c / bc:.2f}× ({sb.load()})", flush=True)


if __name__ == "__main__":
    main()
