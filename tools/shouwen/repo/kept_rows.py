"""The table `todo` or `list` shows, kept under .shouwen/ (core.rows_delta.Rows), so that after a few records
changed only their rows are made again (issue 15).

Kept as repo.summary keeps the whole-ledger judgement: under the judging key, the day and the command's
own arguments, for one commit and the record files that then differed from it; a later work tree is
compared with it by `git status` (and `git diff-tree` when HEAD moved), the changed records are judged,
their old rows taken out and their new ones put in. Whatever can't be told exactly, or a column that
changes width, goes back to the whole ledger (the index), which keeps the table anew. Only a cache.
"""
from __future__ import annotations

from datetime import date, datetime

from .summary import Following


class KeptRows(Following):
    """`kind`: the kind of table (its file's name); core.rows_delta's Rows, or another that a `patch` of
    the same kind (rows, {path: its row now, None for none}) -> bool patches (core.keyed_lines: the rows of
    an exported ledger)."""

    def __init__(self, root: str, tree, in_time, day: date, moment: datetime | None, parts: tuple, kind: str = "rows"):
        super().__init__(root, tree, in_time, day, moment, kind, parts)

    def patched(self, rules_of, row_of, patch=None):
        """The kept Rows patched for what changed since, or None. `row_of(entry, rules)`: (key, cells) of the
        entry's row, None when it has none, False when it can't be kept."""
        found = self.changed(rules_of)
        if found is None:
            return None
        rows, entries, rules, again = found
        if entries:
            if patch is None:
                from ..core.rows_delta import patch
            changes = {p: None if e is None or e.voided is not None else row_of(e, rules) for p, e in entries.items()}
            if False in changes.values() or not patch(rows, changes):
                return None
        if again:
            self.save(rows)
        return rows

    def keep(self, rules, rows):
        """Keep Rows made from the whole ledger (None: nothing to keep)."""
        if rows is not None and self.keeps(rules):
            self.save_new(rules, rows)
