"""The public site shows the records as the history holds them (HEAD), never a file changed, added or removed
behind the history's back: what the public reads can always be traced to a commit that `audit` has seen."""
import json
import os
import re
import subprocess
import sys
from datetime import date

from shouwen.publish import lookup, shard_files, sitebuild

DAY = date(2026, 11, 20)


def _entry(agency, job, rid, text):
    key = lookup.derive(rid, re.search(r"^code: (\S+)$", text, re.M).group(1))
    shard, name = lookup.locator(key)
    data = job.site.files.get(f"lookup/data/{shard}.json")
    sealed = json.loads(shard_files.content(data)) if data is not None else {}
    return lookup.open_sealed(key, sealed[name]) if name in sealed else None


def test_what_is_not_committed_is_not_published(agency, monkeypatch):
    rid = agency.new("2026-11-02T09:30", name="欧阳明日")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    forged = rel.replace(rid, rid[:-3] + "099")
    copy = re.sub(r"^lookup: .*\n", "", text.replace(rid, rid[:-3] + "099"), flags=re.M)
    agency.write(forged, copy.replace("欧阳明日", "司马相如"))
    os.remove(os.path.join(agency.path, rel))
    for cached in ("", "1"):        # the kept answer and a build from nothing agree
        monkeypatch.setenv("SHOUWEN_NO_CACHE", cached)
        job = sitebuild.prepare(agency.path, DAY)
        assert _entry(agency, job, rid, text) is not None, cached           # removed, not committed: still shown
        assert _entry(agency, job, rid[:-3] + "099", copy) is None, cached
        assert "欧阳明日" in job.values and "司马相如" not in job.values
    monkeypatch.setenv("SHOUWEN_NO_CACHE", "")
    agency.git("add", "-A", "records")
    agency.git("commit", "-qm", "移走", "--no-verify")
    job = sitebuild.prepare(agency.path, DAY)
    assert _entry(agency, job, rid, text) is None and "司马相如" in job.values
    assert _entry(agency, job, rid[:-3] + "099", copy) is not None


def test_the_build_says_which_commit_it_shows(agency, tmp_path):
    agency.new("2026-11-02T09:30")
    head = agency.head()
    r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", agency.path, "site", "build", "-o",
                        str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"提交 {head[:10]}" in r.stdout and "未提交的记录改动不公开" in r.stdout, r.stdout


def test_an_agency_whose_history_holds_no_record_yet_shows_its_work_tree(agency, monkeypatch):
    """Rules committed, the first matters written by hand and not yet committed: shown, as before any commit."""
    rid = agency.new("2026-11-02T09:30", name="欧阳明日")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    agency.git("rm", "-rq", "--cached", "records")
    agency.git("commit", "-qm", "只有规则", "--no-verify")
    assert os.path.exists(os.path.join(agency.path, rel))
    for cached in ("", "1"):
        monkeypatch.setenv("SHOUWEN_NO_CACHE", cached)
        job = sitebuild.prepare(agency.path, DAY)
        assert _entry(agency, job, rid, text) is not None and "欧阳明日" in job.values, cached
