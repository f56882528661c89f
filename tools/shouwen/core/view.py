"""A matter as the clerk reads it (pure): who came, how to reach them, where it stands, what
happened, in Chinese words. `show` prints it; the desk page renders it."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

from .clock import UNITS, Clock
from .clock import zh_day as _zh_day
from .corrections import event_words
from .fold import ACTION_ZH, STAGE_ZH
from .names import CHANNELS
from .problems import ERROR, problem_values
from .record import to_datetime, zh_moment
from .steps import describe


def zh_day(d: date | None) -> str:
    """2026年11月29日, or nothing for no date."""
    return _zh_day(d) if d else ""


def zh_time(v) -> str:
    """A moment as people read it (record.zh_moment), from any value a record holds; else the value as it is."""
    at = to_datetime(v)
    return str(v or "") if at is None else zh_moment(at)


def summary(count: int, when, problems) -> str:
    """The last line of `check` (and of the pre-commit hook): how many records, errors and warnings."""
    return summary_of(count, when, [problem_values(p) for p in problems])


def summary_of(count: int, when, values: list) -> str:
    """summary() of problems.problem_values; `when`, a day or a moment, as people read it (in Beijing time)."""
    from collections import Counter
    from operator import itemgetter
    counts = Counter(map(itemgetter(0), values))        # each code in the order it first comes
    detail = "，".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda x: -x[1]))
    nerr = list(map(itemgetter(5), values)).count(ERROR)
    when = zh_moment(when) if isinstance(when, datetime) else zh_day(when) if isinstance(when, date) else when
    return (f"检查 {count} 件记录（{when}）：{nerr} 个错误，{len(values) - nerr} 个警告" +
            (f"（{detail}）" if detail else ""))


def days_left(rules, today: date, due: date, clock: Clock | None = None) -> str:
    """'还有 3 个工作日' / '今天到期' / '已超期 2 个工作日', or '还有 2 天' on a clock of calendar days."""
    if due == today:
        return "今天到期"
    if clock is not None and clock.unit == "days":
        return f"还有 {(due - today).days} 天" if due > today else f"已超期 {(today - due).days} 天"
    if due > today:
        return f"还有 {rules.calendar.count(today, due)} 个工作日"
    return f"已超期 {rules.calendar.count(due, today)} 个工作日"


def hours_left(at: datetime, now: datetime, rules=None, clock: Clock | None = None) -> str:
    """'还有 3 小时' / '已超期 1 小时' (minutes under an hour), for a deadline on an hour clock; on one counted within
    service hours, the hours the window is open as the deadline counts them: '还有 3 个工作小时'."""
    late = now > at                     # by the wall clock: past a deadline at closing time is late all night
    secs = abs((at - now).total_seconds())
    unit = "小时"
    if clock is not None and rules is not None and not clock.round_the_clock:
        secs = 3600 * (clock.elapsed(rules.calendar, at, now) if late else clock.elapsed(rules.calendar, now, at))
        unit = "个工作小时"
    h, m = divmod(int(secs) // 60, 60)
    span = f"{h} {unit}" if h else f"{m} 分钟"
    return f"已超期 {span}" if late else f"还有 {span}"


def _deadline(rules, today: date, now: datetime | None, day: date, at: datetime | None, clock: Clock) -> str:
    if at is not None and now is not None:
        return f"{zh_time(at)}，{hours_left(at, now, rules, clock)}"
    return f"{zh_day(day)}，{days_left(rules, today, day, clock)}"


def _clocks(rules, svc) -> tuple[Clock, Clock]:
    """(the scheme's clock, the service's): the limits to forward, sign off and promise run on the first, the
    service's own limit (`办结期限`) on the second (core.deadlines)."""
    scheme = rules.policy.clock or Clock()
    return scheme, (svc.clock if svc is not None and svc.clock else scheme)


