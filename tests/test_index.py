"""The index under .shouwen/ is only a cache: every answer is the same with it, without it, and after
it went stale (a record changed, added or untracked, the rules changed, another day, a broken file)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from shouwen.cli import cli
from shouwen.repo import answers, gitio, index, store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUESTIONS = [("check", "--format", "json"), ("todo", "--all", "--format", "json"),
             ("list", "--overdue", "--format", "json"), ("ladder", "2026", "--format", "json"),
             ("bulletin", "2026Q3", "--format", "json")]


def _ask(path, today, no_cache, monkeypatch):
    if no_cache:
        monkeypatch.setenv("SHOUWEN_NO_CACHE", "1")
    else:
        monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    out = []
    for q in QUESTIONS:
        args = list(q)
        if q[0] in ("check", "todo", "list"):
            args += ["--today", today]
        r = CliRunner().invoke(cli, ["--repo", str(path), "--as", "J005", *args])
        assert r.exit_code in (0, 1), (q, r.output)
        out.append((q, r.exit_code, json.loads(r.stdout)))
    return out


def _same_both_ways(path, today, monkeypatch):
    without = _ask(path, today, True, monkeypatch)
    assert _ask(path, today, False, monkeypatch) == without      # building the index
    assert _ask(path, today, False, monkeypatch) == without      # reading it
    r = CliRunner().invoke(cli, ["--repo", str(path), "check", "--no-cache", "--today", today, "--format", "json"])
    assert json.loads(r.stdout) == without[0][2]
    return without


def _git(path, *args):
    subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True)


@pytest.fixture
def demo_copy(tmp_path):
    """The shipped demo agency's rules and records in a repository of their own."""
    path = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["init", str(path)]).exit_code == 0
    shutil.rmtree(path / "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), path / "rules")
    shutil.rmtree(path / "records")
    shutil.copytree(os.path.join(ROOT, "records"), path / "records")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--no-verify", "-m", "demo")
    return path


def test_the_demo_gives_the_same_answers_with_and_without_the_index(demo_copy, monkeypatch):
    first = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    assert first[0][2]["records"] > 300 and first[0][2]["problems"]
    assert index.index_files(demo_copy)
    # another day, then back: entries judged for one day are not taken for another
    later = _same_both_ways(demo_copy, "2027-03-01", monkeypatch)
    assert later[0][2] != first[0][2]
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == first


def test_a_changed_added_or_removed_record_and_changed_rules_are_seen(demo_copy, monkeypatch):
    before = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    inquiries = sorted((demo_copy / "records" / "inquiries").rglob("*.md"))
    # a record edited in the work tree (not committed): Git's stat data finds it
    victim = inquiries[3]
    victim.write_text(victim.read_text(encoding="utf-8").replace("channel: ", "channel: x", 1), encoding="utf-8")
    # a new file nobody has added yet, and a committed file removed from the work tree
    (victim.parent / "20261127-J005-999.md").write_text(victim.read_text(encoding="utf-8"), encoding="utf-8")
    inquiries[5].unlink()
    changed = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    codes = {p["code"] for p in changed[0][2]["problems"]} - {p["code"] for p in before[0][2]["problems"]}
    assert {"field-invalid", "id-path-mismatch"} <= codes
    assert changed[0][2]["records"] == before[0][2]["records"]
    # a staged change is read from Git's index (the records it lists are kept under its stamp, and re-listed)
    kept_before = store.tracked_blobs(str(demo_copy))
    _git(demo_copy, "add", "-A")
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == changed
    assert store.tracked_blobs(str(demo_copy)) == gitio.index_blobs(str(demo_copy), "records") != kept_before
    # the rules: a stricter forwarding limit judges old records anew
    policy = demo_copy / "rules" / "policy.yml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("forward_limit: 2", "forward_limit: 1"),
                      encoding="utf-8")
    stricter = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    late = lambda out: sum(p["code"] == "forward-late" for p in out[0][2]["problems"])
    assert late(stricter) > late(changed)


def _answers(path):
    folder = os.path.join(path, answers.FOLDER)
    return [os.path.join(folder, n) for n in os.listdir(folder)] if os.path.isdir(folder) else []


def test_a_broken_or_foreign_index_is_rebuilt_not_trusted(demo_copy, monkeypatch):
    want = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    assert _answers(demo_copy)
    for garbage in (b"not a pickle", b"\x80\x05N."):
        for f in index.index_files(demo_copy) + _answers(demo_copy) + [os.path.join(demo_copy, store.TRACKED)]:
            open(f, "wb").write(garbage)
        assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
    # an answer kept under another key (another ledger, day or code) is not taken for this one
    import pickle
    for f in _answers(demo_copy):
        key, value = pickle.load(open(f, "rb"))
        pickle.dump((key.replace("2026-11-27", "2026-11-28"), value), open(f, "wb"))
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
    # an index that says something else about the same blobs under another code's key is not read
    for f in _answers(demo_copy):
        os.unlink(f)
    for f in index.index_files(demo_copy):
        key, rows = pickle.load(open(f, "rb"))
        lie = {k: tuple((lo, hi, ({}, [], None, None, [], None, [], None)) for lo, hi, _ in windows)
               for k, windows in rows.items()}
        pickle.dump(("another version", lie), open(f, "wb"))
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want


def test_a_generated_agency_gives_the_same_answers_with_and_without_the_index(tmp_path, monkeypatch):
    from datetime import date
    from shouwen.repo.demo import make_demo
    path, _ = make_demo(str(tmp_path / "gen"), 150, date(2026, 6, 1), date(2026, 11, 27), seed=3)
    out = _same_both_ways(path, "2026-11-27", monkeypatch)
    assert out[0][2]["records"] >= 150 and out[1][2]
