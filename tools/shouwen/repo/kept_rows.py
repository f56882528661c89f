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

from .answers import MISSING, keep, read_kept
from .summary import SAVE_FROM, changed_now, changed_since, entries_now, hour_clock, kept_file, summary_key


class KeptRows:
    def __init__(self, root: str, tree, in_time, day: date, moment: datetime | None, parts: tuple):
        self.root, self.tree, self.in_time, self.day, self.moment = root, tree, in_time, day, moment
        key = summary_key(root, in_time, day)
        self.key = None if key is None else f"{key}:{parts!r}"
        self.file = kept_file(root, "rows", self.key)

    def patched(self, rules_of, row_of):
        """The kept Rows patched for what changed since, or None. `row_of(entry, rules)`: (key, cells) of the
        entry's row, None when it has none, False when it can't be kept."""
        if self.key is None:
            return None
        kept = read_kept(self.file, self.key)
        if kept is MISSING or not isinstance(kept, tuple) or len(kept) != 4:
            return None
        head, over, rows, hourly = kept
        if hourly and self.moment is not None:
            return None
        found = changed_since(self.root, self.tree, head, over)
        if found is None:
            return None
        judged, now_over = found
        if judged:
            from ..core.rows_delta import patch
            rules = rules_of()
            rules_on = self.in_time.on if self.in_time is not None else None
            changes = {}
            for p, e in entries_now(self.root, self.tree, judged, rules, self.moment or self.day, rules_on).items():
                changes[p] = None if e is None or e.voided is not None else row_of(e, rules)
                if changes[p] is False:
                    return None
            if not patch(rows, changes):
                return None
        here = self.tree.status().head
        if head != here or len(judged) >= SAVE_FROM:
            keep(self.file, self.key, (here, now_over, rows, hourly))
        return rows

    def keep(self, rules, rows):
        """Keep Rows made from the whole ledger (None: nothing to keep)."""
        hourly = hour_clock(rules)
        if self.key is None or rows is None or (hourly and self.moment is not None):
            return
        now = changed_now(self.tree)
        if now is not None:
            keep(self.file, self.key, (self.tree.status().head, {p: v for p, v in now.items() if v[0] != v[1]}, rows,
                                       hourly))
