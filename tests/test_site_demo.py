"""The shipped demo agency built by each engine: the same pages, nothing from another host, and
none of its 330 visitors' personal data (checked here from the records, not by the build's guard)."""
import os

import yaml

from conftest import ENGINES, REPO
from helpers.offline import external_refs, leaks, personal_values


def _pages(out):
    return sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs if f.endswith(".html"))


def test_the_demo_builds_the_same_pages_with_both_engines(demo_sites):
    mk, zs = (_pages(demo_sites(e)[1]) for e in ENGINES)
    assert mk == zs and len(mk) >= 36


def test_the_demo_site_is_offline_and_holds_no_personal_data(demo_sites):
    values = personal_values(REPO)
    assert len(values) > 300                       # the demo's visitors are there to be looked for
    with open(os.path.join(REPO, "rules", "staff.yml"), encoding="utf-8") as fh:
        staff = [s["name"] for s in yaml.safe_load(fh)["staff"]]
    for engine in ENGINES:
        out = demo_sites(engine)[1]
        assert external_refs(out) == [], engine
        assert leaks(out, values, staff) == [], engine


def test_the_demo_site_reads_in_chinese_punctuation(demo_sites):
    """GB/T 15834 on what the public reads of the shipped demo's site (pages from its rules, its records' counts
    and its committed bulletin)."""
    from helpers import zhpunct
    bad = zhpunct.site_hits(demo_sites(ENGINES[0])[1])
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])
