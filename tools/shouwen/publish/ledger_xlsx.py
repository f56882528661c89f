"""The exported ledger as an Excel workbook (.xlsx), written directly: each row's XML made once and kept
deflated in runs of rows (publish.row_runs), so a changed record remakes its run only (issue 15).

What openpyxl wrote before, in the same form: a bold frozen header row, column widths, every cell wrapped
at the top, dates as dates (yyyy-mm-dd) and the time as a time (hh:mm), phones and ids as text (inline
strings, never numbers). A row is kept without its number (the first column, the 序号 one: its cells carry no reference, each follows the
one before), which `workbook` fills in as it writes: the rows before it never change a row's text.
"""
from __future__ import annotations

import re
import struct
import zlib
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from .ledger_io import COLUMNS, DATE_COLUMNS
from .row_runs import Runs, deflated, sheet_crc

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Style ids in STYLES: 1 the header (bold), 2 text (wrapped at the top), 3 a date, 4 a time
HEADER, TEXT, DAY, CLOCK = 1, 2, 3, 4
_STYLE = [DAY if c in DATE_COLUMNS else CLOCK if c == "登记时间" else TEXT for c in COLUMNS]
_LETTERS = [chr(ord("A") + i) for i in range(len(COLUMNS))]
_WIDTHS = {"发问事由": 30, "办理结果或衔接情况": 40, "事件记录": 60, "地址": 24, "单位": 20, "事项编号": 20}
_EPOCH = date(1899, 12, 30)         # Excel's day 0 (its 1900 leap-year bug included)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")     # not allowed in XML 1.0

STYLES = (f'<styleSheet {_NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="hh:mm"/>'
          '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><name val="Calibri"/>'
          '<family val="2"/><sz val="11"/></font><font><b val="1"/></font></fonts><fills count="2"><fill>'
          '<patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
          '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
          'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" '
          'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0"/>'
          + "".join(f'<xf numFmtId="{f}" fontId="0" fillId="0" borderId="0" applyAlignment="1" xfId="0"'
                    f'{"" if f == 0 else " applyNumberFormat=" + chr(34) + "1" + chr(34)}><alignment vertical="top" '
                    'wrapText="1"/></xf>' for f in (0, 165, 164))
          + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types"><Default Extension="rels" '
                           f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
                           'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                           f'ContentType="{_CT}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                           f'ContentType="{_CT}.worksheet+xml"/><Override PartName="/xl/styles.xml" '
                           f'ContentType="{_CT}.styles+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
                   f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook {_NS} xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
                       '<sheets><sheet name="首问登记簿" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
                                  f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
                                  f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": STYLES,
}


def _cell(col: int, value) -> str:
    at = f's="{_STYLE[col]}"'          # no cell reference: each cell follows the one before (as OOXML allows)
    if value is None or value == "":        # an empty cell, as openpyxl wrote it
        return f"<c {at}/>"
    if isinstance(value, time):
        return f'<c {at}><v>{(value.hour * 3600 + value.minute * 60 + value.second) / 86400!r}</v></c>'
    if isinstance(value, date) and not isinstance(value, datetime):
        return f'<c {at}><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c {at}><v>{value!r}</v></c>'
    text = _ILLEGAL.sub("", str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c {at} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def row_xml(cells) -> bytes:
    """A row's cells, every column but the first, as the sheet holds them without the row's number."""
    return "".join(_cell(i, v) for i, v in enumerate(cells, 1)).encode("utf-8")


def _head() -> bytes:
    cols = "".join(f'<col min="{i}" max="{i}" width="{_WIDTHS.get(c, 12)}" customWidth="1"/>'
                   for i, c in enumerate(COLUMNS, 1))
    header = "".join(f'<c r="{_LETTERS[i]}1" s="{HEADER}" t="inlineStr"><is><t>{escape(c)}</t></is></c>'
                     for i, c in enumerate(COLUMNS))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}><sheetViews><sheetView '
            'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr '
            f'defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{header}</row>').encode("utf-8")


_FINAL = b"\x03\x00"   # an empty last block: deflated runs, each ending byte-aligned, joined into one stream
_DOS_DAY = 0x21       # 1980-01-01 00:00, every member's time: the same rows, the same bytes


def _zip(members: list) -> bytes:
    """A zip of (name, raw deflate, CRC-32, size) members, as zipfile writes one (no extra fields)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        n = name.encode("ascii")
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, _DOS_DAY, crc, len(data), size,
                               len(n), 0, 0, 0, 0, 0, len(out)) + n
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, _DOS_DAY, crc, len(data), size, len(n), 0) + n
        out += data
    return bytes(out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                                            len(central), len(out), 0))


def _piece(data: bytes) -> tuple:
    return deflated(data), zlib.crc32(data), len(data)


def workbook(sheet: Runs) -> bytes:
    """The workbook of a sheet's rows (publish.row_runs, form "xlsx"): its runs between the head and the end,
    each deflated on its own and joined into one stream; the sheet's CRC-32 combined from theirs."""
    pieces = [_piece(_head()), *(run[:3] for run in sheet.runs), _piece(b"</sheetData></worksheet>")]
    crc, size = sheet_crc((c, n) for _, c, n in pieces)
    members = []
    for name, data in PARTS.items():
        d, c, n = _piece(data.encode("utf-8"))
        members.append((name, d + _FINAL, c, n))
    return _zip(members + [("xl/worksheets/sheet1.xml", b"".join(d for d, _, _ in pieces) + _FINAL, crc, size)])
