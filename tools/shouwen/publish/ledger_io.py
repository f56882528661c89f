"""The 首问登记簿 as a spreadsheet, both ways: rows from records (export) and records from rows (import).

The seed's columns (发问人姓名, 单位, 地址, 联系办法, 发问事由, 被问责任人, 办理结果或衔接情况) with
dates and deadlines beside them, and one last column, 事件记录, holding the record's events as the
events in Chinese, one line per event (publish/ledger_lines), so a re-import gives back the same records. A ledger kept
elsewhere (a paper ledger typed into Excel) may leave that column empty: each row then becomes a
registration, with the result as a note. Pure but for the CSV text: the files, openpyxl and the writer are the CLI's.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone

from ..core.clock import zh_day
from ..core.fold import ACTION_ZH, STAGE_ZH
from ..core.ids import CODE_RE, parse_id
from ..core.names import channel_names, service_names, staff_names
from ..core.record import CST, Record, local_day, to_datetime, typed_trouble
from ..core.view import bracketed
from .ledger_lines import event_cell, event_chunks, read_event
from ..core.quote import quoted

COLUMNS = ["序号", "登记日期", "登记时间", "事项编号", "查询码", "渠道", "发问人姓名", "单位", "地址", "联系办法",
           "发问事由", "办事事项", "被问责任人", "办理结果或衔接情况", "承办科室", "转办期限", "承诺办结日期",
           "办结日期", "状态", "备注", "事件记录"]
REQUIRED = ["登记日期", "发问人姓名", "发问事由", "被问责任人"]
CHANNEL_ZH = {"visit": "来访", "phone": "来电", "letter": "来信", "online": "网上"}
DATE_COLUMNS = ("登记日期", "转办期限", "承诺办结日期", "办结日期")
BADGE_IN = re.compile(r"([A-Z][A-Z0-9]{1,9})[)）]?\s*$")


def _day(d):
    return d if d else None


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?)?$")


def ledger_day(value) -> tuple[date, time | None] | None:
    """A date as offices type it: a date cell, 2026-11-27, 2026/11/27, 2026.11.27, 2026年11月27日,
    with or without a time (2026-11-27 09:30); None when it is none of these."""
    if isinstance(value, datetime):
        return value.date(), (value.time().replace(second=0, microsecond=0) if value.time() != time(0) else None)
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    m = _DATE.match(str(value or "").strip())
    if not m:
        return None
    y, mo, d, h, mi = m.groups()
    try:
        return date(int(y), int(mo), int(d)), (time(int(h), int(mi)) if h is not None else None)
    except ValueError:
        return None


EXCEL_EPOCH = datetime(1899, 12, 30)      # Excel's day 0 (as its 1900 leap-year bug makes it from March 1900 on)


def _serial(value) -> tuple[date, time | None] | None:
    """A date cell that lost its 日期 format holds Excel's serial number: 46329 is `2026年11月3日`,
    46329.3958 that day at 09:30 (a number outside the years a record may hold is no date)."""
    if not 25569 <= value < 401769:           # 1970-01-01 … 2999-12-31
        return None
    at = EXCEL_EPOCH + timedelta(days=round(value * 1440) / 1440)
    return at.date(), (at.time() if at.time() != time(0) else None)


def _clock(value) -> time | None:
    if isinstance(value, float) and 0 <= value < 1:     # a time cell that lost its format: a fraction of a day
        minutes = round(value * 1440)
        return time(minutes // 60, minutes % 60) if minutes < 1440 else None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    m = re.match(r"(\d{1,2})\s*[:：时点]\s*(\d{2})", str(value or "").strip())     # 09:30(:00), 9点30, 9时30分
    return time(int(m.group(1)), int(m.group(2))) if m and int(m.group(1)) < 24 and int(m.group(2)) < 60 else None


def outcome(entry, rules) -> str:
    """办理结果或衔接情况, in a clerk's words, from the events."""
    parts = []
    for ev in entry.record.events:
        if not isinstance(ev, dict):
            continue
        a = ev.get("action")
        if a == "answered":
            parts.append(f"当场答复：{ev.get('answer', '')}")
        elif a in ("referred", "forwarded"):
            parts.append(f"{ACTION_ZH[a]}至{rules.who(ev.get('staff') or ev.get('to'))}")
        elif a == "explained":
            parts.append(f"解释：{ev.get('reason', '')}")
        elif a == "completed":
            parts.append(f"办结：{ev.get('result', '')}")
        elif a == "delivered":
            parts.append(f"送达：{ev.get('method', '')}")
    return "；".join(parts)


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def row_key(entry) -> str:
    """Where a matter's row stands in the ledger: by registration, then id, then path (the ledger's order),
    as text that sorts so (kept for a hundred thousand rows, text is read back far faster than times)."""
    st, rec = entry.state, entry.record
    at = (st.registered_at - _EARLIEST) // timedelta(microseconds=1) if st.registered_at else 0
    return f"{at:020d}\0{(rec.id or '').replace(chr(0), '')}\0{rec.path}"


