"""A quarter's assessment as the sum of every record's share (pure; issue 15).

`assessment.assess` adds, for each entry, a few counts to the units it touches (the whole agency, a
person, a department; a unit touched exists in the bulletin even with nothing counted) and lists its
criticisms, sanctions, commendations and written report. `share` works that out for one entry alone,
so the quarter is a sum: `fold` adds every entry's share, `finish` scores and ranks the sums as
`assess` always did (`assess` is fold, then finish). Kept for a commit (repo.kept_quarter), a few changed
records patch it: their old share taken away, the new one added (`patch`), only the units' sums scored
again. The one thing `judge` adds to an entry that a share reads is a duplicate id (a record problem):
the patched sums keep the ids as core.ledger_delta does and say, per share, whether its path is a
duplicate. Whatever a patch can't keep exactly (a person named differently by two rosters, a rating
outside 1–5, whose order of appearance assess keeps) makes `patch` say so: the caller then folds anew.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .accountability import Commendation, Complaint, Inspection, Report
from .assessment import DEADLINE_CODES, RECORD_CODES, Figures, Quarter, fill_missing, quarter_span, score
from .ledger_delta import _plain_text, _recheck_ids, _without, id_of
from .problems import ERROR
from .record import local_day

FIELDS = ("registered", "answered", "forwarded", "forwarded_on_time", "completed", "completed_on_time",
          "overdue_open", "reopened", "suspended", "rated", "rating_sum", "bad", "bad_followed_up", "complaints",
          "substantiated", "commendations", "inspected_items", "failed_items", "deadline_problems", "record_problems")
RATINGS = (5, 4, 3, 2, 1)
TOTAL = (("all",), "全单位")        # a unit: (key, the name it is shown by)

# A share: (phase: 0 an inquiry, 1 an account; touches: ((units, counts), ...) with units ((key, name), ...)
# and counts ((field or a rating, amount), ...); criticised; sanctions; the badge commended or None; the
# written report (department, day) or None).


class Question:
    """Which quarter, as of which day, under which rules: what a share depends on besides its entry."""

    def __init__(self, rules, year: int, q: int, as_of: date | None = None, rules_on=None):
        self.rules, self.year, self.q = rules, year, q
        self.start, self.end = quarter_span(year, q)
        self.as_of = min(as_of or self.end, self.end)
        # mid-quarter, the entries are judged as they stood on `as_of` (core.record.as_it_stood); a finished
        # quarter's bulletin stays what it was when published (`bulletin --at` reproduces it byte for byte)
        self.mid = self.as_of < self.end
        self.rules_on = rules_on or (lambda day: rules)
        self.label = f"{year}Q{q}"
        self.reports = bool((rules.policy.raw.get("assessment") or {}).get("reports"))
        self._units: dict = {}

    def within(self, d) -> bool:
        return d is not None and self.start <= d <= self.as_of

    def units(self, badge, day) -> tuple:
        """The units a matter of `badge` registered on `day` counts for (the roster of that day)."""
        got = self._units.get((badge, day))
        if got is None:
            rules = self.rules
            s = self.rules_on(day).staff.get(badge) or rules.staff.get(badge)
            if badge in rules.departments and s is None:        # a complaint against a department
                d = rules.departments[badge]
                got = (TOTAL, (("dept", d.id), d.name))
            else:
                got = [TOTAL]
                if s is not None:
                    got.append((("staff", badge), (rules.staff.get(badge) or s).name))
                    d = rules.departments.get(s.department)
                    if d is not None:
                        got.append((("dept", d.id), d.name))
                got = tuple(got)
            self._units[(badge, day)] = got
        return got


def share(e, qn: Question, dup: bool = False) -> tuple | None:
    """The entry's share of the quarter (None: it counts nowhere). `dup`: its id is a duplicate that
    `judge` has not yet added to its problems."""
    if e.voided is not None:
        return None
    st = e.state
    if st is not None and st.registered_at is not None:
        return _inquiry(e, st, qn, dup)
    a, within, units = e.account, qn.within, qn.units
    touches, criticised, sanctions, commended, report = [], [], (), None, None
    if isinstance(a, Complaint):
        if a.registered_at is not None and within(local_day(a.registered_at)):
            touches += [(units(badge, local_day(a.registered_at)), (("complaints", 1),)) for badge in a.against]
        v = a.verdict
        if v is not None and v.finding == "substantiated" and within(v.day):
            for badge in v.liable:
                criticised.append((a.id, badge, v.day))
                touches.append((units(badge, v.day), (("substantiated", 1),)))
        sanctions = tuple((a.id, s) for s in a.sanctions if within(local_day(s.at)))
    elif isinstance(a, Commendation) and within(local_day(a.at)):
        commended = a.staff
        touches.append((units(a.staff, local_day(a.at)), (("commendations", 1),)))
    elif isinstance(a, Inspection) and within(local_day(a.at)):
        touches.append((units(a.staff, local_day(a.at)), _counts(inspected_items=len(a.findings),
                                                                  failed_items=len(a.failed))))
    elif isinstance(a, Report) and qn.reports and a.quarter == qn.label:
        report = (a.department, local_day(a.at))
    if not (touches or criticised or sanctions or commended or report):
        return None
    return 1, tuple(touches), tuple(criticised), sanctions, commended, report


def _counts(**counts) -> tuple:
    return tuple((k, int(v)) for k, v in counts.items() if v)


def _inquiry(e, st, qn: Question, dup: bool) -> tuple:
    within, rules, as_of = qn.within, qn.rules, qn.as_of
    reg = local_day(st.registered_at)
    codes = [p.code for p in e.problems if p.severity == ERROR] + (["id-duplicate"] if dup else [])
    c: dict = {}
    if within(reg):
        c.update(registered=1, answered=st.stage == "answered",
                 deadline_problems=any(x in DEADLINE_CODES for x in codes),
                 record_problems=any(x in RECORD_CODES for x in codes))
    # whether it was forwarded: kept by the index beside each record, so its events are not read back
    if within(local_day(st.routed_at) if st.routed_at else None) and e.forwarded:
        c.update(forwarded=1, forwarded_on_time="forward-late" not in codes)
    dl = e.deadlines
    if st.completed_at is not None and within(local_day(st.completed_at)) and dl and dl.due:
        c.update(completed=1, completed_on_time=local_day(st.completed_at) <= dl.due)
    # overdue: past its (possibly provisional or suspended) due date as of `as_of`, still not done
    if reg <= as_of and dl and dl.due and dl.due < as_of and (
            st.completed_at is None or local_day(st.completed_at) > as_of) and not (st.closed and st.completed_at is None):
        c["overdue_open"] = 1
    c["reopened"] = sum(1 for r in [*st.previous, st][1:] if within(local_day(r.round_started_at)))
    c["suspended"] = any(within(local_day(a)) for r in [*st.previous, st] for a, _b, _r in r.suspensions)
    counts = _counts(**c)
    if st.rating and st.rated_at is not None and within(local_day(st.rated_at)):
        bad = st.rating in rules.policy.bad_ratings
        counts += _counts(rated=1, rating_sum=st.rating, bad=bad, bad_followed_up=bad and "followup-late" not in codes
                          and any(t >= st.rated_at for t in st.followups)) + ((st.rating, 1),)
    return 0, ((qn.units(st.first_responder, reg), counts),), (), (), None, None


@dataclass
class Sums:
    units: dict = field(default_factory=dict)       # key -> [touches, {name: touches}, {field: sum}, name shown]
    lists: dict = field(default_factory=dict)       # path -> (criticised, sanctions) of the entries with any
    commended: dict = field(default_factory=dict)   # badge -> commendations
    reports: dict = field(default_factory=dict)     # department -> {day: reports}
    table: str = "\n"           # "\n{path}\t{id}" of every entry (core.ledger_delta's), for the duplicate ids
    dups: dict = field(default_factory=dict)        # path -> its id-duplicate problem
    exact: bool = True          # False: a patch met what it can't keep (then fold anew)


def _add(s: Sums, path: str, sh: tuple | None, sign: int):
    """Add (sign 1) or take away (-1) a share."""
    if sh is None:
        return
    _, touches, criticised, sanctions, commended, report = sh
    for units, counts in touches:
        for key, name in units:
            u = s.units.get(key)
            if u is None:
                u = s.units[key] = [0, {}, {}, name]
            u[0] += sign
            u[1][name] = u[1].get(name, 0) + sign
            if not u[1][name]:
                del u[1][name]
            sums = u[2]
            for k, n in counts:
                if isinstance(k, int) and k not in RATINGS:
                    s.exact = False         # assess shows such a rating where it first met it: only a fold knows
                sums[k] = sums.get(k, 0) + sign * n
            if not u[0]:
                del s.units[key]
    if criticised or sanctions:
        if sign > 0:
            s.lists[path] = (criticised, sanctions)
        else:
            s.lists.pop(path, None)
    if commended is not None:
        s.commended[commended] = s.commended.get(commended, 0) + sign
        if not s.commended[commended]:
            del s.commended[commended]
    if report is not None:
        days = s.reports.setdefault(report[0], {})
        days[report[1]] = days.get(report[1], 0) + sign
        if not days[report[1]]:
            del days[report[1]]
            if not days:
                del s.reports[report[0]]


def fold(entries, qn: Question, dups: dict | None = None) -> Sums:
    """The sums of the entries' shares, in ledger order; `dups` (path -> problem): the duplicate ids
    `judge` has not added to these entries (None: it has). A unit is shown by the name it was first met
    with, inquiries before accounts, as `assess` met them."""
    s, first = Sums(), {}
    for e in entries:
        path = e.record.path
        sh = share(e, qn, dups is not None and path in dups)
        if sh is None:
            continue
        _add(s, path, sh, 1)
        for units, _ in sh[1]:
            for key, name in units:
                if key not in first or sh[0] < first[key][0]:
                    first[key] = (sh[0], name)
    for key, u in s.units.items():
        u[3] = first[key][1]
    s.exact = True
    return s


def summed(entries, qn: Question, walk=iter) -> Sums | None:
    """The sums of entries evaluated but not judged (repo.index's `before_judge`), their ids kept for
    `patch`; None when a path or id can't be kept in the table. `walk(entries)`: how they are gone through
    for their states (repo.index_rows.one_at_a_time: one state held at a time)."""
    ids = Sums()
    if not _keep_ids(ids, entries):
        return None
    s = fold(walk(entries), qn, ids.dups)
    s.table, s.dups = ids.table, ids.dups
    return s


def _keep_ids(s: Sums, entries) -> bool:
    lines, seen, twice = [], set(), set()
    for e in entries:
        rid, path = e.record.id or "", e.record.path
        if not _plain_text(path) or not _plain_text(rid):
            return False
        lines.append(f"\n{path}\t{rid}")
        if rid:
            (twice if rid in seen else seen).add(rid)
    s.table = "".join(lines) + "\n"
    _recheck_ids(s, twice)
    return True


def patch(s: Sums, qn: Question, changes: dict, read) -> bool:
    """Apply `changes` (path -> (its entry before or None, its entry now or None), both evaluated under
    `qn`'s rules and day, not judged) to `s`. `read(paths)`: {path: entry now} of unchanged records whose
    id became or stopped being a duplicate. False (s then unusable) when it can't be done exactly."""
    before = dict(s.dups)
    for p, (old, _) in changes.items():
        _add(s, p, share(old, qn, p in before) if old is not None else None, -1)
    ids = {rid for rid in (id_of(s.table, p) for p in changes) if rid}
    s.table = _without(s.table, set(changes))
    added = []
    for p, (_, new) in changes.items():
        if new is not None:
            rid = new.record.id or ""
            if not _plain_text(p) or not _plain_text(rid):
                return False
            added.append(f"{p}\t{rid}\n")
            if rid:
                ids.add(rid)
    s.table += "".join(added)
    for p in changes:
        s.dups.pop(p, None)
    _recheck_ids(s, ids)
    for p, (_, new) in changes.items():
        _add(s, p, share(new, qn, p in s.dups) if new is not None else None, 1)
    moved = (before.keys() ^ s.dups.keys()) - changes.keys()
    if moved:
        for p, e in read(sorted(moved)).items():
            _add(s, p, share(e, qn, p in before), -1)
            _add(s, p, share(e, qn, p in s.dups), 1)
    return s.exact and all(len(u[1]) == 1 for u in s.units.values())


def assess(ledger, rules, year: int, q: int, as_of: date | None = None, rules_on=None, walk=iter) -> Quarter:
    """The quarter's figures of a judged ledger. `rules_on(day)`: the rules as they stood that day: a
    matter counts for the department its first responder was in when it was registered, a complaint for
    the one the person was in when it was made. `walk(entries)`: as `summed`'s."""
    qn = Question(rules, year, q, as_of, rules_on)
    return finish(fold(walk(ledger.entries), qn), qn)


def finish(s: Sums, qn: Question) -> Quarter:
    """The quarter as `assess` gives it, from the sums."""
    rules = qn.rules
    people, depts, total = {}, {}, Figures("all", "全单位")
    for key, (_, names, sums, name) in s.units.items():
        f = total if key == ("all",) else Figures(key[1], name if len(names) != 1 else next(iter(names)))
        for k in FIELDS:
            setattr(f, k, sums.get(k, 0))
        f.distribution = {r: sums.get(r, 0) for r in RATINGS}
        f.distribution.update((k, n) for k, n in sums.items() if isinstance(k, int) and k not in RATINGS and n)
        if key[0] == "staff":
            people[key[1]] = f
        elif key[0] == "dept":
            depts[key[1]] = f
    for d in rules.departments.values():
        if d.id not in depts and any(st.department == d.id for st in rules.staff.values()):
            depts[d.id] = Figures(d.id, d.name)
    weights = rules.policy.weights
    for f in [total, *people.values(), *depts.values()]:
        score(f, weights)
    fill_missing(list(depts.values()), weights)
    fill_missing(list(people.values()), weights)
    for f in [*people.values(), *depts.values()]:
        if not f.ranked:
            f.score = None
    ranked = sorted((f for f in depts.values() if f.ranked), key=lambda f: (-f.score, f.unit))
    apart = sorted((f for f in depts.values() if not f.ranked), key=lambda f: f.unit)
    criticised, sanctions = [], []
    for p in sorted(s.lists):
        criticised += s.lists[p][0]
        sanctions += s.lists[p][1]
    return Quarter(qn.year, qn.q, qn.start, qn.end, ranked + apart, sorted(people.values(), key=lambda f: f.unit),
                   total, sorted(s.commended.items(), key=lambda x: (-x[1], x[0])),
                   sorted(criticised, key=lambda x: (x[2], x[0], x[1])), sorted(sanctions, key=lambda x: (x[1].at, x[0])),
                   qn.as_of, _reports(s, qn))


def _reports(s: Sums, qn: Question) -> tuple | None:
    if not qn.reports:
        return None
    sent = {dept: min(days) for dept, days in s.reports.items()}
    expected = [d for d in qn.rules.departments.values() if d.parent is not None]
    return [(d.name, sent[d.id]) for d in expected if d.id in sent], [d.name for d in expected if d.id not in sent]
