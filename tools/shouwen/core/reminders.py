"""Who needs reminding of what (pure): forwards awaiting acceptance, deadlines in the next few
working days, overdue matters, bad ratings to follow up, complaints awaiting a verdict.

Each reminder has a stable key, so whoever sends them can remember what went out and send each
one once (publish/remind.py keeps that memory in .shouwen/).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .accountability import Complaint
from .fold import STAGE_ZH
from .clock import zh_day
from .departed import stand_ins
from .problems import Problem
from .record import local_day
from .worklist import bad_rating_open, next_moment

KINDS = {"forward": "转办待签收", "soon": "期限将到", "overdue": "已超期", "rating": "差评待回访",
         "verdict": "投诉待结论"}


@dataclass(frozen=True)
class Reminder:
    badge: str
    kind: str           # a key of KINDS
    record: str
    due: date | None
    text: str           # one line, in Chinese

    @property
    def key(self) -> str:
        return f"{self.badge}:{self.kind}:{self.record}:{self.due or ''}"


@dataclass(frozen=True)
class Webhook:
    kind: str           # wecom | dingtalk
    url: str
    departments: tuple = ()     # whose reminders go to this group (empty: everyone's)
    secret: str | None = None   # DingTalk's signing secret


@dataclass(frozen=True)
class Settings:
    days: int = 2
    smtp_host: str | None = None
    smtp_port: int = 25
    sender: str = "shouwen@localhost"
    starttls: bool = False
    user: str | None = None
    password_env: str | None = None
    webhooks: tuple = ()


def parse_settings(raw, path: str = "rules/policy.yml") -> tuple[Settings, list[Problem]]:
    """`reminders:` in policy.yml (absent: no e-mail, no webhook)."""
    problems = []
    if raw in (None, {}):
        return Settings(), problems
    if not isinstance(raw, dict):
        return Settings(), [Problem("rules-invalid", "reminders 应为键值映射", path=path, field="reminders")]
    email = raw.get("email") or {}
    hooks = []
    for i, h in enumerate(raw.get("webhooks") or []):
        if not isinstance(h, dict) or h.get("kind") not in ("wecom", "dingtalk") or not h.get("url"):
            problems.append(Problem("rules-invalid", "每个 webhook 须有 kind（wecom 企业微信或 dingtalk 钉钉）和 url",
                                    path=path, field=f"reminders.webhooks[{i}]"))
            continue
        hooks.append(Webhook(h["kind"], str(h["url"]), tuple(h.get("departments") or ()), h.get("secret")))
    try:
        days, port = int(raw.get("days", 2)), int(email.get("port", 25))
    except (TypeError, ValueError):
        problems.append(Problem("rules-invalid", "reminders.days 和 email.port 应为整数", path=path, field="reminders"))
        days, port = 2, 25
    return Settings(days, email.get("host"), port, email.get("from") or "shouwen@localhost",
                    bool(email.get("starttls")), email.get("user"), email.get("password_env"), tuple(hooks)), problems


def _who_handles(st, rules) -> list[str]:
    """The handler; for a matter addressed to a department, its head (or everyone in it without one)."""
    if st.handler in rules.staff:
        return [st.handler]
    dept = rules.departments.get(st.handler or "")
    if dept is None:        # someone the roster no longer holds (left, or a broken line): remind says so
        return [st.handler] if st.handler else []
    if dept.head:
        return [dept.head]
    return sorted(s.badge for s in rules.staff.values() if s.department == dept.id)


def _judges(rules, by: str | None, against: list) -> list[str]:
    """Who is to give a complaint's verdict: its registrant where the policy lets him and he is not in the
    line of those complained against; else the heads who may give it, else all who may."""
    from .roles import conflict, may
    if by and by in rules.staff and may(rules, by, "verdict") and not conflict(rules, by, against):
        return [by]
    able = [b for b in sorted(rules.staff) if may(rules, b, "verdict") and not conflict(rules, b, against)]
    return [b for b in able if rules.staff[b].role == "head"] or able


def _by(due: date, today: date, act: str) -> str:
    """`请在 X 前签收`, or, once X has passed, that it has."""
    return f"请在 {zh_day(due)} 前{act}" if due >= today else f"{act}期限 {zh_day(due)} 已过，请尽快{act}"


def reminders(ledger, rules, today: date, days: int, now: datetime | None = None, entries=None) -> list[Reminder]:
    """`now`: the moment it runs at, so a deadline on an hour clock missed earlier today is overdue. `entries`:
    the ledger's entries as the caller walks them (each read once, in order: repo.index_rows.one_at_a_time)."""
    from .view import zh_time
    horizon = rules.calendar.add(today, days)
    out = []
    for e in ledger.entries if entries is None else entries:
        rec, st, dl = e.record, e.state, e.deadlines
        matter = str(rec.meta.get("matter") or rec.meta.get("summary") or "")[:30]
        if st is not None and st.registered_at is not None:
            first = rec.meta.get("first_responder")
            if bad_rating_open(st, rules) and first:
                due = rules.calendar.add(local_day(st.rated_at), rules.policy.followup_limit)
                out.append(Reminder(first, "rating", rec.id, due,
                                    f"{rec.id} {matter}：差评（{st.rating} 分），{_by(due, today, '回访督办')}"))
            if st.closed:
                continue
            if st.stage in ("forwarded", "referred") and dl and dl.accept_by:
                for b in _who_handles(st, rules):
                    out.append(Reminder(b, "forward", rec.id, dl.accept_by,
                                        f"{rec.id} {matter}：{rules.who(first)}转来，{_by(dl.accept_by, today, '签收')}"))
            nxt = dl.next_deadline if dl else None
            if nxt is None:
                continue
            people = {b for b in _who_handles(st, rules) + [first] if b}
            at = next_moment(st, dl)
            late = dl.overdue or nxt < today or at is not None and now is not None and at < now
            kind = "overdue" if late else ("soon" if nxt <= horizon else None)
            if kind is None or st.stage in ("forwarded", "referred"):
                continue
            when = zh_time(at) if at is not None else zh_day(nxt)
            what = f"已超期（期限 {when}）" if kind == "overdue" else f"期限 {when}"
            for b in sorted(people):
                out.append(Reminder(b, kind, rec.id, nxt, f"{rec.id} {matter}：{STAGE_ZH.get(st.stage, '')}，{what}"))
        elif isinstance(e.account, Complaint) and e.account.verdict is None:
            first = rec.events[0] if rec.events and isinstance(rec.events[0], dict) else {}
            due = rules.calendar.add(local_day(e.account.registered_at), rules.policy.verdict_limit) \
                if e.account.registered_at else None
            for b in _judges(rules, first.get("by"), e.account.against):
                out.append(Reminder(b, "verdict", rec.id, due,
                                    f"{rec.id} {matter}：投诉待调查结论" + (f"，期限 {zh_day(due)}" if due else "")))
    out = [r if b == r.badge else Reminder(b, r.kind, r.record, r.due, f"{r.text}（{rules.who(r.badge)}已离职，请安排本科室同事接办）")
           for r in out for b in stand_ins(rules, r.badge, today)]
    return sorted(set(out), key=lambda r: (r.badge, r.due or date.max, r.record, r.kind))
