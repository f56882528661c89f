"""The lookup shards are kept as files by their content and linked into the built site (publish.shard_files);
the privacy guard skips a linked shard only when it found those very bytes clean against the same values.
The site is the same, byte for byte, as a build with no cache."""
import filecmp
import os
from datetime import date

import pytest

from shouwen.publish import privacy, shard_files, sitebuild

DAY = date(2026, 11, 20)
TIMED = ("lookup/index.html", "search/search_index.json")    # say the minute the data was taken


def watch_scans(monkeypatch) -> list:
    """The files the guard reads from now on."""
    seen = []
    real = privacy._texts
    monkeypatch.setattr(privacy, "_texts", lambda name, *a: (seen.append(name), (yield from real(name, *a)))[1])
    return seen


@pytest.fixture
def scanned(monkeypatch):
    """The files the guard read."""
    return watch_scans(monkeypatch)


def _built(agency, out, today=DAY):
    """The site's files as an engine would leave them: the pages written, the kept shards placed."""
    job = sitebuild.prepare(agency.path, today)
    os.makedirs(out)
    for path, content in job.site.files.items():
        if isinstance(content, shard_files.Shard):
            job.placing[path] = content
        else:
            os.makedirs(os.path.dirname(os.path.join(out, path)), exist_ok=True)
            with open(os.path.join(out, path), "wb") as fh:
                fh.write(shard_files.content(content))
    sitebuild.place(job, out)
    return job


def test_a_shard_found_clean_is_not_scanned_again_for_the_same_values_only(agency, tmp_path, scanned):
    agency.new("2026-11-02T09:30", name="欧阳明日", phone="13800138001")
    first = _built(agency, tmp_path / "one")
    shards = sorted(first.linked)
    assert shards and all(p.startswith("lookup/data/") for p in shards)
    assert sitebuild.guard(first, str(tmp_path / "one")) == []
    assert set(shards) <= set(scanned)
    scanned.clear()
    again = _built(agency, tmp_path / "two")
    for path, shard in again.linked.items():        # the kept file itself, not a copy
        assert os.path.samefile(tmp_path / "two" / path, shard.file)
    assert sitebuild.guard(again, str(tmp_path / "two")) == []
    assert scanned and not set(scanned) & set(shards)       # the pages are scanned, the shards not
    # another value to look for (a word of plain ASCII): looked for in each shard's text, the one that holds
    # it read as any other file and failing the build, the others not read
    scanned.clear()
    text = again.site.files[shards[0]].data().decode()
    planted = text[text.index(":\"") + 2:][:12]      # twelve characters of a sealed entry, as if a visitor's name
    again.values = {**again.values, planted: ("20261102-J005-001", "来访人单位")}
    problems = sitebuild.guard(again, str(tmp_path / "two"))
    assert shards[0] in scanned and not set(shards[1:]) & set(scanned)
    assert [(p.code, p.path) for p in problems] == [("pii-leak", shards[0])]
    scanned.clear()
    assert sitebuild.guard(again, str(tmp_path / "two")) == problems and shards[0] in scanned   # no verdict kept


def test_a_copy_or_a_changed_kept_shard_is_not_trusted(agency, tmp_path, scanned):
    agency.new("2026-11-02T09:30", name="欧阳明日")
    sitebuild.guard(_built(agency, tmp_path / "one"), str(tmp_path / "one"))
    job = _built(agency, tmp_path / "two")
    path = sorted(job.linked)[0]
    out = tmp_path / "two" / path
    data = out.read_bytes()
    out.unlink()
    out.write_bytes(data)           # the same bytes in another file: read again
    scanned.clear()
    assert sitebuild.guard(job, str(tmp_path / "two")) == [] and scanned.count(path) == 1
    # a kept shard changed in the store: the whole answer naming it is not taken, the shard is made again
    kept = job.site.files[path]
    with open(kept.file, "r+b") as fh:
        fh.write(b"{}")
    again = _built(agency, tmp_path / "three")
    assert (tmp_path / "three" / path).read_bytes() == data


@pytest.mark.parametrize("engine", ["mkdocs"])
def test_the_built_site_is_the_same_as_with_no_cache(agency, tmp_path, monkeypatch, engine):
    agency.new("2026-11-02T09:30", name="欧阳明日", phone="13800138001")
    agency.new("2026-11-03T10:30", name="上官婉儿", service="birth-permit")
    outs = []
    for n, cached in enumerate((True, True, False)):
        if not cached:
            monkeypatch.setenv("SHOUWEN_NO_CACHE", "1")
        outs.append(tmp_path / f"public-{n}")
        r = agency.run("site", "build", "--engine", engine, "-o", str(outs[-1]))
        assert r.exit_code == 0, r.output
    shards = os.listdir(outs[1] / "lookup" / "data")
    assert shards and all(os.stat(outs[1] / "lookup" / "data" / s).st_nlink > 1 for s in shards)    # linked
    assert not any(os.stat(outs[2] / "lookup" / "data" / s).st_nlink > 1 for s in shards)

    def differ(a, b):
        cmp = filecmp.dircmp(a, b)
        out = [os.path.join(rel, f) for rel, c in _walk(cmp, "") for f in c.diff_files + c.left_only + c.right_only]
        return sorted(f for f in out if f not in TIMED)
    assert differ(outs[0], outs[2]) == [] and differ(outs[1], outs[2]) == []


def _walk(cmp, rel):
    yield rel, cmp
    for name, sub in cmp.subdirs.items():
        yield from _walk(sub, os.path.join(rel, name))


def test_a_key_or_a_name_added_that_a_kept_shard_holds_is_found(agency, tmp_path, scanned, monkeypatch):
    """Values added since the shards were found clean (a new matter's lookup key, a visitor's name in plain
    ASCII) are looked up in what the guard kept of each shard, and found there as a full scan finds them."""
    from shouwen.publish import lookup
    key = "5e" * 32
    real_seal = lookup.seal
    planted = f"{key}/Zhangsan/"
    monkeypatch.setattr(lookup, "seal", lambda *a: planted + real_seal(*a)[len(planted):])
    agency.new("2026-11-02T09:30", name="欧阳明日", phone="13800138001")
    first = _built(agency, tmp_path / "one")
    assert sitebuild.guard(first, str(tmp_path / "one")) == []
    values = first.values
    for added in ({"tel:13100000000": ("20261103-J005-001", "来访人电话")},        # in no shard: none is read
                  {key: ("20261103-J005-001", privacy.KEY_LABEL)}, {"Zhangsan": ("20261103-J005-001", "来访人姓名")}):
        scanned.clear()
        first.values = values.added(added)
        leaks = sitebuild.guard(first, str(tmp_path / "one"))
        assert bool(leaks) == bool(set(scanned) & set(first.linked)) == ("tel:13100000000" not in added)
        assert leaks == privacy.scan(str(tmp_path / "one"), first.values)
        first.values = values
        sitebuild.guard(first, str(tmp_path / "one"))       # clean again: the shards that leaked read, kept
