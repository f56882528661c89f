"""Deadline rules of the scheme (pure): forwarding, sign-off, promise, overdue, extension, follow-up.

Limits are counted on the scheme's clock (clock.py): working days, calendar days or hours within
service hours; a service may count its own limits its own way. A deadline holds to the end of its
day (or, on an hour clock, to its minute). The clock stands still while the matter is suspended
(暂停计时: 补正材料), up to the policy's limit. A reopened matter (重办) runs a second round with its
own deadlines. A deadline computed over days the official calendar does not cover yet is provisional:
what depends on it is a warning that says so, never an error (DESIGN §5).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from .clock import CST, Clock, Due, zh_day
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
    provisional: set = field(default_factory=set)   # names of the deadlines above that are provisional
    times: dict = field(default_factory=dict)       # name -> last on-time moment, on hour clocks
    suspended: float = 0             # units the clock stood still (this round)
    round: int = 1


def _moment(d: date | datetime) -> datetime:
    return d if isinstance(d, datetime) else datetime.combine(d, time(23, 59, 59), CST)


class _Round:
    """One round of a matter (the first, or one after 重办): its events, its clock and its problems."""

    def __init__(self, rid, path, events, base, s: State, service, rules: Rules, today, final: bool):
        self.rid, self.path, self.events, self.base, self.s = rid, path, events, base, s
        # `today` is a day (judged as of its end) or a moment: an hour clock's deadline is late as soon as it passes
        self.now = _moment(today)
        self.today = local_day(today) if isinstance(today, datetime) else today
        self.service, self.rules, self.final = service, rules, final
        self.cal, self.pol = rules.calendar, rules.policy
        self.clock: Clock = self.pol.clock or Clock()
        self.svc_clock: Clock = (service.clock if service is not None and service.clock else self.clock)
        self.out: list[Problem] = []
        self.dl = Deadlines(round=s.round)
        self.spans: list[tuple[date, date]] = []
        self.stopped = 0.0            # units used of the policy's suspension allowance

    # --- helpers -------------------------------------------------------------------------------

    def p(self, code, msg, fld=None, due: Due | None = None):
        severity = ""
        if due is not None and due.provisional:
            severity = WARNING
            years = "、".join(f"{y}年" for y in self.cal.uncovered_years(local_day(self.s.round_started_at), due.day))
            msg += (f"（暂定：该期限跨越{years}，当年法定节假日安排尚未公布，暂按周一至周五计算，仅作提醒；"
                    "在 rules/calendar.yml 中填写或升级 chinesecalendar 后按实际安排判断）")
        self.out.append(Problem(code, msg, path=self.path, record=self.rid, field=fld, severity=severity))

    def when(self, clock: Clock, at: datetime) -> str:
        if clock.unit == "hours":
            loc = at.astimezone(CST)
            return f"{zh_day(loc.date())} {loc:%H:%M}"
        return zh_day(local_day(at))

    def due(self, clock: Clock, start: datetime, n, track: bool = True) -> Due:
        """The deadline `n` units after `start`, moved on by the time the clock stood still.
        `track`: the calendar is needed for it (a limit nobody is held to yet needs no warning)."""
        d = clock.due(self.cal, start, n)
        if track and clock.unit != "days":
            self.spans.append((local_day(start), d.day))
        return self.stop(clock, start, d)

    def stop(self, clock: Clock, start: datetime, d: Due) -> Due:
        spans = self.s.suspensions
        if not spans:
            return d
        now = self.now
        counted = 0.0
        for _ in range(len(spans) + 1):       # a later deadline may take in a later suspension
            k = sum(clock.elapsed(self.cal, max(a, start), min(b or now, now))
                    for a, b, _r in spans if a < _moment(d.at or d.day) and (b or now) > start)
            k = min(k, self.pol.suspend_limit)
            if k <= counted:
                break
            d, counted = clock.extend(self.cal, d, k - counted), k
        self.stopped = max(self.stopped, counted)
        return d

    # --- the rules -----------------------------------------------------------------------------

    def forward(self):
        """转办: within forward_limit of registration (武威 第六条: 两个工作日内分送); an escalation
        ends the escalating person's clock too."""
        s, start = self.s, self.s.round_started_at
        d = self.due(self.clock, start, self.pol.forward_limit)
        self.dl.forward_by = d.day
        self._keep("forward_by", d)
        what = "登记" if s.round == 1 else "重办"
        if s.routed_at is not None:
            if d.late(s.routed_at):
                self.p("forward-late", f"{what}于 {self.when(self.clock, start)}，最迟 {d.zh()} 转办或答复，"
                       f"实际 {self.when(self.clock, s.routed_at)}", "events", d)
        elif self.final and not s.closed and d.late(self.now):
            self.p("forward-late", f"{what}于 {self.when(self.clock, start)}，最迟 {d.zh()} 转办或答复，至今未办", "events", d)

    def sign_off(self):
        """签收: each forwarding or referral is accepted (or returned) within sign_off_limit; each
        escalation answered or passed on within escalation_limit."""
        pending = None
        esc_limit = self.pol.escalation_limit if self.pol.escalation_limit is not None else self.pol.sign_off_limit
        for j, ev in enumerate(self.events):
            if not isinstance(ev, dict):
                continue
            action, at = ev.get("action"), to_datetime(ev.get("at"))
            if at is None:
                continue
            i = self.base + j
            if action in ("forwarded", "referred", "escalated"):
                if pending and pending[1].late(at):     # passed on: the last recipient has acted
                    self._late_sign(pending, at)
                limit = esc_limit if action == "escalated" else self.pol.sign_off_limit
                pending = (i, self.due(self.clock, at, limit), action, ev.get("to"))
            elif action in ("accepted", "returned", "answered", "explained", "completed") and pending:
                if pending[1].late(at):
                    self._late_sign(pending, at)
                pending = None
        if pending and not self.s.closed and self.final:
            self.dl.accept_by = pending[1].day
            self._keep("accept_by", pending[1])
            if pending[1].late(self.now):
                self._late_sign(pending, None)

    def _late_sign(self, pending, at):
        i, d, action, to = pending
        done = f"实际 {self.when(self.clock, at)}" if at else "至今未办"
        if action == "escalated":
            msg = f"上报{self.rules.who(to)}后，最迟 {d.zh()} 答复或继续上报，{done}"
        else:
            msg = f"{'转办' if action == 'forwarded' else '引导'}后，最迟 {d.zh()} 签收，{done}"
        self.p("accept-late", msg, f"events[{i}]", d)

    def promise(self):
        """承诺: an accepted 承诺件 needs a promised date within the service's limits."""
        s, service, clock = self.s, self.service, self.svc_clock
        if s.accepted_at is None:
            return
        acc = s.accepted_at
        if service is not None:
            # the limits only matter (and only need the calendar) once a date is promised
            limit = self.due(clock, acc, service.promised_days, s.due is not None or s.completed_at is None)
            legal = self.due(clock, acc, service.legal_days, bool(s.extensions))
            for j, ev in enumerate(self.events):
                if not isinstance(ev, dict) or ev.get("action") not in ("promised", "extended"):
                    continue
                due = to_date(ev.get("due"))
                if due is None:
                    continue
                fld = f"events[{self.base + j}].due"
                if ev["action"] == "promised" and limit.late(due):
                    self.p("promise-exceeds-limit", f"承诺 {zh_day(due)} 超过《{service.name}》承诺时限 "
                           f"{clock.label(service.promised_days)}（最迟 {limit.zh()}）", fld, limit)
                elif legal.late(due):
                    self.p("promise-exceeds-limit", f"办结日期 {zh_day(due)} 超过《{service.name}》法定时限 "
                           f"{clock.label(service.legal_days)}（最迟 {legal.zh()}）", fld, legal)
            if service.kind == PROMISED and s.due is None and s.completed_at is None and not s.closed:
                by = self.due(self.clock, acc, self.pol.promise_limit)
                self.dl.promise_by = by.day
                self._keep("promise_by", by)
                if self.final and by.late(self.now):
                    self.p("promise-missing", f"承诺件于 {self.when(self.clock, acc)} 受理，最迟 {by.zh()} "
                           "承诺办结时限，至今未承诺", "events", by)
            elif service.kind == PROMISED and s.due is not None:
                self._late_promise(acc)
            if s.due is None and service.kind != PROMISED:
                self.dl.due = limit.day   # a 即办件 is due within its own limit without a promise
                self._keep("due", limit)
        if s.due is not None:
            promised = s.promised_at or acc
            d = self.stop(clock, promised, Due(s.due))
            self.dl.due = d.day
            self._keep("due", d)

    def _late_promise(self, acc):
        """A promise made after its limit stands as a missed one, as a late forward or sign-off does: the
        first promise since this acceptance is the one the limit is about (a later one only moves the date)."""
        for j, ev in enumerate(self.events):
            at = to_datetime(ev.get("at")) if isinstance(ev, dict) and ev.get("action") == "promised" else None
            if at is not None and at >= acc:
                by = self.due(self.clock, acc, self.pol.promise_limit)
                if by.late(at):
                    self.p("promise-missing", f"承诺件于 {self.when(self.clock, acc)} 受理，最迟 {by.zh()} "
                           f"承诺办结时限，实际 {self.when(self.clock, at)} 才承诺", f"events[{self.base + j}]", by)
                return

    def extensions(self):
        """延期: only before the old due date."""
        cur = None
        for j, ev in enumerate(self.events):
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
                    self.p("extension-late", f"延期登记于 {zh_day(local_day(at))}，已过原办结日期 {zh_day(cur)}；"
                           "延期须在到期前办理", f"events[{self.base + j}].at")
                cur = to_date(ev.get("due")) or cur

    def followup(self):
        """差评回访: a bad rating (1–2 of 5) is followed up within followup_limit."""
        s, pol = self.s, self.pol
        if s.rating not in pol.bad_ratings or s.rated_at is None:
            return
        by = self.due(self.clock, s.rated_at, pol.followup_limit)
        label = pol.satisfaction.get(s.rating, s.rating)
        after = [f for f in s.followups if f >= s.rated_at]
        rated = self.when(self.clock, s.rated_at)
        if after:
            if by.late(after[0]):
                self.p("followup-late", f"{rated} 评价为{label}，最迟 {by.zh()} 回访，实际 {self.when(self.clock, after[0])}",
                       "events", by)
        elif by.late(self.now):
            self.p("followup-late", f"{rated} 评价为{label}，最迟 {by.zh()} 回访，至今未回访", "events", by)

    def overdue(self):
        s, dl = self.s, self.dl
        d = Due(dl.due, dl.times.get("due"), "due" in dl.provisional) if dl.due else None
        if self.final and d and s.completed_at is None and not s.closed and d.late(self.now):
            dl.overdue = True
            past = self.cal.count(d.day, self.today) if self.svc_clock.unit == "workdays" else (self.today - d.day).days
            unit = "个工作日" if self.svc_clock.unit == "workdays" else "天"
            self.p("overdue", f"最迟 {d.zh()} 办结，至今未办结（已超 {past} {unit}）", "events", d)
        now = self.now
        stood = sum(self.clock.elapsed(self.cal, a, min(b or now, now)) for a, b, _r in s.suspensions)
        if stood > self.pol.suspend_limit:
            self.p("suspend-exceeded", f"暂停计时已达规定上限 {self.clock.label(self.pol.suspend_limit)}，"
                   "超出部分照常计时", "events")
        if not s.closed:
            opens = [x for x in (dl.accept_by, dl.promise_by,
                                 dl.forward_by if s.routed_at is None else None,
                                 dl.due if s.completed_at is None else None) if x]
            dl.next_deadline = min(opens) if opens else None
        dl.suspended = self.stopped

    def _keep(self, name, d: Due):
        if d.provisional:
            self.dl.provisional.add(name)
        if d.at is not None:
            self.dl.times[name] = d.at

    def run(self):
        self.forward()
        self.sign_off()
        self.promise()
        self.extensions()
        self.followup()
        self.overdue()
        return self


def inquiry_deadlines(rid: str, path: str, events: list, s: State, service, rules: Rules,
                      today: date | datetime) -> tuple[Deadlines, list[Problem]]:
    """The deadlines of every round and what was or is late, as of `today` (a day: as of its end) or of a
    moment (`check --now`)."""
    if s.registered_at is None:
        return Deadlines(), []
    rounds = [*s.previous, s]
    out: list[Problem] = []
    spans = []
    last = None
    for k, st in enumerate(rounds):
        start = st.round_index
        end = rounds[k + 1].round_index if k + 1 < len(rounds) else len(events)
        last = _Round(rid, path, events[start:end], start, st, service, rules, today, st is s).run()
        out += last.out
        spans += last.spans
    cal, pol = rules.calendar, rules.policy
    years = sorted({y for a, b in spans for y in cal.uncovered_years(a, b)})
    for y in years:
        out.append(Problem("calendar-uncovered",
                           f"{y}年的法定节假日安排不在日历数据中，暂按周一至周五计算工作日；请在 rules/calendar.yml 的 years.{y} 中填写当年安排，或升级 chinesecalendar",
                           path=path, record=rid, field="events", severity=ERROR if pol.calendar_strict else WARNING))
    return last.dl, out