def row_cells(entry, rules) -> list:
    """A matter's row, every column but the first (the 序号 column: its number in the ledger)."""
    rec, st, dl = entry.record, entry.state, entry.deadlines
    v = rec.meta.get("visitor") or {}
    reg = st.registered_at.astimezone(CST) if st.registered_at else None
    svc = rules.service_for(rec.meta.get("service"))
    return [reg.date() if reg else None, reg.time().replace(second=0, tzinfo=None) if reg else None, rec.id,
            str(rec.meta.get("code", "")), CHANNEL_ZH.get(rec.meta.get("channel"), str(rec.meta.get("channel", ""))),
            str(v.get("name", "")), str(v.get("organization", "")), str(v.get("address", "")), str(v.get("phone", "")),
            str(rec.meta.get("matter", "")), svc.name if svc else "", rules.who(st.first_responder), outcome(entry, rules),
            rules.dept_name(st.handler_department) if st.handler_department else "",
            _day(dl.forward_by if dl else None), _day(st.due),
            _day(local_day(st.completed_at) if st.completed_at else None),
            status_cell(entry), rec.body.strip(),
            event_cell(rec.events, rules)]


VOID_MARK = "已作废"


def status_cell(entry) -> str:
    """`状态`: the stage, or `已作废（reason）` for a voided registration, which keeps its row: a ledger is evidence."""
    st, void = entry.state, entry.voided
    if void is not None:
        return VOID_MARK + bracketed(void.reason) if void.reason else VOID_MARK
    return STAGE_ZH.get(st.stage, st.stage or "")


def in_ledger(entry, start: date, end: date) -> bool:
    """Whether the entry is a matter registered from `start` to `end` (a row of the ledger exported, voided or not)."""
    st = entry.state
    return entry.record.kind == "inquiries" and st is not None and \
        st.registered_at is not None and start <= local_day(st.registered_at) <= end


def rows(entries, rules, progress=lambda done, total: None) -> list[list]:
    """The rows of the entries' matters in the ledger's order, numbered."""
    todo = sorted((e for e in entries if e.record.kind == "inquiries" and e.state is not None), key=row_key)
    out = []
    for n, e in enumerate(todo, 1):
        progress(n, len(todo))
        out.append([n, *row_cells(e, rules)])
    return out


def text(v) -> str:
    """A typed cell as CSV text: 2026-11-27, 09:30."""
    if isinstance(v, time):
        return v.strftime("%H:%M")
    return "" if v is None else str(v)


# A cell Excel or WPS would run as a formula (=HYPERLINK(…) typed as a visitor's name): written with a leading
# apostrophe, which makes the spreadsheet read it as text (some show the apostrophe) and `import` takes off again
# (CSV injection). A value that starts with apostrophes before such a character gets one more, so it comes back.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(s: str) -> str:
    return "'" + s if s.lstrip("'").startswith(FORMULA_START) else s


def from_csv_cell(s: str) -> str:
    """What `csv_cell` wrote, as it was."""
    return s[1:] if s.startswith("'") and s.lstrip("'").startswith(FORMULA_START) else s


def csv_line(cells) -> bytes:
    """A row as the CSV file holds it, without its number (publish.row_runs puts it in front)."""
    buf = io.StringIO(newline="")
    csv.writer(buf).writerow(["", *(csv_cell(text(c)) for c in cells)])
    return buf.getvalue().encode("utf-8")


def csv_file(rows) -> list[bytes]:
    """The ledger as a CSV file (UTF-8 with the BOM that tells Excel so) of its rows' runs (publish.row_runs,
    form "csv": each row made by `csv_line`, numbered), in pieces to write one after another (a hundred
    megabytes at 100,000 records: not copied into one)."""
    buf = io.StringIO(newline="")
    csv.writer(buf).writerow(COLUMNS)
    return [("\ufeff" + buf.getvalue()).encode("utf-8"), *(run[0] for run in rows.runs)]


# what a formula that failed leaves in its cell (and a CSV saved from it): never a name, a matter or a date
EXCEL_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"))


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column = column


