"""The rules' history (which commits changed rules/, for judging by the rules of each day) is kept with
the HEAD it was read at; it must always equal a fresh read, whatever happened to the history since."""
from __future__ import annotations

import os

from shouwen.repo import gitio
from shouwen.repo.rules_history import RULES_HISTORY, rule_commits


def _fresh(agency):
    return gitio.path_commits(agency.path, "rules", head="HEAD")


def _commit_rules(agency, n):
    with open(os.path.join(agency.path, "rules", "calendar.yml"), "a", encoding="utf-8") as fh:
        fh.write(f"# {n}\n")
    agency.git("commit", "-q", "--no-verify", "-am", f"rules {n}")


def _commit_other(agency, n):
    agency.write(f"site/x{n}.md", f"{n}\n")
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", f"other {n}")


def test_the_kept_rules_history_equals_a_fresh_read(agency):
    assert rule_commits(agency.path) == _fresh(agency)
    assert os.path.exists(os.path.join(agency.path, RULES_HISTORY))
    # commits in a line after the kept HEAD: only those are read, and they are added
    _commit_other(agency, 1)
    _commit_rules(agency, 2)
    assert rule_commits(agency.path) == _fresh(agency) and len(_fresh(agency)) >= 2
    # a merge since the kept HEAD: read again in full
    base = agency.head()
    agency.git("checkout", "-q", "-b", "side")
    _commit_rules(agency, 3)
    agency.git("checkout", "-q", "-")
    _commit_other(agency, 4)
    agency.git("merge", "-q", "--no-edit", "--no-verify", "side")
    assert rule_commits(agency.path) == _fresh(agency)
    # HEAD moved back (a reset): the kept history is not an ancestor's, so it is read again
    agency.git("reset", "-q", "--hard", base)
    assert rule_commits(agency.path) == _fresh(agency)
    # a broken file is read again, never trusted
    with open(os.path.join(agency.path, RULES_HISTORY), "w", encoding="utf-8") as fh:
        fh.write('{"head": "%s", "commits": [["x"]]}' % agency.head())
    assert rule_commits(agency.path) == _fresh(agency)


def test_a_write_carries_the_kept_history_to_its_commit(agency):
    import json
    rule_commits(agency.path)
    agency.new("2026-11-02T09:30")       # a late entry: judged by the roster of its day
    kept = json.load(open(os.path.join(agency.path, RULES_HISTORY), encoding="utf-8"))
    assert kept["head"] == agency.head()
    assert [tuple(c) for c in kept["commits"]] == _fresh(agency)


def _git_log(agency, rev="HEAD"):
    """git's own answer, from one walk."""
    return [tuple(line.split()) for line in agency.git("log", "--reverse", "--format=%H %cI", rev, "--", "rules").splitlines()]


def test_a_long_history_is_walked_in_pieces_to_git_s_own_answer(agency, monkeypatch):
    from shouwen.repo.gitio import paths
    for n in range(8):
        (_commit_rules if n % 3 == 0 else _commit_other)(agency, n)
    walks = []
    real = paths.git
    monkeypatch.setattr(paths, "git", lambda root, *args, **kw: walks.append(args) or real(root, *args, **kw))
    want = _git_log(agency)
    assert len(want) >= 4
    for piece in (1, 2, 3, 1000):
        monkeypatch.setattr(paths, "PIECE", piece)
        walks.clear()
        assert paths.path_commits(agency.path, "rules") == want
        pieces = [a for a in walks if any(x.startswith("^") for x in a)]
        assert (len(pieces) > 1) == (piece < 4)        # a long line is walked a piece at a time
        assert all("core.packedGitLimit=16m" in a for a in walks if "rev-list" in a)
    # commits since a kept HEAD: read in one pass when they are few, else not (then all is read in pieces)
    base = agency.git("rev-list", "--max-count=1", "--skip=4", "HEAD").strip()
    monkeypatch.setattr(paths, "PIECE", 10)
    assert paths.path_commits(agency.path, "rules", since=base, head=agency.head()) == \
        [c for c in want if c[0] in agency.git("rev-list", f"{base}..HEAD")]
    monkeypatch.setattr(paths, "PIECE", 2)
    assert paths.path_commits(agency.path, "rules", since=base, head=agency.head()) is None
    # a merge anywhere: one walk, git's own choice of parents
    agency.git("checkout", "-q", "-b", "side", base)
    agency.write("rules/README.txt", "side\n")
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "rules on a side branch")
    agency.git("checkout", "-q", "-")
    _commit_other(agency, 21)
    agency.git("merge", "-q", "--no-edit", "--no-verify", "side")
    _commit_rules(agency, 22)
    for piece in (1, 2, 1000):
        monkeypatch.setattr(paths, "PIECE", piece)
        assert paths.path_commits(agency.path, "rules") == _git_log(agency)
    # an older commit's history
    assert paths.path_commits(agency.path, "rules", head=base) == _git_log(agency, base)


def test_a_commit_s_rules_are_read_by_blob_as_the_files_were(agency):
    """load_rules_at reads a commit's rules/ file by file (gitio.tree_files: no `git archive`, which indexes the
    whole commit first): the same rules as the work tree's, a symlinked folder followed, no symlink inside taken,
    a commit without rules/ refused."""
    import pytest
    from shouwen.repo.loader import load_rules, load_rules_at
    os.symlink("calendar.yml", os.path.join(agency.path, "rules", "link.yml"))
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "a link inside rules/")
    names = [n for n, _ in gitio.tree_files(agency.path, "HEAD", "rules")]
    assert "calendar.yml" in names and "link.yml" not in names
    assert dict(gitio.tree_files(agency.path, "HEAD", "rules"))["calendar.yml"] == open(
        os.path.join(agency.path, "rules", "calendar.yml"), "rb").read()
    at, here = load_rules_at(agency.path, "HEAD"), load_rules(agency.path)
    assert (at.departments, at.staff, at.services, at.policy, at.problems) == (
        here.departments, here.staff, here.services, here.policy, here.problems)
    os.rename(os.path.join(agency.path, "rules"), os.path.join(agency.path, "kept-rules"))
    os.symlink("kept-rules", os.path.join(agency.path, "rules"))
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "rules/ as a symlinked folder")
    assert sorted(gitio.tree_files(agency.path, "HEAD", "rules")) == sorted(gitio.tree_files(agency.path, "HEAD^", "rules"))
    with pytest.raises(gitio.GitError):
        gitio.tree_files(agency.path, "HEAD", "no-such-folder")
