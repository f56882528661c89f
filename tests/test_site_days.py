"""The site on another day, after a new matter, after one removed: patched from what the last build kept
(publish.site_follow), never by reading the whole ledger again, and the same files and the same guard as a
build with no cache. Each test makes the whole-ledger path fail, so the answer can only come from the patch."""
import json
import os
from datetime import date

import pytest

from shouwen.publish import shard_files, site_follow, site_records, sitebuild
from shouwen.repo import summary

DAY = date(2026, 11, 20)        # a Friday


def _files(job):        # the lookup page says when the data was taken (the minute of the build)
    return {p: shard_files.content(c) for p, c in job.site.files.items() if p != "lookup/index.md"}


def _same_as_no_cache(job, agency, monkeypatch, today):
    with monkeypatch.context() as m:
        m.setenv("SHOUWEN_NO_CACHE", "1")
        _allow(m)
        plain = sitebuild.prepare(agency.path, today)
    assert _files(job) == _files(plain) and job.values == plain.values


_REAL = site_records.load_ledger, site_records.each_row       # the ledger read whole, or row by row


def _allow(m):
    m.setattr(site_records, "load_ledger", _REAL[0])
    m.setattr(site_records, "each_row", _REAL[1])


def _forbid(m):
    for name in ("load_ledger", "each_row"):
        m.setattr(site_records, name, lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))


