"""The bulletin of a new commit from the quarter's sums kept for an earlier one, patched for the records
that changed (repo.kept_quarter), and a quarter's ledger exported (CSV, .xlsx) from the rows kept for an earlier
state of the work tree, patched likewise (repo.kept_rows): always what they are with no cache."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from shouwen.cli import cli
from shouwen.repo import answers, index
from test_index import _git, _no_index, _shipped_demo, demo_copy  # noqa: F401  (fixtures)

BULLETINS = [("2026Q3",), ("2026Q3", "--format", "json"), ("2026Q4", "--today", "2026-11-27", "--format", "json")]


def _bulletins(path, no_cache=False, at=None):
    out = []
    for b in BULLETINS:
        r = CliRunner().invoke(cli, ["--repo", str(path), "bulletin", *b, *(["--at", at] if at else [])],
                               env={"SHOUWEN_NO_CACHE": "1" if no_cache else None})
        assert r.exit_code == 0, r.output
        out.append(json.loads(r.stdout) if "json" in b else r.stdout)
    return out


def _patched(path, monkeypatch, at=None):
    """The bulletins with the whole ledger out of reach (only the kept sums, patched, can answer), against
    the same with no cache."""
    with monkeypatch.context() as m:
        m.setattr(index, "load_ledger", _no_index)
        got = _bulletins(path, at=at)
    assert got == _bulletins(path, no_cache=True, at=at)
    return got


def _head(path):
    import subprocess
    return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def test_a_new_commits_bulletin_is_the_kept_quarter_patched(demo_copy, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    first = _bulletins(demo_copy)                  # from the whole ledger: the sums kept
    assert first == _bulletins(demo_copy, no_cache=True)
    published = _head(demo_copy)
    records = demo_copy / "records"
    inquiries = sorted((records / "inquiries" / "2026" / "09").glob("*.md"))
    # a new record in the quarter, taking the id of one already there from an earlier path: that one, not
    # changed itself, becomes the duplicate
    twin = inquiries[0].parent / (inquiries[0].stem[:-3] + "000.md")
    twin.write_text(inquiries[0].read_text(encoding="utf-8"), encoding="utf-8")
    _git(demo_copy, "add", "-A")
    _git(demo_copy, "commit", "-q", "--no-verify", "-m", "a twin")
    got = _patched(demo_copy, monkeypatch)
    assert got[1]["total"]["registered"] == first[1]["total"]["registered"] + 1
    assert got[1]["total"]["items"]["登记"] < first[1]["total"]["items"]["登记"]
    # an event on a record (a complaint's verdict), a record removed, the twin gone again
    complaint = next(p for p in sorted((records / "complaints").rglob("*.md"))
                     if "finding: unfounded" in p.read_text(encoding="utf-8"))
    complaint.write_text(complaint.read_text(encoding="utf-8").replace("finding: unfounded", "finding: substantiated"),
                         encoding="utf-8")
    inquiries[5].unlink()
    twin.unlink()
    _git(demo_copy, "add", "-A")
    _git(demo_copy, "commit", "-q", "--no-verify", "-m", "changes")
    _patched(demo_copy, monkeypatch)
    # an event appended through the writer, then a record edited in the work tree only (the bulletin is
    # of the commit: the same)
    r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "--as", "J005", "note", inquiries[7].stem, "--text", "补记"])
    assert r.exit_code == 0, r.output
    after = _patched(demo_copy, monkeypatch)
    inquiries[8].write_text(inquiries[8].read_text(encoding="utf-8") + "补记。\n", encoding="utf-8")
    assert _patched(demo_copy, monkeypatch) == after
    # the published bulletin reproduced from its commit, from the sums of a later one
    shutil.rmtree(demo_copy / answers.FOLDER)
    assert _patched(demo_copy, monkeypatch, at=published)[:2] == first[:2]


def test_other_rules_or_another_day_are_never_answered_from_the_kept_sums(demo_copy, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    _bulletins(demo_copy)
    policy = demo_copy / "rules" / "policy.yml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("forward_limit: 2", "forward_limit: 1"),
                      encoding="utf-8")
    _git(demo_copy, "commit", "-q", "--no-verify", "-am", "stricter")
    with monkeypatch.context() as m:
        m.setattr(index, "load_ledger", _no_index)
        for args in (["2026Q3"], ["2026Q4", "--today", "2026-11-28"]):
            r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "bulletin", *args])
            assert r.exit_code == 70 and "from the index" in r.output      # judged anew
    stricter = _bulletins(demo_copy)
    assert stricter == _bulletins(demo_copy, no_cache=True)
    r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "--as", "J005", "note", "20260901-J005-001", "--text", "补记"])
    assert r.exit_code == 0, r.output
    _patched(demo_copy, monkeypatch)


def _exports(path, tmp_path, no_cache=False):
    out = []
    for q, kind in (("2026Q3", "csv"), ("2026Q4", "csv"), ("2026Q3", "xlsx")):
        f = tmp_path / f"{q}-{no_cache}.{kind}"
        r = CliRunner().invoke(cli, ["--repo", str(path), "export", "--quarter", q, "-o", str(f)],
                               env={"SHOUWEN_NO_CACHE": "1" if no_cache else None})
        assert r.exit_code == 0, r.output
        out.append(f.read_bytes())
    return out


def _exports_patched(path, tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(index, "load_ledger", _no_index)
        got = _exports(path, tmp_path)
    assert got == _exports(path, tmp_path, no_cache=True)
    return got


def test_a_quarters_csv_or_xlsx_export_is_the_kept_rows_patched(demo_copy, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    first = _exports(demo_copy, tmp_path)          # from the whole ledger: the rows kept
    assert first == _exports(demo_copy, tmp_path, no_cache=True) and first[0].count(b"\r\n") > 100
    records = demo_copy / "records" / "inquiries" / "2026"
    q3 = sorted((records / "08").glob("*.md"))
    # a record edited in the work tree, a new one in the quarter (registered among the others: every later
    # row's number moves), one removed
    q3[3].write_text(q3[3].read_text(encoding="utf-8") + "补记。\n", encoding="utf-8")
    got = _exports_patched(demo_copy, tmp_path, monkeypatch)
    assert got[0] != first[0] and got[2] != first[2]
    text = q3[4].read_text(encoding="utf-8")
    (q3[4].parent / (q3[4].stem[:-3] + "900.md")).write_text(text.replace(q3[4].stem, q3[4].stem[:-3] + "900"),
                                                             encoding="utf-8")
    q3[10].unlink()
    got = _exports_patched(demo_copy, tmp_path, monkeypatch)
    assert got[0].count(b"\r\n") == first[0].count(b"\r\n")
    # committed, then an event through the writer (a new commit)
    _git(demo_copy, "add", "-A")
    _git(demo_copy, "commit", "-q", "--no-verify", "-m", "changes")
    _exports_patched(demo_copy, tmp_path, monkeypatch)
    r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "--as", "J005", "note", q3[20].stem, "--text", "补记"])
    assert r.exit_code == 0, r.output
    _exports_patched(demo_copy, tmp_path, monkeypatch)
    # another day, or other rules: never from the kept rows
    from shouwen.cli import ledger_files
    from datetime import date
    policy = demo_copy / "rules" / "policy.yml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("forward_limit: 2", "forward_limit: 1"),
                      encoding="utf-8")
    for m_day in (None, date(2027, 1, 4)):
        with monkeypatch.context() as m:
            m.setattr(index, "load_ledger", _no_index)
            if m_day:
                policy.write_text(policy.read_text(encoding="utf-8").replace("forward_limit: 1", "forward_limit: 2"),
                                  encoding="utf-8")
                m.setattr(ledger_files, "today_cst", lambda: m_day)
            r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "export", "--quarter", "2026Q3", "-o",
                                         str(tmp_path / "x.csv")])
            assert r.exit_code == 70 and "from the index" in r.output
    assert _exports(demo_copy, tmp_path) == _exports(demo_copy, tmp_path, no_cache=True)
