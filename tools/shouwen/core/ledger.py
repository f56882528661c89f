"""All records checked together (pure): per-record state, deadlines and problems, plus the
problems only the whole ledger shows (duplicate ids, policy validity)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .clock import zh_day
from .deadlines import Deadlines, inquiry_deadlines
from .departed import handover_problems
from .fold import State
from .corrections import correction_problems, fold_corrections
from .problems import CODES, ERROR, Problem
from .record import Record, local_day
from .rules import Rules
from .accountability import ACCOUNT_EVENTS, Complaint, complaint_deadlines, read_account
from .ladder import check_sanctions, missing_sanctions
from .roles import record_role_problems
from .validate import check_id, check_inquiry, well_typed
from .skew import SKEW_TOLERANCE, clock_skew, latest_events  # noqa: F401  (where the writer and check find them)


@dataclass
class Entry:
    record: Record
    state: State | None
    deadlines: Deadlines | None
    problems: list[Problem] = field(default_factory=list)
    account: object = None            # a Complaint, Inspection or Commendation for those kinds
    corrections: list = field(default_factory=list)   # core.corrections.Correction, in order
    voided: object = None             # core.corrections.Void: 作废, out of every count

    @property
    def forwarded(self) -> bool:
        """Whether an event forwards the matter (the assessment counts it as `转办`), from the events; a handover to a
        colleague of the `科室` whose handler left (`移交`) is none."""
        return any(isinstance(ev, dict) and ev.get("action") == "forwarded" and not ev.get("handover")
                   for ev in self.record.events)

    @property
    def latest_at(self):
        """The latest event's time (clock skew), None without a folded state."""
        return None if self.state is None else self.state.latest_at

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


@dataclass
class Ledger:
    entries: list[Entry]
    problems: list[Problem]           # every problem, rules and ledger-wide ones included
    by_id: dict[str, Entry]           # voided records too: what refers to them still resolves
    voided: list[Entry] = field(default_factory=list)   # 作废: checked, shown, never counted
    moment_bound: bool = False        # judged as of a moment with an hour clock running: not the day's alone


def evaluate(rec: Record, rules: Rules, today: date, rules_on=None) -> Entry:
    """One record's state and problems. `rules_on(day)`: the rules as they stood that day (roles are
    judged by the roster of the event's day); the current rules when not given. A record that meets a bug
    of ours is reported as `internal-error` and set aside, so the rest of the ledger is still read; an
    unreadable rules file's echoes are muted."""
    try:
        entry = _evaluate_corrected(rec, rules, today, rules_on)
    except Exception as e:
        return Entry(rec, None, None, [Problem("internal-error", f"内部错误（{type(e).__name__}: {e}），请报告维护人员",
                                               path=rec.path, record=rec.id)])
    echoes = rules.echoes()
    if echoes:
        entry.problems = [p for p in entry.problems if p.code not in echoes]
    return entry


def _evaluate_corrected(rec: Record, rules: Rules, today: date, rules_on) -> Entry:
    fixes, void = [], None
    typed = well_typed(rec)      # a value of the wrong type: reported by the typed checks, nothing more read
    if typed:
        # the record as it now reads: its header with the corrections applied
        meta, fixes, void = fold_corrections(rec.meta)
        if meta is not rec.meta:
            rec = Record(rec.path, meta, rec.body, rec.problems, rec.noncanonical)
    entry = _evaluate(rec, rules, today, rules_on)
    entry.corrections, entry.voided = fixes, void
    if typed:
        entry.problems.extend(correction_problems(rec, rules.policy.correctable))
    if void is not None:   # a void record owes no deadline any more
        entry.problems = [p for p in entry.problems if CODES.get(p.code, ("",))[0] != "deadline"]
        entry.deadlines = None
    if rec.noncanonical is not None:
        entry.problems.insert(0, rec.noncanonical)
    if typed:
        entry.problems.extend(record_role_problems(rec, rules_on or (lambda day: rules)))
    return entry


