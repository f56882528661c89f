"""Benchmark: the git side of one write on a large agency, four ways in turns (CPU of git's processes).

    python tools/bench/git_write_ab.py AGENCY [--repeat 5]

`git add && git commit` (the baseline of issue 15); `status` and `git commit --only -- path` through a
private copy of the index (the writer before it used gitio.commit_only); `status`, `hash-object`,
`fast-import` from HEAD and `update-index` (the writer now); and the plumbing way (`update-index`,
`write-tree`, `commit-tree`, `update-ref`). Each appends a line to one record and commits it. Writes to
AGENCY: use a copy. Nothing is asserted: the figures go into BENCHMARKS.md by hand.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time

ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@x.invalid", "GIT_COMMITTER_NAME": "bench",
       "GIT_COMMITTER_EMAIL": "b@x.invalid"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agency")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    root = os.path.abspath(a.agency)
    gd, private = os.path.join(root, ".git"), os.path.join(root, ".git", "bench-index")

    def git(*args, env=None, inp=None) -> bytes:
        return subprocess.run(["git", "-C", root, *args], env={**ENV, **(env or {})}, input=inp, capture_output=True,
                              check=True).stdout

    rel = git("ls-files", "records/inquiries").decode().split()[300]
    ref = git("symbolic-ref", "HEAD").decode().strip()
    own = {"GIT_INDEX_FILE": private}

    def status():
        git("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--", rel)

    def private_index(fn):
        with open(os.path.join(gd, "index"), "rb") as src, open(private, "wb") as dst:
            dst.write(src.read())
        fn()
        os.replace(private, os.path.join(gd, "index"))

    def fast_import():
        status()
        blob = git("hash-object", "-w", "--", rel).strip()
        head, msg = git("rev-parse", "HEAD").strip(), b"bench\n"
        stream = (b"commit %s\ncommitter bench <b@x.invalid> %d +0800\ndata %d\n%sfrom %s\nM 100644 %s %s\ndone\n"
                  % (ref.encode(), int(time.time()), len(msg), msg, head, blob, rel.encode()))
        git("fast-import", "--quiet", "--done", inp=stream)
        private_index(lambda: git("update-index", "--", rel, env=own))

    def plumbing():
        status()

        def steps():
            git("update-index", "--", rel, env=own)
            tree = git("write-tree", env=own).strip().decode()
            head = git("rev-parse", "HEAD").strip().decode()
            git("update-ref", ref, git("commit-tree", tree, "-p", head, inp=b"bench\n").strip().decode(), head)
        private_index(steps)

    ways = {"git add && git commit": lambda: (git("add", rel), git("commit", "-q", "--no-verify", "-m", "bench")),
            "status, commit --only (private index)": lambda: (status(), private_index(
                lambda: git("commit", "-q", "--no-verify", "-m", "bench", "--", rel, env=own))),
            "status, hash-object, fast-import, update-index": fast_import,
            "status, update-index, write-tree, commit-tree, update-ref": plumbing}
    best = {name: float("inf") for name in ways}
    loads = []
    for i in range(a.repeat):
        for name, way in ways.items():
            with open(os.path.join(root, rel), "a", encoding="utf-8") as fh:
                fh.write(f"bench {i}\n")
            loads.append(os.getloadavg()[0])
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            way()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            best[name] = min(best[name], after.ru_utime + after.ru_stime - ru.ru_utime - ru.ru_stime)
    print(f"load average during the runs: {min(loads):.1f}–{max(loads):.1f}; git status after: "
          f"{git('status', '--porcelain', '--untracked-files=no').decode()!r}")
    for name, cpu in best.items():
        print(f"| {name} | {cpu:.3f} s CPU |")


if __name__ == "__main__":
    main()
