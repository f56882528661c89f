"""Working days: the State Council schedule (chinese_calendar) plus rules/calendar.yml.

Pure: no file is read here; the caller hands in the local additions.
A year that neither the package nor calendar.yml covers is never guessed silently:
Monday to Friday is used and `uncovered_years` tells the caller which years that was.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _cc


def _package_years() -> range:
    years = {d.year for d in _cc.holidays} | {d.year for d in _cc.workdays}
    return range(min(years), max(years) + 1)


PACKAGE_YEARS = _package_years()


@dataclass(frozen=True)
class YearSchedule:
    """A year's official schedule written into calendar.yml before the package has it."""
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()   # local extra days off
    workdays: frozenset[date] = frozenset()   # local extra working days
    years: dict[int, YearSchedule] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.years

    def is_workday(self, d: date) -> bool:
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        if d.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(d)
        sched = self.years.get(d.year)
        if sched is not None:
            if d in sched.holidays:
                return False
            if d in sched.workdays:
                return True
        return d.weekday() < 5

    def add(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 1); n == 0 gives start or the next working day."""
        d = start
        if n <= 0:
            while not self.is_workday(d):
                d += timedelta(days=1)
            return d
        while n:
            d += timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def count(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        n, d = 0, start
        while d < end:
            d += timedelta(days=1)
            if self.is_workday(d):
                n += 1
        return n

    def uncovered_years(self, start: date, end: date) -> list[int]:
        lo, hi = sorted((start, end))
        return [y for y in range(lo.year, hi.year + 1) if not self.covers(y)]
