"""Reading a 首问登记簿 someone kept: its rows by column name, from an .xlsx or a .csv, as the spreadsheet
shows them (row numbers, merged cells, a title above the header, dates that lost their format), and never more
than a register can be (file size, unzipped size, rows, columns, merged cells)."""
from __future__ import annotations

import csv
import os
import re
from collections import Counter

from ..core.problems import InputError
from ..core.quote import quoted
from .ledger_io import from_csv_cell

MAX_IMPORT_BYTES = 20 << 20     # a year's ledger of a large office is a few MB
MAX_IMPORT_ROWS = 100_000


def read_table(path) -> list[dict]:
    """Rows as dicts by column name, from .xlsx or .csv (UTF-8, with or without BOM)."""
    if not os.path.isfile(path):
        raise InputError(f"找不到文件 {path}")
    if os.path.getsize(path) > MAX_IMPORT_BYTES:
        raise InputError(f"{path} 过大（上限 {MAX_IMPORT_BYTES // (1 << 20)} MB）；请分几个文件导入")
    if path.lower().endswith((".xlsx", ".xlsm")):
        table = _workbook_table(path)
    elif path.lower().endswith(".csv"):
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                table = []
                for n, r in enumerate(reader, 1):         # the row number a spreadsheet shows
                    if len(r) > MAX_COLUMNS:        # a register is read to MAX_COLUMNS, as the .xlsx is
                        if any(c.strip() for c in r[MAX_COLUMNS:]):
                            raise InputError(f"{path} 第 {n} 行超过 {MAX_COLUMNS} 列，不是登记簿；请检查后再导入")
                        r = r[:MAX_COLUMNS]
                    table.append((n, [from_csv_cell(c) for c in r]))
                    if len(table) > MAX_IMPORT_ROWS + 1:        # the header, then the rows
                        raise InputError(f"{path} 超过 {MAX_IMPORT_ROWS} 行；请分几个文件导入")
        except UnicodeDecodeError:
            raise InputError(f"{path} 不是 UTF-8 编码的 CSV{_gbk(path)}；请在 Excel/WPS 中另存为“CSV UTF-8”") from None
        except csv.Error as e:      # a cell over csv's limit (128 KB), a stray NUL…
            raise InputError(f"{path} 第 {reader.line_num} 行无法读取：{'单元格过长' if 'larger' in str(e) else e}")
    else:
        raise InputError(f"{path}：只支持 .xlsx 和 .csv")
    if not table:
        raise InputError(f"{path} 是空的")
    return _rows(path, table)


