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


@pytest.fixture(scope="session")
def _shipped_demo(tmp_path_factory):
    """The shipped demo agency's rules and records in a repository of their own, made once a session."""
    path = tmp_path_factory.mktemp("shipped") / "demo"
    assert CliRunner().invoke(cli, ["init", str(path)]).exit_code == 0
    shutil.rmtree(path / "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), path / "rules")
    shutil.rmtree(path / "records")
    shutil.copytree(os.path.join(ROOT, "records"), path / "records")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--no-verify", "-m", "demo")
    return path


@pytest.fixture
def demo_copy(tmp_path, _shipped_demo):
    """A test's own copy of it (Git's index refreshed: the copy changed every file's inode and ctime)."""
    path = tmp_path / "demo"
    shutil.copytree(_shipped_demo, path, symlinks=True)
    _git(path, "update-index", "-q", "--refresh")
    return path


def test_the_demo_gives_the_same_answers_with_and_without_the_index(demo_copy, monkeypatch):
    first = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    assert first[0][2]["records"] > 300 and first[0][2]["problems"]
    assert index.index_files(demo_copy)
    # another day, then back: entries judged for one day are not taken for another
    later = _same_both_ways(demo_copy, "2027-03-01", monkeypatch)
    assert later[0][2] != first[0][2]
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == first


@pytest.mark.parametrize("spill_at", [20_000, 1])
def test_a_changed_added_or_removed_record_and_changed_rules_are_seen(demo_copy, monkeypatch, spill_at):
    from shouwen.repo.spill import Spill
    monkeypatch.setattr(Spill, "AT", spill_at)      # 1: the ledger's parts and the JSON lists' items spilled
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
        kept_too = [os.path.join(demo_copy, index.FOLDER, n) for n in os.listdir(demo_copy / index.FOLDER)
                    if n.endswith(".pickle") and not n.startswith("ledger-")]     # summaries, tables, quarters
        for f in index.index_files(demo_copy) + kept_too + _answers(demo_copy) + [os.path.join(demo_copy, store.TRACKED)]:
            open(f, "wb").write(garbage)
        assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
    # an answer kept under another key (another ledger, day or code) is not taken for this one
    import pickle
    from shouwen.repo.answers import keep

    def kept(f):                # as answers.keep writes it: the key, then the value
        with open(f, "rb") as fh:
            return pickle.load(fh), pickle.load(fh)
    for f in _answers(demo_copy):
        key, value = kept(f)
        keep(f, key.replace("2026-11-27", "2026-11-28"), value)
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
    # an index that says something else about the same blobs under another code's key is not read
    for f in _answers(demo_copy):
        os.unlink(f)
    for f in index.index_files(demo_copy):
        key, rows = kept(f)     # the index file: its key, then its rows in parts, then None
        lie = {k: tuple((lo, hi, ({}, [], None, None, [], None, [], None)) for lo, hi, _ in windows)
               for k, windows in rows.items()}
        with open(f, "wb") as fh:
            for value in ("another version", lie, None):
                pickle.dump(value, fh)
    assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want


def _parts_of(f):
    """The index file's key and its parts, as index.py writes them."""
    import pickle
    with open(f, "rb") as fh:
        key, parts = pickle.load(fh), []
        while (part := pickle.load(fh)) is not None:
            parts.append(part)
    return key, parts


def test_the_index_is_written_and_read_a_part_at_a_time_and_a_torn_one_is_rebuilt(demo_copy, monkeypatch):
    monkeypatch.setattr(index, "CHUNK", 40)
    want = _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    [f] = index.index_files(demo_copy)
    key, parts = _parts_of(f)
    rows = {k: v for part in parts for k, v in part.items()}
    assert len(parts) > 5 and max(map(len, parts)) == 40 and len(rows) == want[0][2]["records"]
    # torn where a part ends or inside one: nothing of it is trusted, the index is written whole again
    data = open(f, "rb").read()

    def forget():       # what else is kept, so the ledger is read from the index
        shutil.rmtree(demo_copy / answers.FOLDER, ignore_errors=True)
        for g in os.listdir(demo_copy / index.FOLDER):
            if g.startswith(("summary-", "rows-", "quarter")):
                os.unlink(demo_copy / index.FOLDER / g)
    for cut in (len(data) // 2, len(data) - 1, 30):
        for g in index.index_files(demo_copy):
            os.unlink(g)
        forget()
        assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
        [f] = index.index_files(demo_copy)
        open(f, "r+b").truncate(cut)
        forget()
        assert _ask(demo_copy, "2026-11-27", False, monkeypatch) == want
        assert {k: v for part in _parts_of(f)[1] for k, v in part.items()}.keys() == rows.keys()
    # a few records judged anew go to the journal; the next day many: the file is written anew from its parts
    monkeypatch.setattr(index, "JOURNAL_SHARE", 0.5)
    for p in sorted((demo_copy / "records" / "inquiries").rglob("*.md"))[:20]:
        p.write_text(p.read_text(encoding="utf-8") + "补记。\n", encoding="utf-8")
    forget()
    _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    assert os.path.exists(f + ".journal")
    monkeypatch.setattr(index, "JOURNAL_SHARE", 0.0)
    forget()
    _same_both_ways(demo_copy, "2027-03-01", monkeypatch)
    assert not os.path.exists(f + ".journal")
    assert not [g for g in os.listdir(demo_copy / index.FOLDER) if g.endswith(".tmp")]


def test_a_generated_agency_gives_the_same_answers_with_and_without_the_index(tmp_path, monkeypatch):
    from datetime import date
    from shouwen.repo.demo import make_demo
    path, _ = make_demo(str(tmp_path / "gen"), 150, date(2026, 6, 1), date(2026, 11, 27), seed=3)
    out = _same_both_ways(path, "2026-11-27", monkeypatch)
    assert out[0][2]["records"] >= 150 and out[1][2]


def _check(path, today, no_cache=False):
    r = CliRunner().invoke(cli, ["--repo", str(path), "check", *(["--no-cache"] if no_cache else []),
                                 "--today", today, "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def _no_index(*args, **kw):
    raise AssertionError("the whole ledger was read from the index")


TABLES = [("todo", "--all"), ("todo", "--as", "J005"), ("list",), ("list", "--overdue"), ("list", "--status", "open"),
          ("ladder", "2026"), ("todo", "--all", "--format", "json"), ("todo", "--as", "J005", "--format", "json"),
          ("list", "--format", "json"), ("list", "--status", "open", "--format", "json")]


def _tables(path, today, no_cache=False):
    out = []
    for q in TABLES:
        day = ["--today", today] if q[0] != "ladder" else []        # the ladder: as of today
        r = CliRunner().invoke(cli, ["--repo", str(path), *q, *day], env={"SHOUWEN_NO_CACHE": "1" if no_cache else None})
        assert r.exit_code == 0, (q, r.output)
        out.append(r.stdout)
    return out


def _patched(path, monkeypatch, today="2026-11-27"):
    """`check`, `todo`, `list` and the ladder from what was kept, patched for what changed (the index is never
    read), against the same with no cache."""
    with monkeypatch.context() as m:
        m.setattr(index, "load_ledger", _no_index)
        got = _check(path, today)
        tables = _tables(path, today)
    assert got == _check(path, today, no_cache=True)
    assert tables == _tables(path, today, no_cache=True)
    return got


def test_check_after_a_few_records_changed_patches_the_kept_judgement(demo_copy, monkeypatch):
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    before = _check(demo_copy, "2026-11-27")        # judged from the index; the summary kept
    _tables(demo_copy, "2026-11-27")                # and the tables
    assert _patched(demo_copy, monkeypatch) == before
    records = demo_copy / "records"
    inquiries = sorted((records / "inquiries").rglob("*.md"))
    complaint = sorted((records / "complaints").rglob("*.md"))[0]
    ref = next(line.split(": ", 1)[1] for line in complaint.read_text(encoding="utf-8").splitlines()
               if line.startswith("inquiry: "))
    referred = next(p for p in inquiries if p.stem == ref)
    # an edit, a copy under another name (its id twice), the inquiry a complaint refers to removed
    victim = inquiries[3]
    victim.write_text(victim.read_text(encoding="utf-8").replace("channel: ", "channel: x", 1), encoding="utf-8")
    (victim.parent / "20261127-J005-999.md").write_text(victim.read_text(encoding="utf-8"), encoding="utf-8")
    referred.unlink()
    got = _patched(demo_copy, monkeypatch)
    codes = {p["code"] for p in got["problems"]}
    assert {"field-invalid", "id-duplicate", "id-path-mismatch", "inquiry-unknown"} <= codes
    # a complaint changed (the ladder's judgement), then staged, committed (HEAD moves), put back in the
    # work tree only (the files differ from HEAD again), and a broken summary file
    complaint.write_text(complaint.read_text(encoding="utf-8").replace("finding: unfounded", "finding: substantiated"),
                         encoding="utf-8")
    _patched(demo_copy, monkeypatch)
    _git(demo_copy, "add", "-A")
    _patched(demo_copy, monkeypatch)
    _git(demo_copy, "commit", "-q", "--no-verify", "-m", "changes")
    _patched(demo_copy, monkeypatch)
    _git(demo_copy, "checkout", "HEAD~1", "--", "records")
    (victim.parent / "20261127-J005-999.md").unlink()
    assert _patched(demo_copy, monkeypatch) == before
    for f in os.listdir(demo_copy / index.FOLDER):
        if f.startswith(("summary-", "rows-")):
            open(demo_copy / index.FOLDER / f, "wb").write(b"\x80\x05N.")
    shutil.rmtree(demo_copy / answers.FOLDER)       # (else this question's kept answer is read)
    assert _check(demo_copy, "2026-11-27") == before
    _tables(demo_copy, "2026-11-27")
    assert _patched(demo_copy, monkeypatch) == before       # kept again by the check that read the index
    # many records changed at once (the patched summary is written), then more
    for p in inquiries[10:30]:
        p.write_text(p.read_text(encoding="utf-8") + "补记。\n", encoding="utf-8")
    _patched(demo_copy, monkeypatch)
    inquiries[40].unlink()
    _patched(demo_copy, monkeypatch)


def test_the_kept_judgement_is_not_taken_for_other_rules_or_another_day(demo_copy, monkeypatch):
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    _check(demo_copy, "2026-11-27")
    with monkeypatch.context() as m:
        m.setattr(index, "load_ledger", _no_index)
        r = CliRunner().invoke(cli, ["--repo", str(demo_copy), "check", "--today", "2026-11-28"])
        assert r.exit_code == 70 and "from the index" in r.output      # another day: judged anew
    assert _check(demo_copy, "2026-11-28") == _check(demo_copy, "2026-11-28", no_cache=True)
    policy = demo_copy / "rules" / "policy.yml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("forward_limit: 2", "forward_limit: 1"),
                      encoding="utf-8")
    stricter = _check(demo_copy, "2026-11-27")
    assert stricter == _check(demo_copy, "2026-11-27", no_cache=True)
    _tables(demo_copy, "2026-11-27")
    assert _patched(demo_copy, monkeypatch) == stricter


def test_only_the_newest_kept_summaries_of_a_kind_are_left(tmp_path):
    from shouwen.repo import summary
    for i in range(summary.KEEP + 4):
        f = tmp_path / f"summary-v1-{i:016x}.pickle"
        f.write_bytes(b"x")
        os.utime(f, ns=(i * 10**9, i * 10**9))
    (tmp_path / "rows-v1-0.pickle").write_bytes(b"x")
    summary._prune(str(tmp_path), "summary")
    left = os.listdir(tmp_path)
    assert sum(n.startswith("summary-") for n in left) == summary.KEEP and "rows-v1-0.pickle" in left
    assert f"summary-v1-{summary.KEEP + 3:016x}.pickle" in left and "summary-v1-0000000000000000.pickle" not in left


def test_a_list_of_every_matter_holds_one_entry_s_state_at_a_time(demo_copy):
    from datetime import date
    from shouwen.repo.index_rows import _UNREAD, one_at_a_time
    from shouwen.repo.loader import load_rules
    rules = load_rules(str(demo_copy))
    entries = index.load_ledger(str(demo_copy), rules, date(2026, 11, 27)).entries
    before = [(e.state, e.deadlines) for e in entries]
    for e in entries:
        e.let_go()
    held = []
    for e in one_at_a_time(entries):
        e.state, e.deadlines, e.record.meta
        held.append(sum(x._state is not _UNREAD for x in entries))
    assert max(held) == 1           # the one being read; the one before has let go
    assert all(x._state is _UNREAD and x.record._full is None for x in entries)
    assert [(e.state, e.deadlines) for e in entries] == before       # made again, the same


def test_the_workers_read_and_judge_a_commit_s_records_themselves(demo_copy, monkeypatch):
    """On every core, a commit's records are read by the process that judges them (the parent never fetches
    them all at once): the same bulletin as one process reading them all."""
    real = store.parallel_map
    sizes = []

    def small_chunks(fn, items, chunk=400, least=store.PARALLEL_FROM):
        sizes.append(len(items))
        return real(fn, items, chunk=25, least=2)
    monkeypatch.setattr(store, "parallel_map", small_chunks)
    monkeypatch.setattr(store, "contents", lambda *a: (_ for _ in ()).throw(AssertionError("all fetched at once")))
    _git(demo_copy, "commit", "-q", "--allow-empty", "--no-verify", "-m", "a later commit")
    asked = ["--repo", str(demo_copy), "bulletin", "2026Q3", "--at", "HEAD~1", "--format", "json"]
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    r = CliRunner().invoke(cli, asked)
    assert r.exit_code == 0, r.output
    assert max(sizes) > 300         # judged on every core, in chunks of 25
    monkeypatch.setattr(store, "parallel_map", real)
    plain = CliRunner().invoke(cli, asked, env={"SHOUWEN_NO_CACHE": "1"})
    assert json.loads(r.stdout) == json.loads(plain.stdout) and json.loads(r.stdout)["departments"]


def test_a_large_ledger_s_heavy_parts_wait_in_a_spill_file_and_give_the_same_answers(demo_copy, monkeypatch):
    """From Spill.AT entries on (20,000; here every ledger) the header, state and deadlines of each entry are
    read back from an unnamed file rather than held: the same answers, text and JSON, and nothing left behind."""
    import pickle
    from datetime import date
    from shouwen.repo import index_rows
    from shouwen.repo.loader import load_rules
    from shouwen.repo.spill import Spill

    def text(*args, no_cache=False):
        env = {"SHOUWEN_NO_CACHE": "1"} if no_cache else {}
        r = CliRunner().invoke(cli, ["--repo", str(demo_copy), *args, "--today", "2026-11-27"], env=env)
        assert r.exit_code == 0, r.output
        return r.stdout
    held = [text(*q) for q in (("list",), ("todo", "--all"))]
    monkeypatch.setattr(Spill, "AT", 1)
    assert [text(*q, no_cache=True) for q in (("list",), ("todo", "--all"))] == held
    _same_both_ways(demo_copy, "2026-11-27", monkeypatch)
    for f in (demo_copy / ".shouwen" / "index").glob("rows-*"):     # the kept tables: made again
        f.unlink()
    assert [text(*q) for q in (("list",), ("todo", "--all"))] == held      # made from the spilled ledger again
    entries = index.load_ledger(str(demo_copy), load_rules(str(demo_copy)), date(2026, 11, 27)).entries
    spilled = [e._heavy for e in entries if isinstance(e._heavy, index_rows._Spilled)]
    assert len(spilled) == len(entries) and all(h.data is None for h in spilled)
    assert pickle.loads(pickle.dumps(spilled[5])).get() == spilled[5].get()       # to a worker: as its bytes
    assert index_rows.EMPTY == [] and sum(e.problems is index_rows.EMPTY for e in entries) > 100
    assert not [n for n in os.listdir(demo_copy / ".shouwen" / "index") if n.startswith("tmp")]
