"""The exported workbook is deflated in runs of rows, and a run kept from an earlier workbook is taken again
only when its text is the same: the file is byte for byte the one made from nothing, Excel's reader opens
it, and after one row changed only that row's run is deflated again."""
from __future__ import annotations

import io
import zipfile

import openpyxl

from shouwen.publish import ledger_xlsx
from shouwen.publish.ledger_io import COLUMNS


def _rows(n, changed=None):
    return [ledger_xlsx.row_xml([f"{'改' if i == changed else ''}第{i}行 {j}" for j in range(1, len(COLUMNS))])
            for i in range(n)]


def test_kept_runs_give_the_same_workbook_and_only_a_changed_run_is_deflated_again(monkeypatch):
    n = ledger_xlsx.RUN * 3 + 5
    runs = {}
    first = ledger_xlsx.workbook(_rows(n), runs)
    assert first == ledger_xlsx.workbook(_rows(n)) and len(runs) == 6      # the head, four runs, the end
    deflated = []
    real = ledger_xlsx._deflated
    monkeypatch.setattr(ledger_xlsx, "_deflated", lambda data: deflated.append(len(data)) or real(data))
    changed = _rows(n, changed=ledger_xlsx.RUN + 7)
    again = ledger_xlsx.workbook(changed, runs)
    sheet_runs = [d for d in deflated if d > 4096]          # the workbook's small parts are deflated every time
    assert len(sheet_runs) == 1
    monkeypatch.setattr(ledger_xlsx, "_deflated", real)
    assert again == ledger_xlsx.workbook(changed)
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert z.testzip() is None          # every member's CRC and size
    ws = openpyxl.load_workbook(io.BytesIO(again), read_only=True).active
    cells = list(ws.iter_rows(min_row=ledger_xlsx.RUN + 9, max_row=ledger_xlsx.RUN + 9, values_only=True))[0]
    assert cells[0] == ledger_xlsx.RUN + 8 and cells[1] == f"改第{ledger_xlsx.RUN + 7}行 1"


def test_a_kept_run_that_is_not_bytes_is_not_used():
    rows = _rows(10)
    fresh = ledger_xlsx.workbook(rows)
    runs = {}
    ledger_xlsx.workbook(rows, runs)
    assert ledger_xlsx.workbook(rows, {k: None for k in runs}) == fresh
