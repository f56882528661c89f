"""The exported workbook's sheet kept as deflated runs of rows, which a few changed records patch (issue 15).

A quarter's .xlsx holds a hundred megabytes of sheet at 100,000 records, deflated to a few. What is kept is
the deflated runs themselves (RUN rows each, with their CRC-32 and size) and each row's key, not the rows'
text: a changed record's run is inflated, its row put in, and the run deflated again; the other runs are
neither read, hashed nor deflated. A row added or taken out moves the number of every row after it, so the
runs from there on are made again. Pure: no file is read here.
"""
from __future__ import annotations

import zlib
from bisect import bisect_left
from dataclasses import dataclass

RUN = 1024          # rows deflated together: after a change only the runs that hold it are deflated again


@dataclass
class Sheet:
    keys: list          # every row's key, in order (each unique: it ends with the record's path)
    where: dict         # path -> its row's key
    runs: list          # per RUN rows from the first: (raw deflate ending byte-aligned, CRC-32, size) of their text


def _start(n: int) -> bytes:
    """The n-th matter's row (sheet row n + 1, under the header) up to its own cells: its number."""
    return b'<row r="%d"><c s="2"><v>%d</v></c>' % (n + 1, n)


def deflated(data: bytes) -> bytes:
    """`data` as raw deflate (level 1: a hundred megabytes of sheet in a fraction of a second) ending on a
    byte boundary with no last block, so that such pieces joined, then an empty last block, are one stream."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


def _run(first: int, lines: list) -> tuple:
    """The run of `lines` (each a row's cells, as ledger_xlsx.row_xml makes them) from matter `first` on."""
    text = b"".join(b"".join((_start(n), line, b"</row>")) for n, line in enumerate(lines, first))
    return deflated(text), zlib.crc32(text), len(text)


def _lines(run: tuple) -> list:
    """A run's rows' cells again, from its deflated text (a row's own cells never hold "</row>": text is escaped)."""
    text = zlib.decompressobj(-15).decompress(run[0])
    return [row[row.index(b"</c>") + 4:] for row in text.split(b"</row>")[:-1]]


def _runs(first_run: int, lines: list) -> list:
    return [_run(first_run * RUN + i + 1, lines[i:i + RUN]) for i in range(0, len(lines), RUN)]


def build(items) -> Sheet:
    """From (path, key, row's cells) in any order."""
    items = sorted(items, key=lambda x: x[1])
    return Sheet([k for _, k, _ in items], {p: k for p, k, _ in items}, _runs(0, [line for _, _, line in items]))


def patch(sheet: Sheet, changes: dict) -> bool:
    """Apply `changes` (path -> (key, row's cells) now, or None: it has no row). False when the sheet does not
    agree with itself (then make it again)."""
    try:
        return _patch(sheet, changes)
    except (zlib.error, ValueError, TypeError, IndexError, AttributeError):     # a kept run that is not one
        return False


def _patch(sheet: Sheet, changes: dict) -> bool:
    keys, at = sheet.keys, {}
    changes = {p: new for p, new in changes.items() if new is not None or p in sheet.where}   # rowless before and now
    if not changes:
        return True
    for path, new in changes.items():
        old = sheet.where.get(path)
        if old is not None:
            i = bisect_left(keys, old)
            if i == len(keys) or keys[i] != old:
                return False
            at[path] = i
    if all(new is not None and path in at and new[0] == keys[at[path]] for path, new in changes.items()):
        for r in sorted({i // RUN for i in at.values()}):         # rows changed in place: their runs alone
            lines = _lines(sheet.runs[r])
            for path, i in at.items():
                if i // RUN == r:
                    lines[i % RUN] = changes[path][1]
            sheet.runs[r] = _run(r * RUN + 1, lines)
        return True
    # rows added, removed or moved: every row from the first of them on is numbered again
    lo = min([*at.values(), *(bisect_left(keys, new[0]) for new in changes.values() if new is not None)])
    first = lo // RUN
    tail_keys = keys[first * RUN:]
    tail = [line for run in sheet.runs[first:] for line in _lines(run)]
    if len(tail) != len(tail_keys):
        return False
    for path in changes:
        if path in at:
            del tail_keys[at[path] - first * RUN], tail[at[path] - first * RUN]
            for other, i in at.items():       # the rows after it moved up by one
                if i > at[path]:
                    at[other] = i - 1
            del sheet.where[path]
    for path, new in changes.items():
        if new is not None:
            i = bisect_left(tail_keys, new[0])
            if i < len(tail_keys) and tail_keys[i] == new[0]:
                return False
            tail_keys.insert(i, new[0])
            tail.insert(i, new[1])
            sheet.where[path] = new[0]
    sheet.keys = keys[:first * RUN] + tail_keys
    sheet.runs = sheet.runs[:first] + _runs(first, tail)
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
