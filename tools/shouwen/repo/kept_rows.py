"""The table `todo` or `list` shows (core.rows_delta.Rows), its JSON list (core.items_delta.Items) or the rows
of a quarter's exported ledger (publish.row_runs.Runs), kept
under .shouwen/, so that after a few records changed only their rows are made again (issue 15).

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
    def __init__(self, root: str, tree, in_time, day: date, moment: datetime | None, parts: tuple, kind="rows"):
        super().__init__(root, tree, in_time, day, moment, kind, parts)

    def patched(self, rules_of, patch):
        """The kept value patched for what changed since, or None. `patch(value, entries, rules)` applies the
        changed records' entries ({path: its entry now, None if gone}) to it, False when it can't."""
        found = self.changed(rules_of)
        if found is None:
            return None
        value, entries, rules, again = found
        if entries and not patch(value, entries, rules):
            return None
        if again:
            self.save(value)
        return value

    def keep(self, rules, rows):
        """Keep Rows made from the whole ledger (None: nothing to keep)."""
        if rows is not None and self.keeps(rules):
            self.save_new(rules, rows)
