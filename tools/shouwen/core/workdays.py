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
    # year -> (working day or not for each day of the year, working days before each day); built once
    # per year: chinese_calendar.is_workday scans its whole table on every call (DESIGN §5)
    _tables: dict = field(default_factory=dict, compare=False, repr=False)

    def covers(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.years

    def _table(self, year: int) -> tuple[list, list]:
        t = self._tables.get(year)
        if t is None:
            first = date(year, 1, 1)
            days = [self._decide(first + timedelta(days=i)) for i in range((date(year + 1, 1, 1) - first).days)]
            before, n = [], 0
            for w in days:
                before.append(n)
                n += w
            t = self._tables[year] = (days, before)
        return t

    def is_workday(self, d: date) -> bool:
        return self._table(d.year)[0][d.timetuple().tm_yday - 1]

    def _decide(self, d: date) -> bool:
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
        if end <= start:
            return 0
        n = -self._through(start)
        for y in range(start.year, end.year):
            n += self._table(y)[1][-1] + self._table(y)[0][-1]     # the whole year
        return n + self._through(end)

    def _through(self, d: date) -> int:
        """Working days from 1 January of d's year up to and including d."""
        days, before = self._table(d.year)
        i = d.timetuple().tm_yday - 1
        return before[i] + days[i]

    def uncovered_years(self, start: date, end: date) -> list[int]:
        lo, hi = sorted((start, end))
        return [y for y in range(lo.year, hi.year + 1) if not self.covers(y)]
