"""Clocks (pure): how a scheme counts its limits.

Three units, per scheme (policy.yml `clock`) or per service (the service's `clock`):

- `workdays`: working days on the official calendar (State Council schedule plus calendar.yml);
  a deadline is a date and holds to the end of that day (武威 第六条: 两个工作日内);
- `days`: calendar days;
- `hours`: hours within service hours, e.g. a hotel desk open round the clock on every day
  (酒店: 第一时间处理) or a window open 8:30–12:00 and 14:30–18:00 on working days; a deadline is
  a moment.

A deadline computed over days the official calendar does not cover yet is `provisional`: the
checks report what depends on it as a warning, never as an error, until the year is published.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .problems import Problem
from .record import CST
from .workdays import WorkCalendar
from .quote import quoted

UNITS = {"workdays": "个工作日", "days": "天", "hours": "小时"}
DAY_MINUTES = 24 * 60


def zh_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Due:
    """A deadline: the last on-time day, and for hour clocks the last on-time moment."""
    day: date
    at: datetime | None = None
    provisional: bool = False

    def late(self, when) -> bool:
        """Whether something done at `when` (a moment) or still open on `when` (a date: 'today') is late."""
        if isinstance(when, datetime):
            if self.at is not None:
                return when > self.at
            return when.astimezone(CST).date() > self.day
        return when > self.day

    def zh(self) -> str:
        if self.at is None:
            return zh_day(self.day)
        return f"{zh_day(self.day)} {self.at.strftime('%H:%M')}"


@dataclass(frozen=True)
class Clock:
    unit: str = "workdays"
    windows: tuple = ((0, DAY_MINUTES),)     # hours: open spans in minutes after midnight
    open_days: str = "workdays"              # hours: "workdays" (official calendar) or "all"

    @property
    def round_the_clock(self) -> bool:
        """Open every hour of every day: an hour of it is an hour of the wall clock."""
        return self.open_days == "all" and self.windows == ((0, DAY_MINUTES),)

    def label(self, n) -> str:
        return f"{n:g} {UNITS[self.unit]}"

    # --- deadlines ------------------------------------------------------------------------------

    def due(self, cal: WorkCalendar, start: datetime, n: float) -> Due:
        """The deadline `n` units after `start` (a moment)."""
        day = start.astimezone(CST).date()
        if self.unit == "workdays":
            end = cal.add(day, int(n))
            return Due(end, None, bool(cal.uncovered_years(day, end)))
        if self.unit == "days":
            return Due(day + timedelta(days=int(n)))
        return self._add_hours(cal, start.astimezone(CST), n)

    def extend(self, cal: WorkCalendar, due: Due, k: float) -> Due:
        """`due` moved on by `k` units (a stopped clock: 补正)."""
        if k <= 0:
            return due
        if self.unit == "workdays":
            end = cal.add(due.day, int(k))
            return Due(end, None, due.provisional or bool(cal.uncovered_years(due.day, end)))
        if self.unit == "days":
            return Due(due.day + timedelta(days=int(k)), None, due.provisional)
        at = due.at or datetime.combine(due.day, time(23, 59, 59), CST)
        moved = self._add_hours(cal, at, k)
        return Due(moved.day, moved.at, due.provisional or moved.provisional)

    def elapsed(self, cal: WorkCalendar, a: datetime, b: datetime) -> float:
        """Units of this clock between two moments (how long a stopped clock stood)."""
        if b <= a:
            return 0
        da, db = a.astimezone(CST).date(), b.astimezone(CST).date()
        if self.unit == "workdays":
            return cal.count(da, db)
        if self.unit == "days":
            return (db - da).days
        total, d = 0.0, da
        while d <= db:
            if self._open(cal, d):
                for lo, hi in self.windows:
                    w0 = datetime.combine(d, time(), CST) + timedelta(minutes=lo)
                    w1 = datetime.combine(d, time(), CST) + timedelta(minutes=hi)
                    s, e = max(w0, a), min(w1, b)
                    if e > s:
                        total += (e - s).total_seconds() / 3600
            d += timedelta(days=1)
        return round(total, 4)

    # --- hours ----------------------------------------------------------------------------------

    def _open(self, cal: WorkCalendar, d: date) -> bool:
        return self.open_days == "all" or cal.is_workday(d)

    def _add_hours(self, cal: WorkCalendar, start: datetime, n: float) -> Due:
        if self.round_the_clock:
            at = start + timedelta(hours=n)
            return Due(at.date() if at.time() != time() else (at - timedelta(seconds=1)).date(), at)
        left = timedelta(hours=n)
        d = start.date()
        provisional = False
        for _ in range(3660):                       # ten years of days: a policy never asks for more
            if self.open_days != "all" and not cal.covers(d.year):
                provisional = True
            if self._open(cal, d):
                midnight = datetime.combine(d, time(), CST)
                for lo, hi in self.windows:
                    w0, w1 = midnight + timedelta(minutes=lo), midnight + timedelta(minutes=hi)
                    s = max(w0, start)
                    if s >= w1:
                        continue
                    if s + left <= w1:
                        at = s + left
                        return Due(at.date() if at.time() != time() else (at - timedelta(seconds=1)).date(),
                                   at, provisional)
                    left -= w1 - s
            d += timedelta(days=1)
        raise ValueError("service hours never open")


def _minutes(text: str) -> int | None:
    try:
        h, m = str(text).strip().split(":")
        v = int(h) * 60 + int(m)
    except ValueError:
        return None
    return v if 0 <= v <= DAY_MINUTES else None


def parse_clock(raw, path: str, where: str, problems: list, default: Clock | None = None) -> Clock:
    """`clock: {unit: hours, service_hours: ["08:30-12:00", "14:30-18:00"], days: workdays}`."""
    default = default or Clock()
    if raw is None:
        return default

    def bad(f, msg):
        problems.append(Problem("rules-invalid", msg, path=path, field=f"{where}{f}"))
        return default

    if not isinstance(raw, dict):
        return bad("", "clock 应为映射（unit、service_hours、days）")
    unit = raw.get("unit", "workdays")
    if unit not in UNITS:
        return bad(".unit", f"计时单位{quoted(unit)}不对；可用：workdays（法定工作日）、days（自然日）、hours（服务时间内的小时）")
    days = raw.get("days", "all" if unit == "hours" and raw.get("service_hours") in (None, "24h") else "workdays")
    if days not in ("workdays", "all"):
        return bad(".days", f"days 应为 workdays（法定工作日）或 all（每天），实为{quoted(days)}")
    hours = raw.get("service_hours", "24h")
    windows = []
    if hours in ("24h", "24小时"):
        windows = [(0, DAY_MINUTES)]
    elif isinstance(hours, list) and hours:
        for i, w in enumerate(hours):
            parts = str(w).split("-")
            lo, hi = (_minutes(parts[0]), _minutes(parts[1])) if len(parts) == 2 else (None, None)
            if lo is None or hi is None or lo >= hi or (windows and lo < windows[-1][1]):
                return bad(f".service_hours[{i}]", f"服务时间应写作 08:30-12:00，按先后排列且不重叠，实为{quoted(w)}")
            windows.append((lo, hi))
    else:
        return bad(".service_hours", f"服务时间应为 24h 或时段列表（如 [08:30-12:00, 14:30-18:00]），实为{quoted(hours)}")
    return Clock(unit, tuple(windows), days)