def _evaluate(rec: Record, rules: Rules, today: date | datetime, rules_on=None) -> Entry:
    """`today`: a day, judged as of its end, or a moment (an hour clock's deadline passes within a day)."""
    if rec.kind != "inquiries":
        if isinstance(today, datetime):
            today = local_day(today)
        probs = list(rec.problems) or check_id(rec)
        account = None
        if not rec.problems and rec.kind in ACCOUNT_EVENTS:
            account, more = read_account(rec, rules, rules_on)
            probs.extend(more)
            if isinstance(account, Complaint):
                probs.extend(complaint_deadlines(account, rules, today))
        return Entry(rec, None, None, probs, account)
    probs, state = check_inquiry(rec, rules, rules_on)
    probs.extend(handover_problems(rec, state, rules))
    dl = None
    if state is not None and state.registered_at is not None:
        service = rules.service_for(rec.meta.get("service"))
        dl, more = inquiry_deadlines(rec.id, rec.path, rec.events, state, service, rules, today)
        probs.extend(more)
    return Entry(rec, state, dl, probs)


def build(records: list[Record], rules: Rules, today: date | datetime, rules_on=None) -> Ledger:
    """Every record judged as of `today` (as of its end) or of a moment."""
    day = local_day(today) if isinstance(today, datetime) else today
    return judge([evaluate(r, rules, today, rules_on) for r in records], rules, day, rules_on)


def judge(entries: list[Entry], rules: Rules, today: date, rules_on=None) -> Ledger:
    """What only the whole ledger shows, over entries evaluated one by one (perhaps long ago: the
    index keeps them), reading their ids, paths and accountability data, never their records' files.
    A voided entry is checked and kept by id, but counted nowhere. (core.ledger_delta keeps the same
    judgement as a summary that a changed record patches.)"""
    voided = [e for e in entries if e.voided is not None]
    problems = list(rules.problems)
    by_id: dict[str, Entry] = {}
    for e in entries:
        rid = e.record.id
        if rid and rid in by_id:
            e.problems = [*e.problems, duplicate_id(rid, by_id[rid].record.path, e.record.path)]    # not in place:
            # an entry read from the index shares one empty list with the others (repo.index_rows.EMPTY)
        elif rid:
            by_id[rid] = e
        problems.extend(e.problems)
    entries = [e for e in entries if e.voided is None]
    complaints = [e.account for e in entries if isinstance(e.account, Complaint)]
    for e in entries:
        ref = getattr(e.account, "inquiry", None)
        if ref and ref not in by_id:
            p = unknown_inquiry(ref, e.record.path, e.record.id)
            e.problems = [*e.problems, p]
            problems.append(p)
    problems.extend(sanctions(complaints, rules, today, rules_on))
    problems.extend(expiry(rules, today))
    return Ledger(entries, problems, by_id, voided)


def duplicate_id(rid: str, first: str, path: str) -> Problem:
    return Problem("id-duplicate", f"id {rid} 已被 {first} 使用；两件事项不能共用一个编号", path=path, record=rid, field="id")


def unknown_inquiry(ref, path: str, rid: str | None) -> Problem:
    return Problem("inquiry-unknown", f"所指事项 {ref} 不存在", path=path, record=rid, field="inquiry")


def sanctions(complaints: list, rules: Rules, today: date, rules_on=None) -> list[Problem]:
    """The ladder's judgement over every complaint not voided, in path order."""
    found = check_sanctions(rules.policy.ladders, complaints, rules, rules_on) if rules.policy.ladders else []
    return found + missing_sanctions(complaints, rules, today)


def expiry(rules: Rules, today: date) -> list[Problem]:
    pol = rules.policy
    if pol.expires and today > pol.expires:
        return [Problem("policy-expired", f"首问责任制规定已于 {zh_day(pol.expires)} 失效，请修订并更新有效期",
                        path="rules/policy.yml", field="expires")]
    return []
