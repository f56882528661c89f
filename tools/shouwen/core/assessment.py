"""Quarterly assessment (pure): per department and per staff member, the seed's items for one quarter.

每个季度对科室执行首问责任制的情况考核一次:制度落实、登记、接待态度、办事效果、满意度。
Every matter is attributed to its first responder (and that person's department), who answers for
it to the end. Figures are as of the quarter's last day or, while the quarter runs, as of the day it
is computed, whichever is earlier (`as_of`); the ledger passed in must be built with that day as
"today", so nothing is counted overdue before it is and a published bulletin never changes.

Only units with matters of their own in the quarter are ranked; the others are listed apart. An item
a ranked unit has no data for (no rating, nothing forwarded or completed) gets the lowest score any
ranked unit got on it, 0 when none has data: having nothing to show is never worth more than the
weakest result shown.

This module holds the quarter's figures and how they are scored; `core.quarter_sums.assess` counts them,
each record's share apart, so that a kept quarter is patched by the records that changed.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from .problems import CODES
from .record import YEARS

DEADLINE_CODES = {c for c, (fam, _) in CODES.items() if fam == "deadline" and c != "calendar-uncovered"}
RECORD_CODES = {c for c, (fam, _) in CODES.items() if fam in ("record", "reference")}


def quarter_span(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


_QUARTER = re.compile(r"(\d{4})(?:Q|-Q|年第?([1-4一二三四])季度?)([1-4])?$")


def parse_quarter(text: str) -> tuple[int, int] | None:
    """2026Q4, or a quarter as offices write it in Chinese (the year, then 第四季度 or 第4季度 or 4季度)."""
    t = "".join(str(text or "").split()).upper()
    m = _QUARTER.match(t)
    if m is None or int(m.group(1)) not in YEARS[:-1] or bool(m.group(2)) == bool(m.group(3)):
        return None
    q = m.group(2) or m.group(3)
    return int(m.group(1)), int("一二三四".index(q) + 1 if q in "一二三四" else q)


def zh_quarter(text) -> str:
    """2026Q3 as people read it: 2026年第三季度 (the text itself when it names no quarter)."""
    yq = parse_quarter(str(text or ""))
    return f"{yq[0]}年第{'一二三四'[yq[1] - 1]}季度" if yq else str(text or "")


@dataclass
class Figures:
    unit: str                      # department id or badge
    name: str
    registered: int = 0
    answered: int = 0
    forwarded: int = 0
    forwarded_on_time: int = 0
    completed: int = 0
    completed_on_time: int = 0
    overdue_open: int = 0
    reopened: int = 0              # second rounds opened (重办): each counts as a matter not done well
    suspended: int = 0             # matters whose clock was stopped (暂停计时) in the quarter
    rated: int = 0
    rating_sum: int = 0
    distribution: dict = field(default_factory=lambda: {5: 0, 4: 0, 3: 0, 2: 0, 1: 0})
    bad: int = 0
    bad_followed_up: int = 0
    complaints: int = 0
    substantiated: int = 0
    commendations: int = 0
    inspected_items: int = 0
    failed_items: int = 0
    deadline_problems: int = 0
    record_problems: int = 0
    items: dict = field(default_factory=dict)
    score: float | None = None

    @property
    def ranked(self) -> bool:
        return self.registered > 0

    @property
    def on_time_rate(self) -> float | None:
        n = self.forwarded + self.completed + self.reopened
        return (self.forwarded_on_time + self.completed_on_time) / n if n else None

    @property
    def satisfaction(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    def as_json(self) -> dict:
        d = asdict(self)
        d["distribution"] = {str(k): v for k, v in self.distribution.items()}
        d["on_time_rate"] = None if self.on_time_rate is None else round(self.on_time_rate, 4)
        d["satisfaction"] = None if self.satisfaction is None else round(self.satisfaction, 2)
        return d


def _clamp(v):
    return max(0.0, min(100.0, v))


def score(f: Figures, weights: dict) -> None:
    """The five items, each 0–100, and their weighted mean over the items that have data
    (`fill_missing` then scores the missing items of ranked units)."""
    items = {}
    if f.registered:
        items["制度落实"] = _clamp(100 * (f.registered - min(f.deadline_problems, f.registered)) / f.registered
                               - 5 * f.failed_items)
        items["登记"] = _clamp(100 * (f.registered - min(f.record_problems, f.registered)) / f.registered)
    elif f.failed_items:
        items["制度落实"] = _clamp(100 - 5 * f.failed_items)
    if f.registered or f.complaints or f.commendations or f.inspected_items:
        items["接待态度"] = _clamp(100 - 20 * f.substantiated - 5 * f.failed_items + 5 * f.commendations)
    if f.on_time_rate is not None:
        items["办事效果"] = 100 * f.on_time_rate
    if f.satisfaction is not None:
        items["满意度"] = 100 * (f.satisfaction - 1) / 4
    f.items = {k: round(v, 1) for k, v in items.items()}
    total = sum(weights.get(k, 0) for k in items)
    f.score = round(sum(weights.get(k, 0) * v for k, v in items.items()) / total, 1) if total else None


ITEMS = ("制度落实", "登记", "接待态度", "办事效果", "满意度")


def fill_missing(units: list, weights: dict) -> None:
    """Items a ranked unit has no data for get the lowest score any ranked unit got on them (0 when
    none has data), so that a unit with nothing to show never outscores one that was rated."""
    ranked = [f for f in units if f.ranked]
    floor = {k: min((f.items[k] for f in ranked if k in f.items), default=0.0) for k in ITEMS}
    total = sum(weights.get(k, 0) for k in ITEMS)
    for f in ranked:
        full = {k: f.items.get(k, floor[k]) for k in ITEMS}
        f.score = round(sum(weights.get(k, 0) * v for k, v in full.items()) / total, 1) if total else None


@dataclass
class Quarter:
    year: int
    q: int
    start: date
    end: date
    departments: list              # [Figures]: ranked ones by score, then those with no matters
    staff: list                    # [Figures], by badge
    total: Figures
    commended: list                # [(badge, count)]
    criticised: list               # [(complaint id, badge, verdict day)]
    sanctions: list                # [(complaint id, Sanction)]
    as_of: date | None = None      # figures as of this day (the quarter's end, or earlier)
    reports: tuple | None = None   # ([(department name, day submitted)], [department names missing]) or None
