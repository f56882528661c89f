"""Benchmark: `shouwen audit` on a clean history of N commits against `git log -p` on the same history.

The history is built with `git fast-import` (the writer's own serialisation, one commit per event,
authored by the event's person at the event's time), so 10,000 commits take seconds instead of the
hours the real writer needs on a shared machine; `history_bench.py` measures the same over a demo
made by the writer itself. No test asserts a time; the figures go into BENCHMARKS.md.

    python tools/bench/audit_bench.py --commits 10000 /tmp/audit-bench
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta

from timing import best_of

STEPS = [("J005", "registered", {}), ("J005", "forwarded", {"to": "family", "staff": "J014"}),
         ("J014", "accepted", {}), ("J014", "completed", {"result": "已办结,材料齐全"}),
         ("J005", "delivered", {"method": "窗口取件"}), ("J005", "note", {"text": "来访人已签收"})]


def build(path: str, commits: int, seed: int = 3, per_day: float | None = None) -> int:
    """`per_day`: inquiries registered a day (the history spans commits / 6 / per_day days, so each month's
    folder holds what a month brings); by default they are spread over 150 days, whatever their number."""
    from shouwen.core.ids import make_id, new_code, record_path
    from shouwen.core.record import CST, dump
    from shouwen.repo.loader import load_rules
    first = "2026-01-05T08:00:00+08:00"        # before the first event: no commit may be dated before its parent
    subprocess.run([sys.executable, "-m", "shouwen", "init", path], check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_DATE=first, GIT_COMMITTER_DATE=first))
    rules = load_rules(path)
    rng = random.Random(seed)
    records = commits // len(STEPS) + 1
    start = datetime(2026, 1, 5, 9, 0, tzinfo=CST)
    span = int(records / per_day * 24 * 60) if per_day else 300 * 24 * 60 // 2      # minutes
    ops = []                    # (time, record index, step)
    for i in range(records):
        t = start + timedelta(minutes=rng.randint(0, span))
        for j in range(len(STEPS)):
            ops.append((t, i, j))
            t += timedelta(minutes=rng.randint(5, 600))
    ops.sort()
    ops = ops[:commits]
    metas, seq = {}, {}
    git = subprocess.Popen(["git", "-C", path, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    git.stdin.write(b"reset refs/heads/main\nfrom refs/heads/main^0\n")
    for n, (t, i, j) in enumerate(ops):         # streamed: at 600,000 commits the whole stream is gigabytes
        by, action, extra = STEPS[j]
        ev = {"at": t, "by": by, "action": action, **extra}
        if j == 0:
            day = t.date()
            seq[(day, by)] = seq.get((day, by), 0) + 1
            rid = make_id(day, by, seq[(day, by)])
            metas[i] = {"id": rid, "code": new_code(rng), "channel": "visit", "first_responder": by,
                        "visitor": {"name": f"来访人{i}", "phone": f"1380000{i:04d}"}, "matter": "咨询再生育审批需要的材料",
                        "events": [ev]}
        else:
            metas[i]["events"].append(ev)
        meta = metas[i]
        data = dump(meta, "").encode("utf-8")
        person = rules.staff[by]
        stamp = f"{int(t.timestamp())} +0800"
        msg = f"{action} {meta['id']}\n\nShouwen-Record: {meta['id']}\nShouwen-Action: {action}\n".encode()
        git.stdin.write(f"commit refs/heads/main\nauthor {person.name} <{person.emails[0]}> {stamp}\n"
                        f"committer {person.name} <{person.emails[0]}> {stamp}\ndata {len(msg)}\n".encode()
                        + msg + f"\nM 100644 inline {record_path(meta['id'])}\ndata {len(data)}\n".encode() + data + b"\n")
        if j == len(STEPS) - 1:
            del metas[i]
    git.stdin.close()
    if git.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", path, "reset", "-q", "--hard", "main"], check=True)
    return len(ops)


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and the processes it waited for: git, the pool's workers).
    CPU time hardly moves with the load the other agents put on the machine; wall time does."""
    import resource

    def cpu():
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
    t, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - t, cpu() - c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--per-day", type=float, help="inquiries registered a day (default: all spread over 150 days)")
    ap.add_argument("--once", action="store_true", help="one run each of `git log -p` and the `shouwen audit` "
                    "command, twice, with each one's CPU time and peak memory (for the largest histories)")
    args = ap.parse_args()
    from shouwen.repo.audit import audit
    from shouwen.repo.loader import load_rules
    root = args.dir
    if not os.path.isdir(root):
        t = time.perf_counter()
        n = build(root, args.commits, per_day=args.per_day)
        print(f"history: {n} commits by fast-import in {time.perf_counter() - t:.1f} s")
    total = subprocess.run(["git", "-C", root, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    print(f"history: {total.strip()} commits")
    if args.once:
        return once(root)
    rules = load_rules(root)
    log_p = lambda: subprocess.run(["git", "-C", root, "log", "-p"], stdout=subprocess.DEVNULL, check=True)
    # the audit keeps no cache of record versions (it judges each commit as it is read): every run is cold
    base, _ = best_of("git log -p (baseline, to /dev/null)", log_p)
    cold_s, _ = best_of("shouwen audit (every version read)", lambda: audit(root, rules))
    rep = audit(root, rules)
    errors = [p for p in rep.problems if p.severity == "error"]
    print(f"audit: {rep.commits} commits, {len(errors)} errors, {len(rep.problems) - len(errors)} warnings")
    print(f"ratio to git log -p (best of 3 each): {cold_s / base:.2f}x (load average {os.getloadavg()[0]:.1f})")
    # the machine is shared: the load moves between the measurements above, so also take the ratio
    # within each round of baseline and audit run back to back, and give the median and the range
    rounds = []
    for _ in range(args.rounds):
        b, c = (timed(f) for f in (log_p, lambda: audit(root, rules)))
        rounds.append((c[0] / b[0], c[1] / b[1], os.getloadavg()[0]))
    loads = f"load average {min(x[2] for x in rounds):.1f}–{max(x[2] for x in rounds):.1f}"
    for name, k in (("audit, wall", 0), ("audit, CPU", 1)):
        r = sorted(x[k] for x in rounds)
        print(f"{name}: median {r[len(r) // 2]:.2f}x, range {r[0]:.2f}–{r[-1]:.2f}x over {len(r)} rounds ({loads})")


def once(root: str):
    """Each step as a process of its own: wall time, CPU time (its and its children's) and peak memory."""
    def run(label, cmd):
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall, cpu = time.perf_counter() - t, ru.ru_utime + ru.ru_stime
        print(f"{label:<46} {wall:8.1f} s, CPU {cpu:7.1f} s, peak memory {ru.ru_maxrss / 1024:6.0f} MB, exit "
              f"{proc.returncode} (load average {os.getloadavg()[0]:.1f})", flush=True)
        return wall, cpu
    base = run("git log -p (baseline, to /dev/null)", ["git", "-C", root, "log", "-p"])
    audit = [sys.executable, "-m", "shouwen", "--repo", root, "audit"]
    cold = run("shouwen audit", audit)
    warm = run("shouwen audit again", audit)
    again = run("git log -p again", ["git", "-C", root, "log", "-p"])
    for name, (w, c) in (("audit", cold), ("again", warm)):
        print(f"{name}: {w / base[0]:.2f}x and {w / again[0]:.2f}x git log -p in wall time, "
              f"{c / base[1]:.2f}x and {c / again[1]:.2f}x in CPU time")


if __name__ == "__main__":
    sys.exit(main())