def _gbk(path) -> str:
    """What a Chinese Windows saves as plain “CSV（逗号分隔）”: GBK, said when the bytes read so."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    for end in (len(head), len(head) - 1):          # the 64 KB may end inside a character
        try:
            text = head[:end].decode("gb18030")
            break
        except UnicodeDecodeError:
            continue
    else:
        return ""
    return "（是 GBK 编码，Excel/WPS 的“CSV（逗号分隔）”默认如此）" if "发问人姓名" in text else ""


REQUIRED_COLUMNS = ("发问人姓名", "发问事由", "被问责任人", "登记日期")
MAX_COLUMNS = 256       # an exported register has 21
HEADER_WITHIN = 10      # rows above the header: a title, the office, a blank line


MAX_UNZIPPED_BYTES = 400 << 20    # a 100,000-row register unzips to about 100 MB; a zip bomb to gigabytes


def _workbook_table(path) -> list[list]:
    """The register's rows from the first sheet holding its header (within its first rows: offices put a
    title above it and notes on other sheets); rows formatted but empty are not rows."""
    import zipfile
    from openpyxl import load_workbook
    try:
        with zipfile.ZipFile(path) as z:         # sizes as the zip declares them; reading stops at them
            unzipped = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unzipped = 0                             # openpyxl says what is wrong with it, below
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError(f"{path} 解压后过大（{unzipped >> 20} MB，上限 {MAX_UNZIPPED_BYTES >> 20} MB）；请分几个文件导入")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:      # openpyxl raises many kinds for a damaged file
        why = "不是 .xlsx 格式（可能是旧的 .xls 或改了扩展名的文件）" if isinstance(e, zipfile.BadZipFile) else "文件已损坏"
        raise InputError(f"{path} 不是可读的 Excel 文件：{why}；请在 Excel/WPS 中另存为 .xlsx 后再导入") from None
    seen = False
    try:
        for ws in wb.worksheets:
            table, found = [], False
            # read-only sheets yield gaps as rows and pad each to the sheet's declared width (16,384 for a
            # styled cell in column XFD): a register is read to MAX_COLUMNS
            for n, r in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
                if not any(r):
                    continue                            # a gap, or only blanks and zeros: no row of a register
                row = ["" if v is None else v for v in r]
                while row and row[-1] == "":
                    row.pop()
                if not any(str(v).strip() for v in row):
                    continue                            # formatted but empty, or a blank line
                seen = True
                if not found:
                    header = {str(v).strip() for v in row}
                    found = all(c in header for c in REQUIRED_COLUMNS)
                    if not found and len(table) >= HEADER_WITHIN:
                        break
                    table = [(n, row)] if found else table + [(n, row)]
                    continue
                table.append((n, row))
                if len(table) > MAX_IMPORT_ROWS + 1:
                    raise InputError(f"{path} 超过 {MAX_IMPORT_ROWS} 行；请分几个文件导入")
            if found:
                return _unmerge(path, ws, table)
        if not seen:
            return []
        sheets = "、".join(ws.title for ws in wb.worksheets)
        raise InputError(f"{path} 的工作表（{sheets}）前 {HEADER_WITHIN} 行中都没有登记簿的列名行"
                         f"（须有 {'、'.join(REQUIRED_COLUMNS)}）")
    except InputError:
        raise
    except Exception:       # a read-only sheet's XML is parsed as its rows are read: damage shows only here
        raise InputError(f"{path} 不是可读的 Excel 文件：工作表已损坏；请在 Excel/WPS 中打开后另存为 .xlsx 再导入") from None
    finally:
        wb.close()


MAX_MERGED_CELLS = 1_000_000


# a cell holding a formula (<f>…</f>, or a shared formula's <f …/>), and its saved result if any (<v>…</v>)
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
                           rb'(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>)?')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_ROW_END = re.compile(rb'</(?:\w+:)?row>')


def _sheet_xml(ws) -> tuple[list, list]:
    """What a read-only sheet does not give: its merged ranges (it does not parse <mergeCell>) and the cells
    whose formula has no saved result (it gives them as empty), read from the sheet's XML in one pass, a run of
    whole rows at a time (so that no cell or tag is cut by a chunk's end)."""
    try:
        source = ws._get_source()
    except Exception:
        return [], []
    merges, unsaved, rest = [], [], b""

    def scan(text):
        merges.extend(m.group(1) for m in _MERGE.finditer(text))
        if b"<f" in text or b":f" in text:         # most registers hold no formula: skip the cells' scan
            unsaved.extend(m.group(1) for m in _FORMULA_CELL.finditer(text) if _unsaved(m))
    with source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            text = rest + chunk
            ends = [m.end() for m in _ROW_END.finditer(text, max(0, len(text) - len(chunk) - 16))]
            cut = ends[-1] if ends else 0
            scan(text[:cut])
            rest = text[cut:]
    scan(rest)
    return merges, unsaved


def _unsaved(m) -> bool:
    """No result saved with the formula: no <v>, or an empty one that is not a saved empty text (t="str")."""
    if m.group(2) is None:
        return True
    return not (m.group(3) or "").strip() and not re.search(rb'\bt="(?:str|s|inlineStr)"', m.group(1))


def _refuse_unsaved(path, ws, table: list, cells: list) -> None:
    """A formula a program wrote and no spreadsheet ever calculated reads as empty: its value is not in the file,
    so the row would be imported without it, silently."""
    from openpyxl.utils import coordinate_to_tuple, get_column_letter
    header = [str(h).strip() for h in table[0][1]]
    found = []
    for attrs in cells:
        ref = re.search(rb'\br="([A-Z]+[0-9]+)"', attrs)
        try:
            r, c = coordinate_to_tuple(ref.group(1).decode()) if ref else (0, 0)
        except ValueError:
            continue
        if r >= table[0][0] and 1 <= c <= len(header):
            found.append(f"第 {r} 行 {get_column_letter(c)} 列（{header[c - 1] or '无列名'}）")
    if found:
        more = f"等 {len(found)} 处" if len(found) > 10 else ""
        raise InputError(f"{path} 工作表{quoted(ws.title)}的公式没有保存计算结果：{'、'.join(found[:10])}{more}"
                         "（文件由程序生成，未在 Excel、WPS 或 LibreOffice 中打开保存过，这些单元格读出来是空的）；"
                         "请在其中打开并保存后再导入，未写入任何内容")


def _unmerge(path, ws, table: list) -> list:
    """A merged cell (a visitor's name over the two rows of his two matters) holds its value in every row it
    covers, as the sheet shows it: openpyxl's read-only sheets leave all but the first empty. A formula with no
    saved result is refused (_refuse_unsaved)."""
    from openpyxl.utils import range_boundaries
    refs, unsaved = _sheet_xml(ws)
    _refuse_unsaved(path, ws, table, unsaved)
    at = {n: row for n, row in table}
    width, filled = len(table[0][1]), 0
    for ref in dict.fromkeys(refs):
        try:
            c0, r0, c1, r1 = range_boundaries(ref.decode())
        except ValueError:      # a reference past the sheet's last column (AAAA1): no cell of the register
            continue
        first = at.get(r0)
        value = first[c0 - 1] if first is not None and c0 - 1 < len(first) else ""
        for r in range(max(r0, table[0][0] + 1), min(r1, table[-1][0]) + 1):
            row = at.get(r)
            for c in range(c0 - 1, min(c1, width)):
                if row is None or r == r0 and c == c0 - 1:
                    continue
                row.extend([""] * (c + 1 - len(row)))
                row[c] = value
                filled += 1
                if filled > MAX_MERGED_CELLS:
                    raise InputError(f"{path} 的合并单元格过多（超过 {MAX_MERGED_CELLS} 格）；请取消合并后再导入")
    return table


class Row(dict):
    """One row of the register by column name, with its number as the spreadsheet shows it."""
    number = 0


def _row(n: int, cells: dict) -> Row:
    row = Row(cells)
    row.number = n
    return row


def _rows(path, table) -> list[dict]:
    header = [str(h).strip() for h in table[0][1]]
    twice = sorted(h for h, k in Counter(header).items() if h and k > 1)
    if twice:       # which of the two columns holds the value? neither is taken silently
        raise InputError(f"{path} 第 {table[0][0]} 行列名重复：{'、'.join(twice)}；请删去或改名后再导入")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path} 第 {table[0][0]} 行缺少列：{'、'.join(missing)}")
    return [_row(n, zip(header, r)) for n, r in table[1:] if any(str(x).strip() for x in r)]
