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
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from .accountability import Commendation, Complaint, Inspection, Report
from .problems import CODES, ERROR
from .record import YEARS, local_day

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


def assess(ledger, rules, year: int, q: int, as_of: date | None = None, rules_on=None) -> Quarter:
    """`rules_on(day)`: the rules as they stood that day: a matter counts for the department its first
    responder was in when it was registered, a complaint for the one the person was in when it was made."""
    start, end = quarter_span(year, q)
    rules_on = rules_on or (lambda day: rules)
    as_of = min(as_of or end, end)
    within = lambda d: d is not None and start <= d <= as_of
    people: dict[str, Figures] = {}
    depts: dict[str, Figures] = {}
    total = Figures("all", "全单位")

    def units(badge, day):
        s = rules_on(day).staff.get(badge) or rules.staff.get(badge)
        out = [total]
        if badge in rules.departments and s is None:      # a complaint against a department
            d = rules.departments[badge]
            return [total, depts.setdefault(d.id, Figures(d.id, d.name))]
        if s is not None:
            out.append(people.setdefault(badge, Figures(badge, (rules.staff.get(badge) or s).name)))
            d = rules.departments.get(s.department)
            if d is not None:
                out.append(depts.setdefault(d.id, Figures(d.id, d.name)))
        return out

    for d in rules.departments.values():
        if any(s.department == d.id for s in rules.staff.values()):
            depts.setdefault(d.id, Figures(d.id, d.name))
    for e in ledger.entries:
        st = e.state
        if st is None or st.registered_at is None:
            continue
        reg = local_day(st.registered_at)
        us = units(st.first_responder, reg)
        codes = [p.code for p in e.problems if p.severity == ERROR]
        if within(reg):
            for u in us:
                u.registered += 1
                u.answered += st.stage == "answered"
                u.deadline_problems += any(c in DEADLINE_CODES for c in codes)
                u.record_problems += any(c in RECORD_CODES for c in codes)
        # whether it was forwarded: kept by the index beside each record, so its events are not read back
        if within(local_day(st.routed_at) if st.routed_at else None) and e.forwarded:
            late = "forward-late" in codes
            for u in us:
                u.forwarded += 1
                u.forwarded_on_time += not late
        if st.completed_at is not None and within(local_day(st.completed_at)) and e.deadlines and e.deadlines.due:
            for u in us:
                u.completed += 1
                u.completed_on_time += local_day(st.completed_at) <= e.deadlines.due
        # overdue: past its (possibly provisional or suspended) due date as of `as_of`, still not done
        if reg <= as_of and e.deadlines and e.deadlines.due and e.deadlines.due < as_of and (
                st.completed_at is None or local_day(st.completed_at) > as_of) and not (st.closed and st.completed_at is None):
            for u in us:
                u.overdue_open += 1
        for r in [*st.previous, st][1:]:
            if within(local_day(r.round_started_at)):
                for u in us:
                    u.reopened += 1
        if any(within(local_day(a)) for a, _b, _r in _all_suspensions(st)):
            for u in us:
                u.suspended += 1
        if st.rating and st.rated_at is not None and within(local_day(st.rated_at)):
            bad = st.rating in rules.policy.bad_ratings
            for u in us:
                u.rated += 1
                u.rating_sum += st.rating
                u.distribution[st.rating] = u.distribution.get(st.rating, 0) + 1
                u.bad += bad
                u.bad_followed_up += bad and "followup-late" not in codes and any(t >= st.rated_at for t in st.followups)
    commended: dict[str, int] = {}
    criticised, sanctions = [], []
    for e in ledger.entries:
        a = e.account
        if isinstance(a, Complaint):
            if a.registered_at is not None and within(local_day(a.registered_at)):
                for badge in a.against:
                    for u in units(badge, local_day(a.registered_at)):
                        u.complaints += 1
            v = a.verdict
            if v is not None and v.finding == "substantiated" and within(v.day):
                for badge in v.liable:
                    criticised.append((a.id, badge, v.day))
                    for u in units(badge, v.day):
                        u.substantiated += 1
            sanctions += [(a.id, s) for s in a.sanctions if within(local_day(s.at))]
        elif isinstance(a, Commendation) and within(local_day(a.at)):
            commended[a.staff] = commended.get(a.staff, 0) + 1
            for u in units(a.staff, local_day(a.at)):
                u.commendations += 1
        elif isinstance(a, Inspection) and within(local_day(a.at)):
            for u in units(a.staff, local_day(a.at)):
                u.inspected_items += len(a.findings)
                u.failed_items += len(a.failed)
    for f in [total, *people.values(), *depts.values()]:
        score(f, rules.policy.weights)
    fill_missing(list(depts.values()), rules.policy.weights)
    fill_missing(list(people.values()), rules.policy.weights)
    for f in [*people.values(), *depts.values()]:
        if not f.ranked:
            f.score = None
    ranked = sorted((f for f in depts.values() if f.ranked), key=lambda f: (-f.score, f.unit))
    apart = sorted((f for f in depts.values() if not f.ranked), key=lambda f: f.unit)
    return Quarter(year, q, start, end, ranked + apart, sorted(people.values(), key=lambda f: f.unit), total,
                   sorted(commended.items(), key=lambda x: (-x[1], x[0])), sorted(criticised, key=lambda x: (x[2], x[0], x[1])),
                   sorted(sanctions, key=lambda x: (x[1].at, x[0])), as_of, written_reports(ledger, rules, year, q))


def written_reports(ledger, rules, year: int, q: int) -> tuple | None:
    """Each 科室's written report for the quarter (先由各科室写出书面情况汇报), where the policy asks
    for them (`assessment.reports: true`): who sent one and when, and who has not."""
    if not (rules.policy.raw.get("assessment") or {}).get("reports"):
        return None
    label = f"{year}Q{q}"
    sent: dict = {}
    for e in ledger.entries:
        a = e.account
        if isinstance(a, Report) and a.quarter == label:
            day = local_day(a.at)
            sent[a.department] = min(day, sent.get(a.department, day))
    expected = [d for d in rules.departments.values() if d.parent is not None]
    done = [(d.name, sent[d.id]) for d in expected if d.id in sent]
    return done, [d.name for d in expected if d.id not in sent]


def _all_suspensions(st) -> list:
    return [x for r in [*st.previous, st] for x in r.suspensions]
