"""A site build of an unchanged ledger reads what the last build kept of it (the year's counts, the sealed
lookup shards, the visitors' values the privacy guard looks for), not the ledger; a changed record, committed
or not, or another year is another name: read again, the same files and the same guard as with no cache."""
import glob
import os
from datetime import date

import pytest

from shouwen.publish import shard_files, site_records, sitebuild

DAY = date(2026, 11, 20)


@pytest.fixture
def reads(monkeypatch):
    """How many times the ledger was read (as a ledger, or row by row: repo.index.each_row)."""
    count = []
    for name in ("load_ledger", "each_row"):
        real = getattr(site_records, name)
        monkeypatch.setattr(site_records, name, lambda *a, _real=real, **k: count.append(1) or _real(*a, **k))
    return count


def _same(a, b):
    def files(job):     # the lookup page says when the data was taken (the minute of the build)
        return {p: shard_files.content(c) for p, c in job.site.files.items() if p != "lookup/index.md"}
    assert files(a) == files(b) and a.values == b.values


def _no_cache(agency, monkeypatch, today=DAY):
    monkeypatch.setenv("SHOUWEN_NO_CACHE", "1")
    job = sitebuild.prepare(agency.path, today)
    monkeypatch.delenv("SHOUWEN_NO_CACHE")
    return job


def test_an_unchanged_ledger_is_not_read_again(agency, reads, monkeypatch):
    agency.new("2026-11-02T09:30", name="欧阳明日", phone="13800138001")
    before = os.path.join(agency.path, ".shouwen", "cache", "site-rows.pickle")     # as an older build kept them
    os.makedirs(os.path.dirname(before), exist_ok=True)
    open(before, "wb").close()
    first = sitebuild.prepare(agency.path, DAY)
    assert not os.path.exists(before)
    again = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 1
    _same(first, again)
    assert "欧阳明日" in again.values and "tel:13800138001" in again.values
    _same(again, _no_cache(agency, monkeypatch))


def test_a_changed_record_or_another_day_is_read_again(agency, reads, monkeypatch, tmp_path):
    rid = agency.new("2026-11-02T09:30", name="欧阳明日")
    other = agency.new("2026-11-02T10:30", name="上官婉儿")
    sitebuild.prepare(agency.path, DAY)
    rel = f"records/inquiries/2026/11/{rid}.md"
    agency.write(rel, agency.file(rel).replace("欧阳明日", "司马相如"))
    made = []
    real_row = site_records._row
    monkeypatch.setattr(site_records, "_row", lambda e, *a: made.append(e.record.id) or real_row(e, *a))
    job = sitebuild.prepare(agency.path, DAY)       # not committed: the site shows what the history holds
    assert len(reads) == 1 and made == [] and "欧阳明日" in job.values and "司马相如" not in job.values
    agency.git("commit", "-qam", "更正")
    job = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 2 and "司马相如" in job.values and "欧阳明日" not in job.values
    assert set(made) == {rid} and "上官婉儿" in job.values       # the unchanged record's part as it was kept
    _same(job, _no_cache(agency, monkeypatch))
    agency.new("2026-11-03T09:30", name="诸葛孔明")
    job = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 3 and "诸葛孔明" in job.values      # a new matter: placed (tests/test_site_days.py)
    # the new visitor's name on a published page fails the guard, as in a build with no cache
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.html").write_text("<p>来访人：诸葛孔明</p>", encoding="utf-8")
    assert [p.code for p in sitebuild.guard(job, str(tmp_path / "out"))] == ["pii-leak"]
    later = sitebuild.prepare(agency.path, date(2026, 12, 31))
    assert len(reads) == 3          # another day of the year: patched (tests/test_site_days.py)
    _same(later, _no_cache(agency, monkeypatch, date(2026, 12, 31)))
    later = sitebuild.prepare(agency.path, date(2027, 1, 4))
    assert len(reads) == 5          # another year: the year's counts are made again
    _same(later, _no_cache(agency, monkeypatch, date(2027, 1, 4)))


def test_a_torn_memo_is_worked_out_again(agency, reads):
    agency.new("2026-11-02T09:30", name="欧阳明日")
    first = sitebuild.prepare(agency.path, DAY)
    for torn in ([site_records.RECORDS_MEMO], [site_records.RECORDS_MEMO, os.path.join(".shouwen", "index", "site-v*")]):
        for f in [f for pattern in torn for f in glob.glob(os.path.join(agency.path, pattern))]:
            with open(f, "r+b") as fh:
                fh.truncate(100)
        again = sitebuild.prepare(agency.path, DAY)
        _same(first, again)
    assert len(reads) == 2          # the whole answer, then what follows the ledger, torn: read again


def test_an_event_added_patches_what_was_kept(agency, reads, monkeypatch):
    """A matter that keeps its visitor and key: only its record is read, only its shard sealed again."""
    rid = agency.new("2026-11-02T09:30", service="birth-permit", name="欧阳明日")
    other = agency.new("2026-11-02T10:30", name="上官婉儿")
    first = sitebuild.prepare(agency.path, DAY)
    before = {p: shard_files.content(c) for p, c in first.site.files.items()}
    made = []
    real_row = site_records._row
    monkeypatch.setattr(site_records, "_row", lambda e, *a: made.append(e.record.id) or real_row(e, *a))
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    job = sitebuild.prepare(agency.path, DAY)                # a commit: patched
    assert len(reads) == 1 and made == [rid]
    assert [p for p, c in job.site.files.items() if shard_files.content(c) != before[p]
            and p.startswith("lookup/data/")] == [_shard_of(job, rid)]     # (lookup/index.md: the build's minute)
    _same(job, _no_cache(agency, monkeypatch))
    rel = f"records/inquiries/2026/11/{other}.md"
    agency.write(rel, agency.file(rel) + "补记。\n")
    agency.git("commit", "-qam", "补记")                      # a second commit on top of the first
    made.clear()
    job = sitebuild.prepare(agency.path, DAY)
    # the second read: the build with no cache above; a few changes are patched again from the whole build's
    # kept state rather than written at each (site_follow.SiteKept)
    assert len(reads) == 2 and sorted(made) == sorted([rid, other])
    _same(job, _no_cache(agency, monkeypatch))


def _shard_of(job, rid):
    """The shard that holds the matter's sealed entry, found as the browser finds it (its id and code)."""
    import re
    from shouwen.publish import lookup
    text = open(os.path.join(job.root, f"records/inquiries/2026/11/{rid}.md"), encoding="utf-8").read()
    shard, _ = lookup.locator(lookup.derive(rid, re.search(r"^code: (\S+)$", text, re.M).group(1)))
    return f"lookup/data/{shard}.json"
