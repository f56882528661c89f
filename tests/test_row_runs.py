"""A quarter's exported ledger is kept as runs of finished rows (publish.row_runs): patched for a few changed
records the workbook and the CSV are byte for byte those made from nothing, Excel's reader opens the
workbook, and after one row changed in place only that row's run is made again (the others are not even
inflated or split)."""
from __future__ import annotations

import io
import os
import zipfile
import zlib

import openpyxl

from shouwen.publish import ledger_xlsx, row_runs
from shouwen.publish.ledger_io import COLUMNS, csv_file, csv_line

RUN = row_runs.RUN


def _item(i, text="", key=None):
    path = f"records/inquiries/2026/08/r{i:06d}.md"
    cells = ledger_xlsx.row_xml([f"{text}第{i}行 {j}" for j in range(1, len(COLUMNS))])
    return path, key or f"{i:08d}\0{path}", cells


def _sheet(items, form="xlsx"):
    if form == "csv":
        items = [(p, k, csv_line([c.decode("utf-8")])) for p, k, c in items]
    return row_runs.build(form, list(items))


def _cells(book: bytes, row: int):
    ws = openpyxl.load_workbook(io.BytesIO(book), read_only=True).active
    return list(ws.iter_rows(min_row=row, max_row=row, values_only=True))[0]


def test_a_row_changed_in_place_deflates_its_run_alone(monkeypatch):
    n = RUN * 3 + 5
    items = [_item(i) for i in range(n)]
    sheet = _sheet(items)
    deflated, inflated = [], []
    real_deflated, real_lines = row_runs.deflated, row_runs._lines
    monkeypatch.setattr(row_runs, "deflated", lambda data: deflated.append(len(data)) or real_deflated(data))
    monkeypatch.setattr(row_runs, "_lines", lambda *a: inflated.append(a) or real_lines(*a))
    path, key, cells = _item(RUN + 7, "改")
    assert row_runs.patch(sheet, {path: (key, cells), "records/inquiries/2026/10/other.md": None})
    book = ledger_xlsx.workbook(sheet)
    assert len([d for d in deflated if d > 4096]) == 1 and len(inflated) == 1
    monkeypatch.setattr(row_runs, "deflated", real_deflated)
    items[RUN + 7] = (path, key, cells)
    assert book == ledger_xlsx.workbook(_sheet(items))
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        assert z.testzip() is None          # every member's CRC and size
    got = _cells(book, RUN + 9)             # matter RUN + 8 under the header
    assert got[0] == RUN + 8 and got[1] == f"改第{RUN + 7}行 1"


def test_rows_added_removed_or_moved_number_the_rows_after_them_again():
    items = [_item(i) for i in range(0, RUN * 2 + 40, 2)]        # even numbers: room between them
    sheet = _sheet(items)
    new = _item(RUN + 1)                                          # registered among the others
    moved = _item(10, "改", key=f"{RUN * 3:08d}\0{_item(10)[0]}")  # its key now sorts last
    gone = items[RUN // 2 + 3][0]
    assert row_runs.patch(sheet, {new[0]: new[1:], moved[0]: moved[1:], gone: None})
    final = [it for it in items if it[0] not in (gone, moved[0])] + [new, moved]
    want = _sheet(final)
    assert ledger_xlsx.workbook(sheet) == ledger_xlsx.workbook(want) and sheet.keys == want.keys
    assert sheet.where == want.where
    book = ledger_xlsx.workbook(sheet)
    assert _cells(book, len(final) + 1)[1] == "改第10行 1"


def test_a_sheet_that_does_not_agree_with_itself_is_refused():
    items = [_item(i) for i in range(10)]
    sheet = _sheet(items)
    sheet.where[items[3][0]] = "no such key"
    assert not row_runs.patch(sheet, {items[3][0]: None})
    sheet = _sheet(items)
    assert not row_runs.patch(sheet, {"records/x.md": (items[4][1], items[4][2])})     # a key taken twice
    sheet = _sheet(items)
    sheet.runs[0] = (b"not deflate", *sheet.runs[0][1:])
    assert not row_runs.patch(sheet, {items[4][0]: (items[4][1], items[4][2])})


def test_an_empty_sheet_and_rows_into_it():
    sheet = _sheet([])
    empty = ledger_xlsx.workbook(sheet)
    assert _cells(empty, 1)[0] == COLUMNS[0]
    items = [_item(i) for i in range(3)]
    assert row_runs.patch(sheet, {p: (k, c) for p, k, c in items})
    assert ledger_xlsx.workbook(sheet) == ledger_xlsx.workbook(_sheet(items))


def test_the_sheets_crc_is_combined_from_its_pieces():
    pieces = [os.urandom(n) for n in (0, 1, 777, 5000, 3 << 20)]
    assert row_runs.sheet_crc((zlib.crc32(p), len(p)) for p in pieces) == (zlib.crc32(b"".join(pieces)),
                                                                             sum(map(len, pieces)))


def test_the_csv_is_kept_the_same_way():
    """Its rows hold quoted line breaks, so a run is split by each row's size, never by its lines."""
    items = [_item(i) for i in range(0, RUN + 30, 2)]
    items[5] = (items[5][0], items[5][1], "多行\n第二行".encode("utf-8"))
    kept = _sheet(items, "csv")
    assert b"".join(csv_file(kept)).count("\n第二行".encode("utf-8")) == 1
    new, changed = _item(7), (items[RUN // 2 + 1][0], items[RUN // 2 + 1][1], "改了".encode("utf-8"))
    assert row_runs.patch(kept, {new[0]: (new[1], csv_line([new[2].decode("utf-8")])),
                                 changed[0]: (changed[1], csv_line(["改了"])), items[3][0]: None})
    final = [changed if it[0] == changed[0] else it for it in items if it[0] != items[3][0]] + [new]
    want = _sheet(final, "csv")
    assert b"".join(csv_file(kept)) == b"".join(csv_file(want)) and kept.keys == want.keys
    rows = b"".join(csv_file(kept)).decode("utf-8-sig").splitlines()
    assert rows[0].startswith(COLUMNS[0]) and rows[1].startswith("1,") and rows[-1].startswith(f"{len(final)},")
