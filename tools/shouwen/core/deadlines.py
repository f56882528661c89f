"""Deadline rules of the scheme (pure): forwarding, sign-off, promise, overdue, extension.

A deadline is a date and holds until the end of that working day (DESIGN §5).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .fold import State
from .problems import ERROR, WARNING, Problem
from .record import local_day, to_date, to_datetime
from .rules import PROMISED, Rules


@dataclass
class Deadlines:
    forward_by: date | None = None
    accept_by: date | None = None
    promise_by: date | None = None
    due: date | None = None          # promised (or, for a 即办件, implied) completion date
    overdue: bool = False
    next_deadline: date | None = None  # the soonest obligation still open, for worklists


def inquiry_deadlines(rid: str, path: str, events: list, s: State, service, rules: Rules,
                      today: date) -> tuple[Deadlines, list[Problem]]:
    cal, pol = rules.calendar, rules.policy
    out: list[Problem] = []
    dl = Deadlines()
    spans: list[tuple[date, date]] = []

    def p(code, msg, field=None, severity=None):
        out.append(Problem(code, msg, path=path, record=rid, field=field, severity=severity or ""))

    if s.registered_at is None:
        return dl, out
    reg = local_day(s.registered_at)

    # 转办: within forward_limit working days of registration (武威 第六条: 两个工作日内分送)
    dl.forward_by = cal.add(reg, pol.forward_limit)
    spans.append((reg, dl.forward_by))
    if s.routed_at is not None:
        if local_day(s.routed_at) > dl.forward_by:
            p("forward-late", f"登记于 {reg}，应在 {dl.forward_by} 前转办或答复，实际 {local_day(s.routed_at)}", "events")
    elif not s.closed and today > dl.forward_by:
        p("forward-late", f"登记于 {reg}，应在 {dl.forward_by} 前转办或答复，至今未办", "events")

    # 签收: each forwarding must be accepted (or returned) by the handler within sign_off_limit
    pending = None
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        action, at = ev.get("action"), to_datetime(ev.get("at"))
        if at is None:
            continue
        if action == "forwarded":
            sent = local_day(at)
            pending = (i, cal.add(sent, pol.sign_off_limit))
            spans.append((sent, pending[1]))
        elif action in ("accepted", "returned", "answered", "explained") and pending:
            if local_day(at) > pending[1]:
                p("accept-late", f"转办后应在 {pending[1]} 前签收，实际 {local_day(at)}", f"events[{i}]")
            pending = None
    if pending and not s.closed:
        dl.accept_by = pending[1]
        if today > pending[1]:
            p("accept-late", f"转办后应在 {pending[1]} 前签收，至今未签收", f"events[{pending[0]}]")

    # 承诺: an accepted 承诺件 needs a promised date within the service's limits
    if s.accepted_at is not None:
        acc = local_day(s.accepted_at)
        if service is not None:
            limit = cal.add(acc, service.promised_days)
            legal = cal.add(acc, service.legal_days)
            # the limits only matter (and only need the calendar) once a date is promised
            if s.due is not None or s.completed_at is None:
                spans.append((acc, limit))
            if s.extensions:
                spans.append((acc, legal))
            for i, ev in enumerate(events):
                if not isinstance(ev, dict) or ev.get("action") not in ("promised", "extended"):
                    continue
                due = to_date(ev.get("due"))
                if due is None:
                    continue
                if ev["action"] == "promised" and due > limit:
                    p("promise-exceeds-limit", f"承诺 {due} 超过《{service.name}》承诺时限 {service.promised_days} 个工作日（最迟 {limit}）",
                      f"events[{i}].due")
                elif due > legal:
                    p("promise-exceeds-limit", f"办结日期 {due} 超过《{service.name}》法定时限 {service.legal_days} 个工作日（最迟 {legal}）",
                      f"events[{i}].due")
            if service.kind == PROMISED and s.due is None and s.completed_at is None and not s.closed:
                dl.promise_by = cal.add(acc, pol.promise_limit)
                if today > dl.promise_by:
                    p("promise-missing", f"承诺件于 {acc} 受理，应在 {dl.promise_by} 前承诺办结时限，至今未承诺", "events")
            if s.due is None and service.kind != PROMISED:
                dl.due = limit   # a 即办件 is due within its own limit without a promise
        if s.due is not None:
            dl.due = s.due

    # 延期: only before the old due date
    cur = None
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        action = ev.get("action")
        if action == "promised":
            cur = to_date(ev.get("due"))
        elif action == "returned":
            cur = None
        elif action == "extended":
            at = to_datetime(ev.get("at"))
            if cur is not None and at is not None and local_day(at) > cur:
                p("extension-late", f"延期登记于 {local_day(at)}，已过原办结日期 {cur}；延期须在到期前办理",
                  f"events[{i}].at")
            cur = to_date(ev.get("due")) or cur

    # 差评回访: a bad rating (1–2 of 5) is followed up within followup_limit working days
    if s.rating in pol.bad_ratings and s.rated_at is not None:
        rated = local_day(s.rated_at)
        by = cal.add(rated, pol.followup_limit)
        spans.append((rated, by))
        after = [f for f in s.followups if f >= s.rated_at]
        if after:
            if local_day(after[0]) > by:
                p("followup-late", f"{rated} 评价为{pol.satisfaction.get(s.rating, s.rating)}，应在 {by} 前回访，实际 {local_day(after[0])}", "events")
        elif today > by:
            p("followup-late", f"{rated} 评价为{pol.satisfaction.get(s.rating, s.rating)}，应在 {by} 前回访，至今未回访", "events")

    if dl.due and s.completed_at is None and not s.closed and today > dl.due:
        dl.overdue = True
        p("overdue", f"应于 {dl.due} 办结，至今未办结（已超 {cal.count(dl.due, today)} 个工作日）", "events")

    if not s.closed:
        opens = [d for d in (dl.accept_by, dl.promise_by,
                             dl.forward_by if s.routed_at is None else None,
                             dl.due if s.completed_at is None else None) if d]
        dl.next_deadline = min(opens) if opens else None

    years = sorted({y for a, b in spans for y in cal.uncovered_years(a, b)})
    for y in years:
        p("calendar-uncovered",
          f"{y} 年的法定节假日安排不在日历数据中，暂按周一至周五计算工作日；请在 rules/calendar.yml 的 years.{y} 中填写当年安排，或升级 chinesecalendar",
          "events", ERROR if pol.calendar_strict else WARNING)
    return dl, out
