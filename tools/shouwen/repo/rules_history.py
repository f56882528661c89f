"""The rules' history (DESIGN §9): which commits changed rules/ and from which day each version applies,
so what depends on the roster is judged by the rules as they stood. Reading a version is repo.loader's."""
from __future__ import annotations

import bisect
import hashlib
import json
import os
from datetime import datetime

from . import gitio
from ..core.record import local_day

RULES_HISTORY = os.path.join(".shouwen", "cache", "rules-history-v1.json")


def rule_commits(root: str) -> list:
    """The commits that changed rules/, oldest first. Reading them is a walk of the whole history (a third
    of a second at 60,000 commits), so they are kept with the HEAD they were read at: the same HEAD has
    the same history, and a HEAD that only added commits in a line adds those it shows."""
    head = gitio.head(root)
    if head is None:
        return []
    file = os.path.join(root, RULES_HISTORY)
    old, rows = _kept(file)
    if old == head:
        return rows
    more = gitio.path_commits(root, "rules", since=old, head=head) if old else None
    rows = rows + more if more is not None else gitio.path_commits(root, "rules", head=head)
    _keep(file, head, rows)
    return rows


def _kept(file: str):
    """(head, commits) as kept, or (None, []) when there are none or they can't be read."""
    try:
        with open(file, encoding="utf-8") as fh:
            saved = json.load(fh)
        old, rows = saved["head"], [tuple(r) for r in saved["commits"]]
        if not all(len(r) == 2 and all(isinstance(x, str) for x in r) for r in rows):
            raise ValueError("not a list of (sha, date)")
        return old, rows
    except (OSError, ValueError, KeyError, TypeError):
        return None, []


def _keep(file: str, head: str, rows: list):
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        tmp = f"{file}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"head": head, "commits": rows}, fh)
        os.replace(tmp, file)
    except OSError:
        pass        # only costs time


def followed(root: str, old: str | None, new: str | None):
    """The writer committed `new` on top of `old` without touching rules/: the history kept for `old` is
    that of `new` too, so the next write (entering a backlog, each event judged by the roster of its day)
    asks Git nothing about it."""
    file = os.path.join(root, RULES_HISTORY)
    head, rows = _kept(file)
    if old and new and head == old:
        _keep(file, new, rows)




class RulesInTime:
    """The rules as they stood on a day (DESIGN §9: judgements that depend on the roster use it as it
    stood): each commit that changed `rules/` applies from its own day on; before the first, the
    first; after the last, the rules in the work tree (or those of `rev`, as of that commit's history).
    Each version is read once."""

    def __init__(self, root: str, current, rev: str | None = None):
        # current: the work tree's Rules (or `rev`'s), or what reads them when asked
        self.root, self._current, self.rev = root, current, rev
        self._days: list | None = None
        self._shas: list = []
        self._loaded: dict = {}

    def _versions(self):
        if self._days is None:
            try:
                if self.rev is None or self.rev == gitio.head(self.root):
                    commits = rule_commits(self.root)
                else:
                    commits = gitio.path_commits(self.root, "rules", head=self.rev) or []
            except gitio.GitError:
                commits = []
            rows = [(local_day(gitio.git_date(when)), sha) for sha, when in commits]
            self._days, self._shas = [], [s for _, s in rows]
            for day, _ in rows:      # in commit order; a clock that ran behind never reorders versions
                self._days.append(max(day, self._days[-1]) if self._days else day)
        return self._days

    @property
    def current(self) -> Rules:
        if callable(self._current):
            self._current = self._current()
        return self._current

    def key(self) -> str:
        """Which versions of the rules there are: part of what a judgement depends on."""
        self._versions()
        return hashlib.sha1(" ".join(self._shas).encode()).hexdigest()[:16]

    def on(self, day) -> Rules:
        days = self._versions()
        if len(days) < 2:
            return self.current
        i = max(bisect.bisect_right(days, day) - 1, 0)
        if i == len(days) - 1:
            return self.current
        sha = self._shas[i]
        if sha not in self._loaded:
            from .loader import load_rules_at
            self._loaded[sha] = load_rules_at(self.root, sha)
        return self._loaded[sha]
