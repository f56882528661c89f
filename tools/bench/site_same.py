"""Check, on a large agency, that the patched site builds are the ones a build with no cache makes.

    python tools/bench/site_same.py AGENCY      (a copy: it registers, removes and corrects matters, as commits)

Builds the site's files in this process (publish.sitebuild.prepare, as the MkDocs hook does) as kept, on the
next day, after a new matter, after a matter removed, after a phone corrected and a week on, each beside a `SHOUWEN_NO_CACHE` build
of the same day, and prints whether it was patched (the whole ledger not read) and whether the files and the
personal values the guard looks for are the same. The tests (tests/test_site_days.py) check the same on small
agencies; this is the same at a hundred thousand records.
"""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
from datetime import date


def main():
    ap = argparse.ArgumentParser(description="the patched site builds against builds with no cache, on a copy")
    ap.add_argument("agency", help="a copy of an agency (matters are registered, removed and corrected in it)")
    root = ap.parse_args().agency
    from shouwen.publish import shard_files, site_records, sitebuild
    reads = []
    real = site_records.load_ledger
    site_records.load_ledger = lambda *a, **k: reads.append(1) or real(*a, **k)

    def files(job):     # the lookup page says the minute the data was taken
        return {p: shard_files.content(c) for p, c in job.site.files.items() if p != "lookup/index.md"}

    def check(what, day):
        n = len(reads)
        job = sitebuild.prepare(root, day)
        patched, mine, values = len(reads) == n, files(job), dict(job.values)
        os.environ["SHOUWEN_NO_CACHE"] = "1"
        plain = sitebuild.prepare(root, day)
        del os.environ["SHOUWEN_NO_CACHE"]
        theirs = files(plain)
        differ = sorted(p for p in mine.keys() | theirs.keys() if mine.get(p) != theirs.get(p))
        print(f"{what}: patched {patched}, the same files {not differ}, the same values {values == dict(plain.values)}"
              + (f" (differ: {differ[:5]})" if differ else ""), flush=True)

    env = dict(os.environ, SHOUWEN_LATE_REASON="基准测试补录")
    sw = [sys.executable, "-m", "shouwen", "--repo", root]
    check("as kept", date(2026, 12, 8))
    check("the next day", date(2026, 12, 9))
    subprocess.run(sw + ["--as", "J005", "new", "--name", "校验来访人", "--phone", "13987654321", "--matter", "校验",
                         "--at", "2026-11-27T17:55"], env=env, check=True, capture_output=True)
    check("after a new matter", date(2026, 12, 9))
    inquiries = sorted(glob.glob(os.path.join(root, "records", "inquiries", "*", "*", "*.md")))
    victim = inquiries[len(inquiries) // 3]         # any size of agency
    subprocess.run(["git", "-C", root, "rm", "-q", os.path.relpath(victim, root)], check=True)
    subprocess.run(["git", "-C", root, "commit", "-qm", "校验：删除", "--no-verify"], check=True)
    check(f"after {os.path.basename(victim)} removed", date(2026, 12, 9))
    inquiries = sorted(glob.glob(os.path.join(root, "records", "inquiries", "*", "*", "*.md")))
    rid = os.path.basename(inquiries[len(inquiries) // 2])[:-3]
    subprocess.run(sw + ["--as", rid.split("-")[1], "correct", rid, "--field", "visitor.phone",   # by its registrant
                         "--value", "13987650000", "--reason", "登记时写错"], env=env, check=True, capture_output=True)
    check(f"after {rid}'s phone corrected", date(2026, 12, 9))
    check("a week on", date(2026, 12, 16))


if __name__ == "__main__":
    main()