def _promised(agency, at, due, name, phone):
    rid = agency.new(at, service="birth-permit", name=name, phone=phone)
    day = at[:10]
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", f"{day}T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", f"{day}T11:00")
    agency.ok("--as", "J014", "promise", rid, "--due", due, "--at", f"{day}T11:05")
    return rid


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """An agency with the matters below, made once for the module (each test works on a copy of it)."""
    from click.testing import CliRunner
    from conftest import Agency
    from shouwen.cli import cli
    path = tmp_path_factory.mktemp("days") / "agency"
    r = CliRunner().invoke(cli, ["init", str(path), "--template", "bureau"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    agency = Agency(path)
    late = _promised(agency, "2026-11-02T09:30", "2026-11-10", "欧阳明日", "13800138001")
    soon = _promised(agency, "2026-11-13T09:30", "2026-11-25", "上官婉儿", "13800138002")
    paused = _promised(agency, "2026-11-04T09:30", "2026-11-16", "东方晓", "13600002222")
    agency.ok("--as", "J014", "suspend", paused, "--reason", "补正材料", "--at", "2026-11-05T10:00")
    resumed = _promised(agency, "2026-11-05T09:30", "2026-11-17", "慕容复", "13600003333")
    agency.ok("--as", "J014", "suspend", resumed, "--reason", "补正材料", "--at", "2026-11-06T10:00")
    agency.ok("--as", "J014", "resume", resumed, "--at", "2026-11-18T10:00")
    done = agency.new("2026-11-04T09:00", name="司马青衫", phone="13700001111")
    agency.ok("--as", "J005", "answer", done, "--answer", "已当场答复", "--at", "2026-11-04T09:10")
    return path, {"late": late, "soon": soon, "paused": paused, "resumed": resumed, "done": done}


@pytest.fixture
def ledger(made, agency):
    """The module's agency, copied over this test's own (`agency`): the ids of its matters."""
    import shutil
    shutil.rmtree(agency.path)
    shutil.copytree(made[0], agency.path, symlinks=True)
    return made[1]


def test_another_day_seals_nothing_again_but_the_matter_whose_due_day_moves(agency, ledger, monkeypatch):
    first = sitebuild.prepare(agency.path, DAY)
    _same_as_no_cache(first, agency, monkeypatch, DAY)
    made = []
    real_row = site_records._row
    monkeypatch.setattr(site_records, "_row", lambda e, *a: made.append(e.record.id) or real_row(e, *a))
    _forbid(monkeypatch)
    before = _files(first)
    saved = []
    monkeypatch.setattr(site_follow.SiteKept, "save", lambda *a, **k: saved.append(1))
    monkeypatch.setattr(summary, "SAVE_FROM", 1)    # one changed record would be written: a day is no change
    store = os.path.join(agency.path, ".shouwen", "cache", "lookup-shards")
    first_files = {os.path.basename(s.file) for s in first.site.files.values() if isinstance(s, shard_files.Shard)}
    # Monday: the late matter is a working day later (the page counts it), the paused one's deadline moves with
    # the day; only the paused one is judged again, and only its shard may differ
    for today in (date(2026, 11, 23), date(2026, 11, 22), date(2026, 11, 30), date(2026, 12, 31)):
        made.clear()
        job = sitebuild.prepare(agency.path, today)
        # nothing written again for a matter judged again every day; of the shard files, the kept ones and this
        # build's stay (not one more a day)
        assert saved == [] and set(os.listdir(store)) == first_files | {
            os.path.basename(s.file) for s in job.site.files.values() if isinstance(s, shard_files.Shard)}
        assert made == [ledger["paused"]]
        _same_as_no_cache(job, agency, monkeypatch, today)
        changed = {p for p, c in _files(job).items() if c != before.get(p)}
        assert {p for p in changed if p.startswith("lookup/data/")} <= {_shard(agency, ledger["paused"])}
        assert {"index.md", "lookup/workdays.json"} <= changed          # 数据截至 another day
        assert json.loads(shard_files.content(job.site.files["lookup/workdays.json"]))["day"] == today.isoformat()


def test_a_day_without_a_working_day_between_changes_no_shard(agency, ledger, monkeypatch):
    _allow(monkeypatch)
    sitebuild.prepare(agency.path, date(2026, 11, 21))      # Saturday
    _forbid(monkeypatch)
    before = _files(sitebuild.prepare(agency.path, date(2026, 11, 21)))
    sunday = sitebuild.prepare(agency.path, date(2026, 11, 22))
    shards = {p for p in before if p.startswith("lookup/data/")}
    differ = {p for p in shards if before[p] != _files(sunday)[p]}
    assert differ <= {_shard(agency, ledger["paused"])}     # only the paused matter, judged again, may move
    _same_as_no_cache(sunday, agency, monkeypatch, date(2026, 11, 22))


def _shard(agency, rid):
    import re
    from shouwen.publish import lookup
    text = agency.file(f"records/inquiries/2026/11/{rid}.md")
    shard, _ = lookup.locator(lookup.derive(rid, re.search(r"^code: (\S+)$", text, re.M).group(1)))
    return f"lookup/data/{shard}.json"


def test_a_day_before_a_clock_started_again_reads_the_ledger(agency, ledger, reads, monkeypatch):
    sitebuild.prepare(agency.path, DAY)
    sitebuild.prepare(agency.path, date(2026, 11, 19))
    assert len(reads) == 1          # the resumed matter's due day holds from the 18th
    job = sitebuild.prepare(agency.path, date(2026, 11, 17))
    assert len(reads) == 2
    _same_as_no_cache(job, agency, monkeypatch, date(2026, 11, 17))


@pytest.fixture
def reads(monkeypatch):
    count = []
    for name, real in zip(("load_ledger", "each_row"), _REAL):
        monkeypatch.setattr(site_records, name, lambda *a, _real=real, **k: count.append(1) or _real(*a, **k))
    return count


def test_new_matters_are_placed_from_what_was_kept(agency, ledger, monkeypatch):
    first = sitebuild.prepare(agency.path, DAY)
    assert sum(len(json.loads(c)) for p, c in _files(first).items() if p.startswith("lookup/data/")) == 64
    made = []
    real_row = site_records._row
    monkeypatch.setattr(site_records, "_row", lambda e, *a: made.append(e.record.id) or real_row(e, *a))
    _forbid(monkeypatch)
    one = agency.new("2026-11-19T09:30", name="诸葛孔明", phone="13900000001")
    job = sitebuild.prepare(agency.path, DAY)
    assert made == [one] and job.values["诸葛孔明"][0] == one
    _same_as_no_cache(job, agency, monkeypatch, DAY)
    # a score more at once: past a round count of entries, so the filling decoys change; one holds a name an
    # older matter held first, and is first in path order
    made.clear()
    earlier = agency.new("2026-11-01T09:30", name="欧阳明日", phone="13900000002")
    more = [agency.new(f"2026-11-19T1{n % 8}:{n:02d}", name=f"来访人{n}", phone=f"139100000{n:02d}") for n in range(20)]
    job = sitebuild.prepare(agency.path, DAY)
    # a few new matters are patched again from what the whole build kept (not kept after each one: site_follow)
    assert sorted(made) == sorted([one, earlier, *more]) and job.values["欧阳明日"][0] == earlier
    assert sum(len(json.loads(c)) for p, c in _files(job).items() if p.startswith("lookup/data/")) == 128
    _same_as_no_cache(job, agency, monkeypatch, DAY)
    # then another day, patched from what the new matters left
    job = sitebuild.prepare(agency.path, date(2026, 11, 24))
    _same_as_no_cache(job, agency, monkeypatch, date(2026, 11, 24))


def test_a_matter_removed_is_taken_out_from_what_was_kept(agency, ledger, reads, monkeypatch):
    again = agency.new("2026-11-19T09:30", name="欧阳明日", phone="13900000009")     # a name held first by `late`
    sitebuild.prepare(agency.path, DAY)
    for rid in (again, ledger["soon"]):         # neither holds a value first that another holds too
        agency.git("rm", "-q", f"records/inquiries/2026/11/{rid}.md")
        agency.git("commit", "-qm", "删除误登记")
        job = sitebuild.prepare(agency.path, DAY)
        assert len(reads) == 1 and "tel:13900000009" not in job.values and job.values["欧阳明日"][0] == ledger["late"]
        _same_as_no_cache(job, agency, monkeypatch, DAY)
    assert "上官婉儿" not in job.values
    agency.new("2026-11-19T10:30", name="欧阳明日", phone="13900000010")
    sitebuild.prepare(agency.path, DAY)
    agency.git("rm", "-q", f"records/inquiries/2026/11/{ledger['late']}.md")     # the first holder of a value
    agency.git("commit", "-qm", "删除误登记")                                      # another holds: not kept
    job = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 2 and job.values["欧阳明日"][0] != ledger["late"]
    _same_as_no_cache(job, agency, monkeypatch, DAY)


def test_the_guard_reads_only_the_entries_sealed_again(agency, ledger, tmp_path, monkeypatch):
    from test_site_shards import _built, watch_scans
    from shouwen.publish import lookup, privacy
    one = _built(agency, tmp_path / "one")
    assert sitebuild.guard(one, str(tmp_path / "one")) == []
    scanned = watch_scans(monkeypatch)
    two = _built(agency, tmp_path / "two", date(2026, 11, 23))      # another day: nothing sealed again
    assert {p for p, s in two.linked.items() if s.parent} == set()
    assert sitebuild.guard(two, str(tmp_path / "two")) == [] and not set(scanned) & set(two.linked)
    # a sealed entry that held a visitor's phone: found in its span, and the whole shard read as any other
    agency.ok("--as", "J014", "suspend", ledger["late"], "--reason", "补正材料", "--at", "2026-11-23T10:00")
    real_seal = lookup.seal
    monkeypatch.setattr(lookup, "seal", lambda *a: "13800138001" + real_seal(*a)[11:])
    three = _built(agency, tmp_path / "three", date(2026, 11, 23))
    assert {p for p, s in three.linked.items() if s.parent} == {_shard(agency, ledger["late"])}
    spans = []
    real_spans = privacy._clean_spans
    monkeypatch.setattr(privacy, "_clean_spans", lambda *a: spans.append(real_spans(*a)) or spans[-1])
    leaks = sitebuild.guard(three, str(tmp_path / "three"))
    assert _shard(agency, ledger["late"]) in {p.path for p in leaks if p.code == "pii-leak"}
    assert False in spans           # found in the spans sealed again


def _opened(agency, job, rid):
    import re
    from shouwen.publish import lookup
    text = agency.file(f"records/inquiries/2026/11/{rid}.md")
    key = lookup.derive(rid, re.search(r"^code: (\S+)$", text, re.M).group(1))
    _, name = lookup.locator(key)
    return lookup.open_sealed(key, json.loads(shard_files.content(job.site.files[_shard(agency, rid)]))[name])


def test_a_matter_whose_clock_stands_still_has_no_due_day_until_it_runs_again(agency, ledger):
    """Its due day would move with every day the clock stands still: the page says 补齐材料后继续计时 instead, until
    the clock runs again or the policy's limit of standing still is reached (then the due day holds)."""
    for day, due in ((DAY, False), (date(2026, 11, 27), False), (date(2026, 12, 31), True)):
        paused = _opened(agency, sitebuild.prepare(agency.path, day), ledger["paused"])
        assert paused["suspended"] is True and (paused["due"] is not None) == due, day
    resumed = _opened(agency, sitebuild.prepare(agency.path, DAY), ledger["resumed"])
    assert resumed["suspended"] is False and resumed["due"] is not None


def test_a_corrected_phone_is_placed_again_and_a_void_reads_the_ledger(agency, ledger, reads, monkeypatch):
    sitebuild.prepare(agency.path, DAY)
    agency.ok("--as", "J005", "correct", ledger["soon"], "--field", "visitor.phone", "--value", "13900002222",
              "--reason", "登记时写错", "--at", "2026-11-19T09:00")
    job = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 1 and "tel:13900002222" in job.values and "tel:13800138002" in job.values   # old and new
    _same_as_no_cache(job, agency, monkeypatch, DAY)
    agency.ok("--as", "J003", "void", ledger["done"], "--reason", "重复登记", "--at", "2026-11-19T09:10")
    job = sitebuild.prepare(agency.path, DAY)
    assert len(reads) == 2          # a void: out of every count, read from the ledger
    _same_as_no_cache(job, agency, monkeypatch, DAY)


def test_a_new_matters_values_are_looked_up_in_what_the_guard_kept(agency, ledger, tmp_path, monkeypatch):
    """After a new matter the values differ: the guard looks the new ones up in what its passes found in each
    shard it found clean (publish.verdicts), not reading it again; a new phone that a kept shard holds is found
    there, as a full scan finds it."""
    from test_site_shards import _built, watch_scans
    from shouwen.publish import lookup, privacy
    real_seal = lookup.seal
    monkeypatch.setattr(lookup, "seal", lambda *a: "13912345678" + real_seal(*a)[11:])     # in every entry
    one = _built(agency, tmp_path / "one")
    assert sitebuild.guard(one, str(tmp_path / "one")) == []
    scanned = watch_scans(monkeypatch)
    kept = {s.digest for s in one.linked.values()}

    def made_anew(job):     # the shards neither the last build's nor made from one of those
        return {p for p, s in job.linked.items() if s.digest not in kept and not s.parent}
    for n, (out, day) in enumerate(((tmp_path / "two", DAY), (tmp_path / "three", date(2026, 11, 23)))):
        rid = agency.new(f"2026-11-19T1{n}:30", name=f"新来访人{n}", phone=f"1390000000{n}")   # same day, next day
        job = _built(agency, out, day)
        assert sitebuild.guard(job, str(out)) == []
        changed = {p for p, s in job.linked.items() if s.digest not in kept}
        assert set(scanned) & set(job.linked) <= changed and len(changed) < len(job.linked) / 2
        # the shard with the new entry is read: made again from its kept one, the stretch that differs (its spans),
        # or, where a filler the new matter displaced left that shard too, made anew and read whole (a random key)
        mine = _shard(agency, rid)
        assert mine in changed and (job.linked[mine].spans or mine in scanned)
        kept = {s.digest for s in job.linked.values()}
        scanned.clear()
    agency.new("2026-11-20T09:30", name="新来访人", phone="13912345678")
    four = _built(agency, tmp_path / "four", date(2026, 11, 23))
    leaks = sitebuild.guard(four, str(tmp_path / "four"))
    assert leaks == privacy.scan(str(tmp_path / "four"), four.values)
    assert {p.path for p in leaks} - made_anew(four)        # in shards kept from before, the new one's not only
