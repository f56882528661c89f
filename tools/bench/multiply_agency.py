"""An agency K times as large, fast: every record of SRC copied K-1 more times under new ids, in one commit.

    python tools/bench/multiply_agency.py SRC DEST K

Issue 15 built its large agencies this way ("copying the demo's records under new ids"): a copy keeps its
record's bytes but for the id, whose sequence number is raised by 100 for each copy (the demo numbers at
most a few dozen matters per person a day), so ids stay well formed, unique and where their files are.
References between records (a complaint's inquiry) point at the originals. The history stays the demo's
plus one commit, so what reads the history (audit) is not measured on it; what reads the files is.
A copy's lookup key (`lookup:`) is made from its original's and the copy's number, not derived from its
id and code (a hundred thousand derivations take half an hour): the site seals each copy in its own place,
as it would a real matter, but a copy's receipt code opens nothing.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess

ID = re.compile(r"^((?:(?:TS|JC|BY|HB)-)?\d{8}-[A-Z][A-Z0-9]{1,9}-)(\d{3})")
KEY = re.compile(r"^lookup: ([0-9a-f]{64})$", re.M)


def copy_key(match, c: int) -> str:
    return "lookup: " + hashlib.sha256(f"{match.group(1)}:{c}".encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description="an agency K times as large: every record of SRC copied K-1 more times")
    ap.add_argument("src", help="the agency to copy (left as it is)")
    ap.add_argument("dest", help="the larger agency (replaced if it exists)")
    ap.add_argument("k", type=int, help="how many times as large")
    a = ap.parse_args()
    src, dest, k = a.src, a.dest, a.k
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns(".shouwen"))
    made = 0
    for dirpath, _, names in os.walk(os.path.join(dest, "records")):
        for name in sorted(n for n in names if n.endswith(".md")):
            m = ID.match(name)
            if not m or int(m.group(2)) >= 100:
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                text = fh.read()
            old = name[:-3].split(".")[0]
            for c in range(1, k):
                new = f"{m.group(1)}{int(m.group(2)) + 100 * c:03d}"
                with open(os.path.join(dirpath, name.replace(old, new, 1)), "w", encoding="utf-8") as fh:
                    fh.write(KEY.sub(lambda k: copy_key(k, c), text.replace(f"id: {old}\n", f"id: {new}\n", 1), 1))
                made += 1
    git = ["git", "-C", dest]
    subprocess.run(git + ["add", "-A", "records"], check=True)
    subprocess.run(git + ["commit", "-q", "--no-verify", "-m", f"基准：记录复制为 {k} 倍"], check=True)
    print(f"{made} records added to {dest}")


if __name__ == "__main__":
    main()
