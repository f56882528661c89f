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
