import os
from datetime import date

import pytest

from shouwen.core.workdays import WorkCalendar, YearSchedule

cal = WorkCalendar()


def test_forwarding_limit_across_national_day():
    # 2026-10-01..07 off; 10-08 and 10-09 are the first two working days after 09-30
    assert cal.add(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_make_up_saturday_is_a_working_day():
    assert cal.is_workday(date(2026, 10, 10))          # 国庆调休上班
    assert cal.is_workday(date(2026, 2, 14))           # 春节调休上班
    assert not cal.is_workday(date(2026, 2, 16))       # 春节
    assert cal.add(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_every_day_the_package_knows_is_decided_as_it_decides_it_and_published_so():
    import chinese_calendar
    from datetime import timedelta
    from shouwen.core.workdays import PACKAGE_YEARS
    fresh = WorkCalendar(holidays=frozenset({date(2026, 11, 30)}), workdays=frozenset({date(2026, 11, 29)}))
    for year in PACKAGE_YEARS:
        flags = fresh.flags(year)
        days = [date(year, 1, 1) + timedelta(days=i) for i in range(len(flags))]
        assert len(flags) == (date(year + 1, 1, 1) - date(year, 1, 1)).days
        assert [f == "W" for f in flags] == [fresh.is_workday(d) for d in days] == [
            d != date(2026, 11, 30) and (d == date(2026, 11, 29) or chinese_calendar.is_workday(d)) for d in days]
    assert fresh.first_year() == PACKAGE_YEARS.start
    assert WorkCalendar(years={1999: YearSchedule()}).first_year() == 1999


def test_count_and_zero():
    assert cal.count(date(2025, 12, 31), date(2026, 12, 31)) == 248
    assert cal.add(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert cal.count(date(2026, 10, 9), date(2026, 10, 9)) == 0


def test_uncovered_year_falls_back_to_weekdays_and_says_so():
    assert cal.add(date(2026, 12, 30), 2) == date(2027, 1, 1)   # Mon–Fri guess: 12-31, 01-01
    assert cal.uncovered_years(date(2026, 12, 30), date(2027, 1, 1)) == [2027]
    assert cal.uncovered_years(date(2026, 1, 1), date(2026, 12, 31)) == []


def test_calendar_yml_schedule_for_a_year_the_package_lacks():
    local = WorkCalendar(years={2027: YearSchedule(holidays=frozenset({date(2027, 1, 1)}),
                                                   workdays=frozenset({date(2027, 1, 2)}))})
    assert local.covers(2027)
    assert not local.is_workday(date(2027, 1, 1))
    assert local.is_workday(date(2027, 1, 2))           # a Saturday made a working day
    assert local.add(date(2026, 12, 30), 2) == date(2027, 1, 2)
    assert local.uncovered_years(date(2026, 12, 30), date(2027, 1, 4)) == []


def test_local_extra_holiday_and_workday():
    local = WorkCalendar(holidays=frozenset({date(2026, 11, 27)}), workdays=frozenset({date(2026, 11, 28)}))
    assert not local.is_workday(date(2026, 11, 27))
    assert local.is_workday(date(2026, 11, 28))


def _tables_against_stepping(spans: int, seed: int) -> list:
    """The random spans (of `spans`) where the year tables and stepping day by day disagree."""
    import random
    from datetime import timedelta
    local = WorkCalendar(holidays=frozenset({date(2025, 3, 3)}), workdays=frozenset({date(2027, 1, 2)}))
    rng = random.Random(seed)
    wrong = []
    for _ in range(spans):
        start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 365 * 13))
        end = start + timedelta(days=rng.randint(-30, 1200))
        naive, d = 0, start
        while d < end:
            d += timedelta(days=1)
            naive += local._decide(d)
        if local.count(start, end) != naive:
            wrong.append(("count", start, end))
        n, d, left = rng.randint(0, 40), start, None
        left = n
        while left:
            d += timedelta(days=1)
            left -= local._decide(d)
        if local.add(start, n) != (d if n else local.add(start, 0)):
            wrong.append(("add", start, n))
    return wrong


def test_year_tables_answer_as_counting_day_by_day():
    """add/count come from a table per year; they agree with stepping through the days one by one."""
    assert _tables_against_stepping(150, 3) == []


@pytest.mark.stress
def test_year_tables_answer_as_counting_day_by_day_stress():
    from robust.harness import SEED, report
    n = int(os.environ.get("SHOUWEN_WORKDAY_SPANS", 2000))
    assert _tables_against_stepping(n, SEED) == []
    report(f"working-day tables against day-by-day counting (seed {SEED}): {n} random spans")
