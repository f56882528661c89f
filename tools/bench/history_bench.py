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

from timing import best_of


def _timed(label, fn):
    return best_of(label, fn, width=40)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--size", type=int, default=1700)
    ap.add_argument("--signed", type=int, default=0, help="also: audit of N signed commits, cold and warm")
    args = ap.parse_args()
    from shouwen.repo.demo import make_demo
    from shouwen.repo.audit import audit
    from shouwen.repo.loader import load_rules
    from shouwen.repo import store
    if not os.path.isdir(args.dir):
        t = time.perf_counter()
        _, n = make_demo(args.dir, args.size, date(2026, 1, 5), date(2026, 11, 27), seed=7)
        print(f"demo: {args.size} records, {n} commits in {time.perf_counter() - t:.1f} s")
    root = args.dir
    commits = subprocess.run(["git", "-C", root, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"history: {commits} commits")
    _timed("git log -p (baseline, to /dev/null)", lambda: subprocess.run(
        ["git", "-C", root, "log", "-p", "--unified=0", "--", "records"], stdout=subprocess.DEVNULL, check=True))
    rules = load_rules(root)
    rep = _timed("shouwen audit (library)", lambda: audit(root, rules))
    print(f"  audit found {len(rep.problems)} problems in {rep.commits} commits")
    cache = os.path.join(root, ".shouwen", "cache")
    def cold():
        subprocess.run(["rm", "-rf", cache])
        return store.load_records(root)
    _timed("reader, cold (no cache)", cold)
    _timed("reader, warm (blob cache)", lambda: store.load_records(root))
    _timed("reader, no cache at all", lambda: store.load_records(root, use_cache=False))
    if args.signed:
        signed_history(os.path.dirname(os.path.abspath(root)), args.signed)


def signed_history(base: str, n: int):
    """A signing agency with n signed commits by one desk: audit with every signature verified (cold),
    then with all of them remembered (warm)."""
    import shutil
    import tempfile
    from shouwen.repo.audit import audit
    from shouwen.repo.loader import load_rules
    tmp = tempfile.mkdtemp(dir=base if os.path.isdir(base) else None)
    key = os.path.join(tmp, "office")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    agency = os.path.join(tmp, "agency")
    env = dict(os.environ, SHOUWEN_SIGNING_KEY=key)
    subprocess.run([sys.executable, "-m", "shouwen", "init", agency, "--require-signing", key + ".pub"], env=env,
                   check=True, capture_output=True)
    staff = os.path.join(agency, "rules", "staff.yml")
    pub = open(key + ".pub").read().strip()
    text = open(staff, encoding="utf-8").read().replace("emails: [j001@example.gov.cn], public: true}",
                                                         f'emails: [j001@example.gov.cn], public: true, signing_key: "{pub}"}}')
    open(staff, "w", encoding="utf-8").write(text)
    git = ["git", "-C", agency, "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"]
    ident = dict(os.environ, GIT_AUTHOR_NAME="周建国", GIT_AUTHOR_EMAIL="j001@example.gov.cn",
                 GIT_COMMITTER_NAME="周建国", GIT_COMMITTER_EMAIL="j001@example.gov.cn")
    subprocess.run([*git, "commit", "-qS", "-am", "roster key"], env=ident, check=True)
    rec = os.path.join(agency, "records", "inquiries", "2026", "11", "20261102-J001-001.md")
    os.makedirs(os.path.dirname(rec))
    lines = ["---", "id: 20261102-J001-001", "code: 7KQ4MX", "channel: visit", "first_responder: J001",
             "visitor:", "  name: 测试", "matter: 基准", "events:",
             "  - {at: 2026-11-02T09:00:00+08:00, by: J001, action: registered}"]
    t = time.perf_counter()
    for i in range(n):
        if i:
            lines.append(f"  - {{at: 2026-11-02T09:00:00+08:00, by: J001, action: note, text: 第{i}次}}")
        open(rec, "w", encoding="utf-8").write("\n".join(lines + ["---"]) + "\n")
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qS", "--no-verify", "-m", f"note {i}"], env=ident, check=True)
    print(f"signed history: {n + 2} commits built in {time.perf_counter() - t:.1f} s")
    rules = load_rules(agency)
    def run():
        return audit(agency, rules, anchor=key + ".pub")
    t = time.perf_counter()
    rep = run()
    print(f"{'shouwen audit, every signature verified':<40} {time.perf_counter() - t:8.2f} s ({rep.verified} verified)")
    t = time.perf_counter()
    rep = run()
    print(f"{'shouwen audit, signatures remembered':<40} {time.perf_counter() - t:8.2f} s ({rep.verified} verified)")
    unsigned = [p for p in rep.problems if p.code == "unsigned"]
    print(f"  unsigned problems: {len(unsigned)}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
