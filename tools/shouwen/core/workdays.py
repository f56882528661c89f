"""Working days: the State Council schedule (chinese_calendar) plus rules/calendar.yml.

Pure: no file is read here; the caller hands in the local additions.
A year that neither the package nor calendar.yml covers is never guessed silently:
Monday to Friday is used and `uncovered_years` tells the caller which years that was.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta

from chinese_calendar import constants as _cc


def _package_years() -> range:
    years = {d.year for d in _cc.holidays} | {d.year for d in _cc.workdays}
    return range(min(years), max(years) + 1)


PACKAGE_YEARS = _package_years()
_LETTERS = bytes.maketrans(b"\0\1", b"RW")


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
        flags, _, jan1 = self._year(d.year)
        return bool(flags[d.toordinal() - jan1])

    def _decide(self, d: date) -> bool:
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        if d.year in PACKAGE_YEARS:     # chinese_calendar.is_workday's rule, without its checks of the date
            return d in _cc.workdays or (d.weekday() < 5 and d not in _cc.holidays)
        sched = self.years.get(d.year)
        if sched is not None:
            if d in sched.holidays:
                return False
            if d in sched.workdays:
                return True
        return d.weekday() < 5

    def _year(self, year: int) -> tuple[bytes, list[int], int]:
        """A year decided once: a flag per day, and the working days before each day (prefix sums).
        chinese_calendar checks every date it is asked about against its whole table, which was
        80 % of `check` at 100,000 records (DESIGN §5)."""
        tables = self.__dict__.setdefault("_tables", {})     # frozen: a cache, not a field
        hit = tables.get(year)
        if hit is None:
            jan1 = date(year, 1, 1)
            flags = bytes(self._decide(jan1 + timedelta(days=i)) for i in range((date(year + 1, 1, 1) - jan1).days))
            before, acc = [0], 0
            for f in flags:
                acc += f
                before.append(acc)
            hit = tables[year] = (flags, before, jan1.toordinal())
        return hit

    def prepare(self, years) -> None:
        """Decide these years now (kept with the calendar: the rules cache stores them decided)."""
        for year in years:
            self._year(year)

    def flags(self, year: int) -> str:
        """A year as "W" for each working day and "R" for each day off (`休息`), January 1st first: what the site's
        lookup page counts an open matter's working days overdue with, in the browser (letters, not digits or
        hex, in which the privacy guard could find a phone or a key)."""
        return self._year(year)[0].translate(_LETTERS).decode()

    def first_year(self) -> int:
        """The first year the schedule knows (the package's, or calendar.yml's if earlier)."""
        return min([PACKAGE_YEARS.start, *self.years])

    def _upto(self, d: date) -> int:
        """Working days of d's year up to and including d."""
        _, before, jan1 = self._year(d.year)
        return before[d.toordinal() - jan1 + 1]

    def add(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 1); n == 0 gives start or the next working day."""
        d = start
        if n <= 0:
            while not self.is_workday(d):
                d += timedelta(days=1)
            return d
        year, target = start.year, self._upto(start) + n
        while True:
            _, before, jan1 = self._year(year)
            if before[-1] >= target:        # before[i] counts the working days ahead of day i
                return date.fromordinal(jan1 + bisect_left(before, target) - 1)
            target -= before[-1]
            year += 1

    def count(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        n = self._upto(end) - self._upto(start)
        for y in range(start.year, end.year):
            n += self._year(y)[1][-1]
        return n

    def uncovered_years(self, start: date, end: date) -> list[int]:
        lo, hi = sorted((start, end))
        return [y for y in range(lo.year, hi.year + 1) if not self.covers(y)]
