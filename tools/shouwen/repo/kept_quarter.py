"""A quarter's assessment of a commit kept under .shouwen/ as its sums (core.quarter_sums), so that the
bulletin of a later commit is the kept one patched for the records that differ between the two (issue 15).

Kept as (the commit, the sums) under what the sums follow from besides the records: the judging key (the
code, the commit's rules and their history), this module's code, the quarter and the day it is assessed
as of. Another commit's bulletin asks `git diff-tree` which record files differ from the kept commit,
judges each changed record's two versions and moves its share from the one to the other (and the share of
any record whose id stopped or started being a duplicate). Whatever it can't name exactly (a commit it
can't read, a symlink, too many changes, a patch core.quarter_sums can't keep) goes to the whole ledger
(repo.index), whose entries make the sums anew. Only a cache: `bulletin --no-cache` gives the same text.
"""
from __future__ import annotations

import hashlib
import os

from . import gitio, store
from .answers import MISSING, judging_key, keep, read_kept
from .summary import MAX_CHANGES, _prune, kept_file


def quarter_key(rules, in_time, qn) -> str | None:
    jk = judging_key(rules, in_time)
    if jk is None:
        return None
    with open(os.path.abspath(__file__), "rb") as fh:
        code = hashlib.sha1(fh.read()).hexdigest()
    return f"{jk}:{code}:{qn.label}:{qn.as_of.isoformat()}"


class KeptQuarter:
    """The sums of the quarter `qn` (core.quarter_sums.Question) for the commits of `root`, judged by the
    commit's `rules` and their history `in_time`."""

    def __init__(self, root: str, rules, in_time, qn):
        self.root, self.rules, self.in_time, self.qn = root, rules, in_time, qn
        self.key = quarter_key(rules, in_time, qn)
        self.file = kept_file(root, "quarter", self.key)
        self.sums = None

    def quarter(self, sha: str):
        """The quarter of commit `sha` from the kept sums, patched when they were kept for another commit;
        None when there are none that can be followed."""
        from ..core.quarter_sums import Sums, finish, patch
        kept = read_kept(self.file, self.key) if self.key is not None else MISSING
        if kept is MISSING or not isinstance(kept, tuple) or len(kept) != 2 or not isinstance(kept[1], Sums):
            return None
        old, sums = kept
        if old != sha:
            changes = self._changes(old, sha)
            if changes is None or not patch(sums, self.qn, changes, lambda paths: self._entries(sha, paths)):
                return None
            self._save(sha, sums)
        return finish(sums, self.qn)

    def _changes(self, old: str, sha: str) -> dict | None:
        """path -> (its entry in `old` or None, its entry in `sha` or None) of the record files that differ."""
        moved = gitio.tree_changes(self.root, old, sha, store.RECORDS)
        if moved is None or len(moved) > MAX_CHANGES:
            return None
        if any("120000" in (m_old, m_new) for _, m_old, m_new, _, _ in moved):
            return None
        moved = [(p, b_old, b_new) for p, _, _, b_old, b_new in moved if p.endswith(".md")]
        blobs = gitio.cat_files(self.root, sorted({b for _, *bs in moved for b in bs if b is not None}))
        if any(b is not None and b not in blobs for _, *bs in moved for b in bs):
            return None
        return {p: (self._entry(p, blobs[b_old]) if b_old else None, self._entry(p, blobs[b_new]) if b_new else None)
                for p, b_old, b_new in moved}

    def _entries(self, sha: str, paths: list) -> dict:
        """path -> its entry in `sha`, of record files there."""
        blobs = gitio.cat_files(self.root, [f"{sha}:{p}" for p in paths])
        return {p: self._entry(p, blobs[f"{sha}:{p}"]) for p in paths if f"{sha}:{p}" in blobs}

    def _entry(self, path: str, data: bytes):
        from ..core.ledger import evaluate
        from ..core.record import as_it_stood
        rec = store.parse_checked(path, data)
        return evaluate(as_it_stood(rec, self.qn.as_of) if self.qn.mid else rec, self.rules, self.qn.as_of,
                        self.qn.rules_on)

    def keeper(self, sha: str):
        """What repo.index.load_ledger calls with the commit's entries before judging them: their sums are
        kept (and left in `self.sums`). None when nothing may be kept."""
        if self.key is None:
            return None

        def summarize(entries):
            from ..core.quarter_sums import summed
            from .index_rows import one_at_a_time
            self.sums = summed(entries, self.qn, one_at_a_time)
            if self.sums is not None:
                self._save(sha, self.sums)
        return summarize

    def _save(self, sha: str, sums):
        if keep(self.file, self.key, (sha, sums)):
            _prune(os.path.dirname(self.file), "quarter")