def clerk_view(entry, rules, today: date, now: datetime | None = None) -> dict:
    """`now`: the moment it is read at, so a deadline on an hour clock is told in hours."""
    from .worklist import next_moment
    rec, st, dl = entry.record, entry.state, entry.deadlines
    m = rec.meta
    visitor = m.get("visitor") if isinstance(m.get("visitor"), dict) else {}
    svc = rules.service_for(m.get("service"))
    rows = [("发问人", visitor.get("name", "")), ("联系电话", visitor.get("phone", "")),
            ("单位", visitor.get("organization", "")), ("地址", visitor.get("address", "")),
            ("发问事由", m.get("matter", "")),
            ("办事事项", f"{svc.name}（{svc.kind}）" if svc else (m.get("service") or "一般咨询")),
            ("渠道", (CHANNELS.get(m.get("channel")) or (m.get("channel"),))[0]),
            ("查询码", m.get("code", "")),
            ("首问责任人", rules.who(m.get("first_responder")))]
    if getattr(entry, "voided", None):
        rows.insert(0, ("已作废", entry.voided.reason))
    if st is not None:
        rows.append(("当前阶段", st.status_zh + ("（已结束）" if st.closed else "") + (f"，第 {st.round} 轮（重办）" if st.round > 1 else "")))
        if st.handler:
            rows.append(("承办", rules.who(st.handler)))
        scheme, own = _clocks(rules, svc)
        if dl and dl.due:
            day, _, left = _deadline(rules, today, now, dl.due, dl.times.get("due"), own).partition("，")
            mark = "（暂定）" if "due" in dl.provisional else ""
            rows.append(("办结期限", day + mark + ("" if st.completed_at else f"，{left}")))
        if dl and dl.suspended:
            rows.append(("暂停计时", f"{dl.suspended:g} {UNITS[(rules.policy.clock or Clock()).unit]}，期限已相应顺延"))
        elif dl and dl.next_deadline and not st.closed:
            at = next_moment(st, dl)
            due_next = at is not None and dl.times.get("due") == at or at is None and dl.next_deadline == dl.due
            day, _, left = _deadline(rules, today, now, dl.next_deadline, at, own if due_next else scheme).partition("，")
            mark = "（暂定）" if any(getattr(dl, n, None) == dl.next_deadline for n in dl.provisional) else ""
            rows.append(("下一期限", f"{day}{mark}，{left}"))
        if st.rating is not None:
            rows.append(("评价", f"{st.rating} 分（{rules.policy.satisfaction.get(st.rating, '')}）"))
    events = []
    imp = rec.meta.get("imported")
    imported = imp.get("events", 0) if isinstance(imp, dict) else 0    # the first n came from a paper ledger
    for i, ev in enumerate(rec.events):
        if isinstance(ev, dict):
            # a correction names the field and masks personal values, as history and the JSON do
            detail = event_words(ev) if ev.get("action") == "corrected" else describe(ev, rules)
            if i < imported:
                detail = f"{detail or ''}  【导入】".strip()
            events.append({"at": zh_time(ev.get("at")), "action": ACTION_ZH.get(ev.get("action"), ev.get("action")),
                           "by": rules.who(ev.get("by")), "detail": detail})
    return {"id": rec.id, "rows": [(k, v) for k, v in rows if v not in (None, "")], "events": events,
            "problems": [p.line() for p in entry.problems]}


def width(text: str) -> int:
    """Columns a terminal gives `text`: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def table(headers: list[str], rows: list[list]) -> list[str]:
    """Aligned text columns with a header row, for `list`, `todo` and `find` (the last column is left ragged)."""
    cells = [table_cells(r) for r in [headers, *rows]]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    return [table_line(r, widths) for r in cells]


def table_cells(row: list) -> list[str]:
    return [str(c if c is not None else "") for c in row]


def table_line(cells: list[str], widths: list[int]) -> str:
    """One row of `table` when its columns are `widths` wide."""
    return "  ".join(c + " " * (widths[i] - width(c)) if i < len(cells) - 1 else c for i, c in enumerate(cells)).rstrip()


def matter_row(item, rules) -> list:
    """编号、阶段、期限、说明、承办、发问事由 for one worklist item."""
    e = item.entry
    st = e.state
    return [e.record.id, st.status_zh, zh_time(item.at) if item.at else zh_day(item.due), item.why, rules.who(st.handler),
            e.record.meta.get("matter", "")]


MATTER_HEADERS = ["编号", "阶段", "期限", "说明", "承办", "发问事由"]


def materials_lines(materials: list, service) -> list[str]:
    """一次性告知 as the clerk reads it out: each material with original or copy, copies, where it comes from."""
    detail = {str(m.get("名称")): m for m in (service.materials if service else []) if isinstance(m, dict)}
    out = [f"请一次性告知来访人以下 {len(materials)} 项材料："]
    for i, name in enumerate(materials, 1):
        m = detail.get(str(name), {})
        extra = "，".join(str(x) for x in (m.get("类型"), f"{m['份数']} 份" if m.get("份数") else None,
                                           None if m.get("必要", True) else "非必需", m.get("来源")) if x)
        out.append(f"  {i}. {name}" + (bracketed(extra) if extra else ""))
    return out


INNER = str.maketrans("（）", "［］")


def bracketed(text: str) -> str:
    """The text in full-width brackets, any bracket within it written as square ones (GB/T 15834 4.9.3:
    `括号里还要用括号，里层用方括号`)."""
    return f"（{text.translate(INNER)}）"
