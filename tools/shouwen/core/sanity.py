"""Write-time sanity (pure): what the audit would call an error is refused before it is written.

`now` is passed in (the core reads no clock). An event later than now (beyond a small tolerance for
clocks that disagree) is impossible; one older than the policy's late-entry grace is a 补录 and must
say why （`late_reason`, shown as 补录）. A promise falls between its acceptance and the legal limit.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .clock import zh_day
from .problems import Problem
from .record import Record, local_day, to_date, to_datetime, zh_moment

FUTURE_TOLERANCE = timedelta(minutes=10)
LATE_MARK = "补录"


def _at(ev) -> datetime | None:
    return to_datetime(ev.get("at")) if isinstance(ev, dict) else None


def event_time_problems(rec: Record, index: int, policy, now: datetime) -> list[Problem]:
    """The new event `rec.events[index]` against the clock: not in the future, not late without a reason."""
    ev = rec.events[index]
    at = _at(ev)
    if at is None:
        return []
    where = dict(path=rec.path, record=rec.id, field=f"events[{index}].at")
    if at - now > FUTURE_TOLERANCE:
        return [Problem("future-dated", f"事件时间 {zh_moment(at)} 晚于现在 {zh_moment(now)}，"
                        "不能登记尚未发生的事", **where)]
    grace = timedelta(hours=policy.late_entry_grace_hours)
    if now - at > grace and not ev.get("late_reason"):
        return [Problem("backdated", f"事件时间 {zh_moment(at)} 早于现在超过补录宽限 {policy.late_entry_grace_hours} 小时"
                        "（rules/policy.yml limits.late_entry_grace_hours）；确需补录请用 --late-reason 说明理由", **where)]
    return []


def is_late_entry(at: datetime, policy, now: datetime) -> bool:
    """Entered after the policy's late-entry grace: a 补录, which must say why. Only such an event keeps a
    reason (one left in SHOUWEN_LATE_REASON for a session of 补录 never marks what is entered on time)."""
    return now - at > timedelta(hours=policy.late_entry_grace_hours)


def import_time_problems(rec: Record, policy, now: datetime) -> list[Problem]:
    """An imported ledger's events keep their dates, but none after the import nor before the scheme."""
    out = []
    for i, ev in enumerate(rec.events):
        at = _at(ev)
        if at is None:
            continue
        where = dict(path=rec.path, record=rec.id, field=f"events[{i}].at")
        if at - now > FUTURE_TOLERANCE:
            out.append(Problem("future-dated", f"事件时间 {zh_moment(at)} 晚于导入时间", **where))
        elif policy.effective and local_day(at) < policy.effective:
            out.append(Problem("field-invalid", f"事件时间 {zh_day(local_day(at))} 早于本制度施行日期 {zh_day(policy.effective)}"
                               "（rules/policy.yml 中的 effective）", **where))
    return out


def promise_problems(rec: Record) -> list[Problem]:
    """A promised or extended date before the day the matter was (last) accepted is impossible."""
    out, accepted = [], None
    for i, ev in enumerate(rec.events):
        if not isinstance(ev, dict):
            continue
        if ev.get("action") == "accepted" and _at(ev) is not None:
            accepted = local_day(_at(ev))
        elif ev.get("action") in ("promised", "extended") and accepted is not None:
            due = to_date(ev.get("due"))
            if due is not None and due < accepted:
                out.append(Problem("event-order", f"办结日期 {zh_day(due)} 早于受理日期 {zh_day(accepted)}",
                                   path=rec.path, record=rec.id, field=f"events[{i}].due"))
    return out
