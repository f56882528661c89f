"""`import` of an .xlsx register: what the one pass over the sheet's XML (merged cells, formulas without a saved
result) costs beside reading the rows, for a register without formulas and one whose every row holds one.

    python tools/bench/import_bench.py [ROWS]

CPU seconds (best of 3) and the ratio to reading the whole table, with the load average beside them.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from openpyxl import Workbook, load_workbook

from shouwen.publish import ledger_table

HEADER = ["登记日期", "登记时间", "发问人姓名", "联系办法", "发问事由", "被问责任人", "渠道", "办事事项"]


def cpu(fn, repeat=3) -> float:
    best = None
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best or 1e9, time.process_time() - t)
    return best


def sheet(path, rows, formula):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("登记簿")
    ws.append(HEADER)
    for i in range(rows):
        ws.append(["2026/11/27", "9:30", f"王五{i}", "13900000000", "咨询社会团体成立登记条件", "J005",
                   '=IF(A2="","","来电")' if formula else "来电", ""])
    wb.save(path)


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        for formula in (False, True):
            path = os.path.join(d, f"{formula}.xlsx")
            sheet(path, rows, formula)
            ws = load_workbook(path, read_only=True).worksheets[0]
            xml = cpu(lambda: ledger_table._sheet_xml(ws))
            whole = cpu(lambda: _read(path), repeat=1)
            print(f"{rows} rows, {'a formula in every row' if formula else 'no formula':<22} XML pass {xml:6.2f} s  "
                  f"reading the table {whole:6.2f} s  ratio {xml / whole:5.1%}  load {os.getloadavg()[0]:.1f}")


def _read(path):
    try:
        ledger_table.read_table(path)
    except Exception:       # the formulas' register is refused, after the same reading
        pass


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="import of an .xlsx register: the XML pass beside reading the rows")
    ap.add_argument("rows", nargs="?", type=int, default=50_000, help="rows of the register (default 50,000)")
    main(ap.parse_args().rows)