def record_from_row(row: dict, rules, new_code) -> Record:
    """One ledger row as a record (not yet validated against the rules). Raises RowError."""
    def cell(k):
        v = row.get(k)
        if isinstance(v, float) and v.is_integer():
            v = int(v)                      # a phone number Excel stored as a number
        return "" if v is None else str(v).strip()

    for k, v in row.items():
        if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
            raise RowError(k, f"单元格是 Excel 的错误值 {v.strip()}（公式出错），请改正后再导入")
    registered = ledger_day(row.get("登记日期"))

    for k in REQUIRED:
        if not cell(k):
            raise RowError(k, f"缺少{k}")
    m = BADGE_IN.search(cell("被问责任人"))
    badge = m.group(1) if m else staff_names(rules).find(cell("被问责任人"))     # a badge, or a name (李明)
    if badge not in rules.staff:
        raise RowError("被问责任人", f"{quoted(cell('被问责任人'))}中没有名册上的工号（应写作 姓名（工号） 或 工号）")
    events_text = cell("事件记录")
    if events_text:
        events = []
        for line in event_chunks(events_text):
            try:
                events.append(read_event(line))
            except ValueError as e:
                raise RowError("事件记录", f"事件{quoted(line, 40)}：{e}") from None
    else:
        if registered is None:
            why = typed_trouble(cell("登记日期"))
            raise RowError("登记日期", f"日期{quoted(cell('登记日期'))}" + (f"不对：{why}" if why else
                                                                   "格式不对（应如 2026-11-27、2026/11/27 或 2026年11月27日）"))
        if not 1970 <= registered[0].year <= 2999:      # what a record's event time may hold (schema.Time)
            raise RowError("登记日期", f"日期{quoted(cell('登记日期'))}不在1970年至2999年之间")
        if not registered[1] and cell("登记时间") and _clock(row.get("登记时间")) is None:
            raise RowError("登记时间", f"时间{quoted(cell('登记时间'))}格式不对（应如 09:30，00:00 到 23:59）")
        clock = registered[1] or _clock(row.get("登记时间")) or time(9, 0)
        at = datetime.combine(registered[0], clock, tzinfo=CST)
        events = [{"at": at, "by": badge, "action": "registered"}]
        if cell("办理结果或衔接情况"):
            events.append({"at": at, "by": badge, "action": "note", "text": cell("办理结果或衔接情况")})
    first = events[0] if events else {}
    at = to_datetime(first.get("at"))
    if first.get("action") != "registered" or at is None:
        raise RowError("事件记录", "第一条事件应为 registered（登记），且有时间")
    rid = cell("事项编号")
    if rid:
        parsed = parse_id(rid)
        if parsed is None or parsed[0] != "inquiries":
            raise RowError("事项编号", f"编号{quoted(rid)}格式不对（应为 YYYYMMDD-工号-序号）")
        if (parsed[1], parsed[2]) != (local_day(at), badge):      # the registration's day and first responder
            raise RowError("事项编号", f"编号 {rid} 与登记日期 {zh_day(local_day(at))}、"
                                      f"被问责任人 {badge} 不符（编号应为 {local_day(at):%Y%m%d}-{badge}-序号）")
    code = cell("查询码") or new_code()
    if not CODE_RE.match(code):
        raise RowError("查询码", f"查询码{quoted(code)}应为 6 位（不含 0、O、1、I）")
    channel = channel_names().find(cell("渠道")) if cell("渠道") else "visit"
    if channel is None:
        raise RowError("渠道", channel_names().refusal(cell("渠道")))
    service = None
    if cell("办事事项"):
        service = service_names(rules).find(cell("办事事项"))
        if service is None:
            raise RowError("办事事项", service_names(rules).refusal(cell("办事事项")))
    visitor = {k: cell(col) for k, col in (("name", "发问人姓名"), ("organization", "单位"), ("address", "地址"),
                                            ("phone", "联系办法")) if cell(col)}
    meta = {"id": rid or None, "code": code, "channel": channel, "first_responder": badge, "visitor": visitor,
            "matter": cell("发问事由")}
    if service:
        meta["service"] = service
    meta["events"] = events
    body = cell("备注")
    return Record("", meta, body + "\n" if body else "")


def register_html(data: list[list], institution: dict, period: str = "") -> str:
    """The printable 首问登记簿 (A4 landscape) with the seed's columns, from the export's rows."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    env = Environment(loader=PackageLoader("shouwen", "templates/print"), autoescape=select_autoescape(["html", "j2"]))
    table = []
    for row in data:
        r = dict(zip(COLUMNS, row))
        d = r["登记日期"]
        r["登记日期"] = f"{d.year}年{d.month}月{d.day}日" if d else ""
        r["作废"] = r["状态"] if str(r["状态"]).startswith(VOID_MARK) else ""
        table.append(r)
    void = sum(1 for r in table if r["作废"])
    return env.get_template("ledger.html.j2").render(inst=institution, rows=table, period=period, void=void)
