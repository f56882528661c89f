"""Benchmark: does building the public site grow with the number of records?

The demo's 330 records are copied under new ids into agencies of 330 and 3,300 records (the
pages are the same; only the aggregates and the lookup shards depend on the records). For each:
the generator with the lookup keys derived cold, again with them cached, and the whole
`mkdocs build --strict` with the privacy scan. Numbers go into BENCHMARKS.md by hand.

    python tools/bench/site_bench.py /tmp/site-bench
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def agency(path: str, copies: int) -> int:
    if os.path.exists(path):
        shutil.rmtree(path)
    subprocess.run([sys.executable, "-m", "shouwen", "init", path], check=True, capture_output=True)
    n = 0
    src = os.path.join(REPO, "records", "inquiries")
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".md"):
                continue
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            rid = f[:-3]
            for k in range(copies):
                seq = int(rid[-3:]) + 100 * k
                new = f"{rid[:-3]}{seq:03d}"
                rel = os.path.relpath(dirpath, REPO)
                os.makedirs(os.path.join(path, rel), exist_ok=True)
                with open(os.path.join(path, rel, new + ".md"), "w", encoding="utf-8") as fh:
                    fh.write(re.sub(r"^id: .*$", f"id: {new}", text, count=1, flags=re.M))
                n += 1
    return n


def more_services(path: str, n: int) -> None:
    """n service guides: the shipped nine again under new ids, as a real catalogue of hundreds."""
    sdir = os.path.join(path, "rules", "services")
    base = sorted(f for f in os.listdir(sdir) if f.endswith(".md"))
    for i in range(n - len(base)):
        src = base[i % len(base)]
        text = open(os.path.join(sdir, src), encoding="utf-8").read()
        text = re.sub(r"^事项名称: (.*)$", lambda m: f"事项名称: {m.group(1)}(第 {i + 1} 项)", text, count=1, flags=re.M)
        text = re.sub(r"^事项编码: (.*)$", lambda m: f"事项编码: {m.group(1)}-{i + 1:04d}", text, count=1, flags=re.M)
        with open(os.path.join(sdir, f"extra-{i + 1:04d}.md"), "w", encoding="utf-8") as fh:
            fh.write(text)


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    print(f"  {label:<48} {dt:7.2f} s")
    return out, dt


def site_build(path: str, out: str) -> int:
    """`shouwen site build` timed; returns the site's size in bytes."""
    r, _ = timed("shouwen site build (mkdocs --strict + privacy scan)",
                 lambda: subprocess.run([sys.executable, "-m", "shouwen", "--repo", path, "site", "build", "-o", out],
                                        capture_output=True, text=True))
    assert r.returncode == 0, r.stderr
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)


def catalogue_sizes(out: str, size: int) -> None:
    page = os.path.getsize(os.path.join(out, "guide", "extra-0001", "index.html"))
    print(f"  site {size / 1024 / 1024:.1f} MB, one guide page {page / 1024:.0f} KB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    args = ap.parse_args()
    from shouwen.publish import sitebuild
    path = os.path.join(args.dir, "agency-catalogue")
    agency(path, 1)
    more_services(path, 500)
    out = os.path.join(args.dir, "public-catalogue")
    sitebuild.prepare(path)
    print("500 service guides (out of the navigation), 330 records")
    catalogue_sizes(out, site_build(path, out))
    # baseline in the same run: the same catalogue with every guide in the navigation
    cfg = os.path.join(path, "mkdocs.yml")
    text = open(cfg, encoding="utf-8").read()
    guides = sorted(f[:-3] for f in os.listdir(os.path.join(path, "rules", "services")) if f.endswith(".md"))
    nav = "\n".join(f"      - {g}: guide/{g}.md" for g in guides)
    open(cfg, "w", encoding="utf-8").write(text.replace("  - 办事指南: guide/index.md",
                                                        f"  - 办事指南:\n      - 索引: guide/index.md\n{nav}"))
    out2 = os.path.join(args.dir, "public-catalogue-nav")
    print("baseline: the same 500 guides in the navigation")
    catalogue_sizes(out2, site_build(path, out2))
    for copies in (1, 10):
        path = os.path.join(args.dir, f"agency-{copies}")
        n = agency(path, copies)
        print(f"{n} records")
        shutil.rmtree(os.path.join(path, ".shouwen"), ignore_errors=True)
        timed("generator, lookup keys derived (cold)", lambda: sitebuild.prepare(path))
        timed("generator, lookup keys cached (warm)", lambda: sitebuild.prepare(path))
        out = os.path.join(args.dir, f"public-{copies}")
        size = site_build(path, out)
        pages = sum(1 for _, _, fs in os.walk(out) for f in fs if f.endswith(".html"))
        shards = len(os.listdir(os.path.join(out, "lookup", "data")))
        lsize = sum(os.path.getsize(os.path.join(out, "lookup", "data", f)) for f in os.listdir(os.path.join(out, "lookup", "data")))
        print(f"  {pages} pages, {shards} lookup shards ({lsize / 1024:.0f} KB), site {size / 1024 / 1024:.1f} MB")


if __name__ == "__main__":
    main()
