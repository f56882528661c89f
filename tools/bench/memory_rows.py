"""Benchmark: the peak memory of every command that reads the whole ledger, a record's share of it.

    python tools/bench/memory_rows.py AGENCY [--today 2026-11-27] [--quarter 2026Q3]

Issue 15 item 5: at most 2 KB a record where a command must hold every record. Each command is asked as the
first time that question is asked of the day: the ledger's index warm (it is asked once before), what the
command keeps of its own answers removed, so it works from the whole ledger. The largest process of the run
counts, git's too (the child's maximum resident set, its descendants included). scale_bench.py prints these
rows in its table; run alone, this prints them for an agency already built.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

# what a command keeps of its answers (repo.answers, repo.summary's kinds): removed before each measured run
KEPT = (".shouwen/index/answers", ".shouwen/index/rows-v1-*", ".shouwen/index/items-v1-*", ".shouwen/index/runs-v1-*",
        ".shouwen/index/quarter-v1-*", ".shouwen/index/export-v1-*", ".shouwen/index/summary-v1-*")
# what a site build keeps besides (publish.site_records, site_follow, lookup, shard_files)
SITE_KEPT = (".shouwen/cache/site-records.pickle", ".shouwen/cache/site-rows", ".shouwen/cache/site-rows.pickle",
             ".shouwen/index/site-v1-*", ".shouwen/cache/lookup-sealed.pickle", ".shouwen/cache/lookup-shards",
             ".shouwen/cache/guard-verdicts.pickle")


def questions(agency: str, today: str, quarter: str, out: str) -> list:
    """(what, shouwen's arguments, what it keeps) of each whole-ledger question."""
    return [("list", ["list", "--today", today], KEPT),
            ("list --format json", ["list", "--format", "json", "--today", today], KEPT),
            ("todo --all", ["todo", "--all", "--today", today], KEPT),
            ("find (a phone's first digits)", ["find", "139"], KEPT),
            ("ladder", ["ladder", quarter[:4]], KEPT),
            ("bulletin", ["bulletin", quarter], KEPT),
            ("bulletin --format json (the city's copy, its guard)", ["bulletin", quarter, "--format", "json"],
             KEPT + (".shouwen/index/values-v1-*", ".shouwen/cache/bulletin-guard")),
            ("review (the year's four quarters)", ["review", quarter[:4]], KEPT),
            ("remind --dry-run", ["remind", "--dry-run", "--today", today], KEPT),
            ("export --quarter (.csv)", ["export", "--quarter", quarter, "-o", os.path.join(out, "export.csv")], KEPT),
            ("import --dry-run of that export", ["--as", "J003", "import", "--dry-run", os.path.join(out, "export.csv")],
             KEPT),
            ("site build, first build", ["site", "build", "-o", os.path.join(out, "public")], KEPT + SITE_KEPT)]


def forget(agency: str, patterns) -> None:
    for f in [f for p in patterns for f in glob.glob(os.path.join(agency, p))]:
        shutil.rmtree(f) if os.path.isdir(f) else os.remove(f)


def peak_kb(argv: list, env: dict) -> int:
    """The largest resident set (KB) of the process and its descendants; exit 0 or 1 expected."""
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed:\n{err[-2000:]}")
    return usage.ru_maxrss


def memory_rows(agency: str, env: dict, today: str, quarter: str, row) -> None:
    """Each question's row: row(what, bytes a record, None, note, target, unit="B")."""
    files = sum(1 for d, _, fs in os.walk(os.path.join(agency, "records")) for f in fs if f.endswith(".md"))
    with tempfile.TemporaryDirectory() as out:
        for what, args, kept in questions(agency, today, quarter, out):
            argv = [sys.executable, "-m", "shouwen", "--repo", agency, *args]
            peak_kb(argv, env)          # the index for this question, as the day's other commands leave it
            forget(agency, kept)
            shutil.rmtree(os.path.join(out, "public"), ignore_errors=True)
            peak = peak_kb(argv, env)
            row(f"peak memory of {what}, a record", peak * 1024 // files, None,
                f"(largest process {peak // 1024} MB)", "≤ 2,048 B", unit="B")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("agency", help="an agency folder (e.g. scale_bench.py's DIR/agency-N)")
    ap.add_argument("--today", default="2026-11-27")
    ap.add_argument("--quarter", default="2026Q3")
    a = ap.parse_args()
    env = {**os.environ, "SHOUWEN_BADGE": "J005"}
    env.pop("SHOUWEN_NO_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def row(what, subject, _baseline, note, target, unit="B"):
        print(f"| {what} | {subject} {unit} | {note} | {target} |", flush=True)
    print("| what | shouwen | | target |\n|---|---|---|---|")
    memory_rows(os.path.abspath(a.agency), env, a.today, a.quarter, row)


if __name__ == "__main__":
    main()
