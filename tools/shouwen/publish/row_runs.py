"""A quarter's exported ledger kept as runs of finished rows, which a few changed records patch (issue 15).

At 100,000 records a quarter's CSV is a hundred megabytes, and the .xlsx holds as much sheet, deflated to a
few. What is kept is each row's key and the rows as the file holds them (numbered), RUN rows to a run with
each row's size (the sheet's runs deflated, with their CRC-32): a changed record's run alone is split into
rows again, its row put in and the run made again; the other runs are neither split, hashed nor deflated,
and the file is their join. A row added or taken out moves the number of every row after it, so the runs
from there on are made again. Pure: no file is read here.
"""
from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from dataclasses import dataclass

RUN = 1024          # rows to a run: after a change only the runs that hold it are made again


@dataclass
class Runs:
    form: str           # "csv": the rows as the CSV file holds them; "xlsx": the sheet's rows, deflated
    keys: list          # every row's key, in order (each unique: it ends with the record's path)
    where: dict         # path -> its row's key
    runs: list          # per RUN rows: (their text, deflated for "xlsx"; its CRC-32 ("xlsx"); its size; each row's size)


def _ends(form: str, n: int) -> tuple[bytes, bytes]:
    """What the n-th matter's row holds around its own cells (ledger_io.csv_line, ledger_xlsx.row_xml): its
    number (the sheet's row n + 1, under the header)."""
    return (b"%d" % n, b"") if form == "csv" else (b'<row r="%d"><c s="2"><v>%d</v></c>' % (n + 1, n), b"</row>")


def deflated(data: bytes) -> bytes:
    """`data` as raw deflate (level 1: a hundred megabytes of sheet in a fraction of a second) ending on a
    byte boundary with no last block, so that such pieces joined, then an empty last block, are one stream."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


def _run(form: str, first: int, lines: list) -> tuple:
    """The run of `lines` (each a row's cells) from matter `first` on."""
    rows = []
    for n, line in enumerate(lines, first):
        head, tail = _ends(form, n)
        rows.append(b"".join((head, line, tail)))
    text = b"".join(rows)
    sizes = array("I", map(len, rows))
    return (deflated(text), zlib.crc32(text), len(text), sizes) if form == "xlsx" else (text, 0, len(text), sizes)


def _lines(form: str, first: int, run: tuple) -> list:
    """A run's rows' cells again (ValueError: they are not what `_run` made)."""
    text = zlib.decompressobj(-15).decompress(run[0]) if form == "xlsx" else run[0]
    out, at = [], 0
    for n, size in enumerate(run[3], first):
        row, at = text[at:at + size], at + size
        head, tail = _ends(form, n)
        if not (row.startswith(head) and row.endswith(tail)) or len(row) < len(head) + len(tail):
            raise ValueError(f"row {n}")
        out.append(row[len(head):len(row) - len(tail)])
    if at != len(text):
        raise ValueError("size")
    return out


def _runs(form: str, first_run: int, lines: list) -> list:
    return [_run(form, first_run * RUN + i + 1, lines[i:i + RUN]) for i in range(0, len(lines), RUN)]


def build(form: str, items) -> Runs:
    """From (path, key, row's cells) in any order."""
    items = sorted(items, key=lambda x: x[1])
    return Runs(form, [k for _, k, _ in items], {p: k for p, k, _ in items},
                _runs(form, 0, [line for _, _, line in items]))


def patch(kept: Runs, changes: dict) -> bool:
    """Apply `changes` (path -> (key, row's cells) now, or None: it has no row). False when the runs do not
    agree with themselves (then make them again)."""
    try:
        return _patch(kept, changes)
    except (zlib.error, ValueError, TypeError, IndexError, AttributeError):     # a kept run that is not one
        return False


def _patch(kept: Runs, changes: dict) -> bool:
    keys, at = kept.keys, {}
    changes = {p: new for p, new in changes.items() if new is not None or p in kept.where}   # rowless before and now
    if not changes:
        return True
    for path, new in changes.items():
        old = kept.where.get(path)
        if old is not None:
            i = bisect_left(keys, old)
            if i == len(keys) or keys[i] != old:
                return False
            at[path] = i
    if all(new is not None and path in at and new[0] == keys[at[path]] for path, new in changes.items()):
        _in_place(kept, at, changes)
        return True
    return _renumbered(kept, at, changes)


def _in_place(kept: Runs, at: dict, changes: dict) -> None:
    """Rows changed where they stand: their runs alone are made again."""
    for r in sorted({i // RUN for i in at.values()}):
        lines = _lines(kept.form, r * RUN + 1, kept.runs[r])
        for path, i in at.items():
            if i // RUN == r:
                lines[i % RUN] = changes[path][1]
        kept.runs[r] = _run(kept.form, r * RUN + 1, lines)


def _renumbered(kept: Runs, at: dict, changes: dict) -> bool:
    """Rows added, removed or moved: every row from the first of them on is numbered again."""
    keys = kept.keys
    lo = min([*at.values(), *(bisect_left(keys, new[0]) for new in changes.values() if new is not None)])
    first = lo // RUN
    tail_keys = keys[first * RUN:]
    tail = [line for r, run in enumerate(kept.runs[first:], first) for line in _lines(kept.form, r * RUN + 1, run)]
    if len(tail) != len(tail_keys):
        return False
    for path in changes:
        if path in at:
            del tail_keys[at[path] - first * RUN], tail[at[path] - first * RUN]
            for other, i in at.items():       # the rows after it moved up by one
                if i > at[path]:
                    at[other] = i - 1
            del kept.where[path]
    for path, new in changes.items():
        if new is not None:
            i = bisect_left(tail_keys, new[0])
            if i < len(tail_keys) and tail_keys[i] == new[0]:
                return False
            tail_keys.insert(i, new[0])
            tail.insert(i, new[1])
            kept.where[path] = new[0]
    kept.keys = keys[:first * RUN] + tail_keys
    kept.runs = kept.runs[:first] + _runs(kept.form, first, tail)
    return True


def sheet_crc(pieces) -> tuple[int, int]:
    """(CRC-32, size) of the pieces' texts joined, from each piece's (CRC-32, size), without their text:
    crc(a + b) = crc(a + zeros) ^ crc(b) ^ crc(zeros), zeros as long as b (CRC-32 is affine in its input)."""
    crc, size, zeros = 0, 0, None
    for c, n in pieces:
        if zeros is None or len(zeros) < n:
            zeros = memoryview(bytes(max(n, 1 << 21)))
        crc, size = zlib.crc32(zeros[:n], crc) ^ c ^ zlib.crc32(zeros[:n]), size + n
    return crc, size
