"""A table of matters (`todo`, `list`) kept as its lines, which a few changed records patch (pure; issue 15).

`view.table` pads every column to its widest cell, so a row's line depends on the other rows only through
the columns' widths. Kept: each row's line in display order with its sort key, the widths, and how many
cells of each width each column has; a changed record takes its old row out and puts its new one in by
its key. Should that change a column's width, every line would move: `patch` then says so, and the table
is made again from the ledger. The rows' paths, keys and cell widths are one text of lines, searched,
never split (a hundred thousand rows are read back in a few milliseconds).

The same keeps a list of texts with no columns (`todo`/`list --format json`: each matter's JSON object as
it stands in the list, core.items_delta): no head, no widths, so a patch never refuses for width.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from .blocks import Blocks
from .view import table_cells, table_line, width


@dataclass
class Rows:
    keys: Blocks        # each row's sort key, in display order
    lines: Blocks       # each row's line as view.table renders it at `widths`
    where: str          # "\n{path}\t{key, or nothing when it is the path}\t{its cells' widths, comma-separated}" of
    #                     every row, then "\n"
    head: list | None   # the header row's cells; None: rows are texts of their own (no columns)
    widths: list
    counts: list        # per column: {width: how many cells that wide}, the header's included


def todo_key(due: date | None, rid: str | None, path: str) -> str:
    """core.worklist's order (the soonest deadline first, then the id; entries in path order) as text."""
    return f"{(due or date.max).toordinal():07d}\0{rid or ''}\0{path}"


def _key_text(path: str, key: str) -> str:
    """A row's key as `where` says it: nothing for `list`'s, which is the path (5 MB less at 100,000 rows)."""
    return "" if key == path else key


def keepable(path: str, key: str) -> bool:
    """Whether a row of `path` at `key` can be kept in the rows' text."""
    return _fits(path, key.replace("\0", ""))


def _fits(*texts) -> bool:
    return all("\t" not in t and "\n" not in t and "\0" not in t for t in texts)


US = "\x1f"         # between a row's cells while the table is made (a row with a cell holding it stays a list)


class Builder:
    """Rows made a row at a time, in any order (`done` puts them in their keys' order): until the widths are
    known each row is held as one text of its cells (a hundred thousand rows), and its line of `where` (which
    is searched, in no order) is written as it comes."""

    def __init__(self, head: list):
        self.head = table_cells(head)
        self.counts = [{width(c): 1} for c in self.head]
        self.rows: list = []        # (key, cells) of each row
        self.where, self.lines = [], []     # `where` in pieces of PIECE rows; the rows' lines of the piece not yet joined
        self.fits = True            # False: a path or key can't be kept in the text (the table is shown, not kept)

    PIECE = 4096

    def add(self, path: str, key: str, cells: list):
        cells = table_cells(cells)
        ws = [width(c) for c in cells]
        for col, w in enumerate(ws):
            self.counts[col][w] = self.counts[col].get(w, 0) + 1
        self.fits = self.fits and _fits(path, key.replace("\0", ""))
        self.rows.append((key, cells if any(US in c for c in cells) else US.join(cells)))
        self.lines.append(f"\n{path}\t{_key_text(path, key)}\t{','.join(map(str, ws))}")
        if len(self.lines) == self.PIECE:
            self.where.append("".join(self.lines))
            self.lines = []

    def done(self, spool=None) -> Rows:
        """`spool`: where the lines' joined blocks go instead of memory (core.blocks.Blocks.made)."""
        rows, self.rows = self.rows, None
        if any(rows[j][0] > rows[j + 1][0] for j in range(len(rows) - 1)):
            rows.sort(key=lambda r: r[0])
        widths = [max(c) for c in self.counts]
        keys = Blocks(r[0] for r in rows)
        lines = Blocks.made(_lines(rows, widths), spool)
        where = "".join(self.where + self.lines) + "\n"      # once the rows are let go: their memory for it
        self.where = self.lines = None
        return Rows(keys, lines, where, self.head, widths, self.counts)


def _lines(rows: list, widths: list):
    """Each row's line, the row let go as it is made."""
    for j, (_, cells) in enumerate(rows):
        rows[j] = None
        yield table_line(cells.split(US) if isinstance(cells, str) else cells, widths)


def build(head: list, rows: list) -> Rows | None:
    """From (path, key, cells) in display order; None when a path or key can't be kept in the text."""
    made = Builder(head)
    for path, key, cells in rows:
        made.add(path, key, cells)
    return made.done() if made.fits else None


def build_texts(rows: list) -> Rows | None:
    """From (path, key, text) in display order: rows that are texts of their own, no columns."""
    if not all(_fits(path, key.replace("\0", "")) for path, key, _ in rows):
        return None
    return Rows(Blocks(k for _, k, _ in rows), Blocks(t for _, _, t in rows),
                "".join(f"\n{path}\t{key}\t" for path, key, _ in rows) + "\n", None, [], [])


def _take(r: Rows, path: str) -> bool:
    """Take the row of `path` out (if there is one); False when the rows don't agree with themselves."""
    i = r.where.find(f"\n{path}\t")
    if i < 0:
        return True
    end = r.where.index("\n", i + 1)
    key, ws = r.where[i + len(path) + 2:end].split("\t")
    key = key or path
    at = bisect_left(r.keys, key)
    if at == len(r.keys) or r.keys[at] != key:
        return False
    del r.keys[at], r.lines[at]
    for col, w in enumerate(map(int, ws.split(",")) if ws else ()):
        r.counts[col][w] -= 1
        if not r.counts[col][w]:
            del r.counts[col][w]
    r.where = r.where[:i] + r.where[end:]
    return True


def patch(r: Rows, changes: dict) -> bool:
    """Apply `changes` (path -> (key, cells) of its row now, or None: no row); False when a column's width
    changes (or a path or key can't be kept): make the table again."""
    for path in changes:
        if not _take(r, path):
            return False
    for path, row in changes.items():
        if row is None:
            continue
        key, cells = row
        if not _fits(path, key.replace("\0", "")):
            return False
        cells = table_cells(cells) if r.head is not None else cells
        ws = [width(c) for c in cells] if r.head is not None else []
        for col, w in enumerate(ws):
            r.counts[col][w] = r.counts[col].get(w, 0) + 1
        at = bisect_left(r.keys, key)
        r.keys.insert(at, key)
        r.lines.insert(at, table_line(cells, r.widths) if r.head is not None else cells)
        r.where += f"{path}\t{_key_text(path, key)}\t{','.join(map(str, ws))}\n"
    return [max(c) for c in r.counts[:-1]] == r.widths[:-1]       # the last column is left ragged


def lines(r: Rows) -> list[str]:
    """view.table's lines: the header row, then each row; none without rows (as view.table gives)."""
    return [table_line(r.head, r.widths), *r.lines] if len(r.lines) else []


def text(r: Rows) -> list:
    """The same lines, each followed by a line end, as pieces (core.blocks.Pieces): the header row's text, then
    the rows' Blocks, never joined into one text; none without rows."""
    return [table_line(r.head, r.widths) + "\n", r.lines] if len(r.lines) else []
