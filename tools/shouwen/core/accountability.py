"""Accountability records (pure): complaints (投诉), inspections (检查), commendations (表扬).

Like inquiries, each is a record whose events are the truth. A complaint names the staff complained
against, the inquiry when there is one, the channel, and later a verdict (查实/不实) with the liable
staff, who may differ from those complained against (the hotel scheme makes a non-cooperating
colleague answer instead), and the sanctions actually decided. The complainant's personal data is
kept like a visitor's: in the record, never on the site.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .problems import Problem
from .record import Record, local_day, to_datetime
from .validate import check_event_shape

COMPLAINT_CHANNELS = {"box": "意见箱", "hotline": "举报电话", "center": "投诉中心", "visit": "来访",
                      "phone": "来电", "letter": "来信", "online": "网上"}
FINDINGS = {"substantiated": "查实", "unfounded": "不实"}
# kind -> action -> (required, optional) fields; every event also has at/by/action
ACCOUNT_EVENTS = {
    "complaints": {"registered": ((), ()), "verdict": (("finding", "reason"), ("liable", "severity")),
                   "sanctioned": (("staff", "measures"), ("bonus_deduction", "decision", "deviation")),
                   "note": (("text",), ())},
    "inspections": {"inspected": (("findings",), ()), "note": (("text",), ())},
    "commendations": {"commended": (("note",), ()), "note": (("text",), ())},
}
HEADER = {
    "complaints": {"id": True, "channel": True, "against": True, "summary": True, "inquiry": False,
                   "complainant": False, "events": True},
    "inspections": {"id": True, "staff": True, "events": True},
    "commendations": {"id": True, "staff": True, "inquiry": False, "events": True},
}
ACTION_ZH = {"registered": "登记", "verdict": "结论", "sanctioned": "处理", "note": "备注",
             "inspected": "检查", "commended": "表扬"}


@dataclass
class Verdict:
    at: datetime
    by: str
    finding: str
    liable: list
    severity: str | None
    reason: str

    @property
    def day(self) -> date:
        return local_day(self.at)


@dataclass
class Sanction:
    index: int
    at: datetime
    by: str
    staff: str
    measures: list
    bonus_deduction: float | None
    decision: str | None
    deviation: str | None


@dataclass
class Complaint:
    id: str
    path: str
    channel: str
    against: list
    inquiry: str | None
    registered_at: datetime | None
    verdict: Verdict | None = None
    sanctions: list = field(default_factory=list)


@dataclass
class Inspection:
    id: str
    path: str
    staff: str
    at: datetime
    by: str
    findings: list          # [{item, passed, note}]

    @property
    def failed(self) -> list:
        return [f for f in self.findings if not f.get("passed")]


@dataclass
class Commendation:
    id: str
    path: str
    staff: str
    at: datetime
    by: str
    inquiry: str | None
    note: str


def _badges(v) -> list:
    if v is None:
        return []
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def read_account(rec: Record, rules) -> tuple[object | None, list[Problem]]:
    """Check one accountability record; returns its parsed form (None when unusable) and problems."""
    kind = rec.kind
    out: list[Problem] = []
    rid, path = rec.id, rec.path

    def p(code, f, msg):
        out.append(Problem(code, msg, path=path, record=rid, field=f))

    meta = rec.meta
    for k, required in HEADER[kind].items():
        if required and meta.get(k) in (None, "", []):
            p("field-missing", k, f"缺少 {k}")
    for k in meta:
        if k not in HEADER[kind]:
            p("field-unknown", k, f"未知字段 {k}")
    events = meta.get("events") if isinstance(meta.get("events"), list) else []
    staff_fields = ["against"] if kind == "complaints" else ["staff"]
    for f in staff_fields:
        for b in _badges(meta.get(f)):
            if b not in rules.staff:
                p("staff-unknown", f, f"工号 {b} 不在 rules/staff.yml 中")
    if kind == "complaints" and meta.get("channel") is not None and meta.get("channel") not in COMPLAINT_CHANNELS:
        p("field-invalid", "channel", f"渠道 {meta.get('channel')!r} 不对；可用："
          + "、".join(f"{k} {v}" for k, v in COMPLAINT_CHANNELS.items()))
    person = meta.get("complainant")
    if person is not None and not isinstance(person, dict):
        p("field-invalid", "complainant", "complainant 应为映射（name、phone……）")
    parsed = []
    for i, ev in enumerate(events):
        probs, usable = check_event_shape(i, ev, rec, rules, ACCOUNT_EVENTS[kind])
        out.extend(probs)
        if not usable:
            continue
        at = to_datetime(ev["at"])
        if parsed and at < parsed[-1][2]:
            p("event-order", f"events[{i}].at", "事件时间早于前一条事件，事件须按时间顺序追加")
        parsed.append((i, ev, at))
    if out and any(x.code in ("field-missing", "field-invalid") and not (x.field or "").startswith("events") for x in out):
        return None, out
    if kind == "complaints":
        return _complaint(rec, parsed, rules, p), out
    first = next(((i, ev, at) for i, ev, at in parsed if ev.get("action") in ("inspected", "commended")), None)
    if first is None:
        p("field-missing", "events", "缺少 inspected/commended 事件")
        return None, out
    i, ev, at = first
    if kind == "inspections":
        findings = []
        for j, f in enumerate(ev.get("findings") or []):
            if not isinstance(f, dict) or not f.get("item") or not isinstance(f.get("passed"), bool):
                p("field-invalid", f"events[{i}].findings[{j}]", "每项检查结果须有 item（项目）和 passed(true/false)")
                continue
            findings.append(f)
        return Inspection(rid, path, str(meta.get("staff")), at, ev.get("by"), findings), out
    return Commendation(rid, path, str(meta.get("staff")), at, ev.get("by"), meta.get("inquiry"), str(ev.get("note") or "")), out


def _complaint(rec: Record, parsed, rules, p) -> Complaint:
    meta = rec.meta
    c = Complaint(rec.id, rec.path, str(meta.get("channel")), _badges(meta.get("against")), meta.get("inquiry"), None)
    for i, ev, at in parsed:
        action = ev.get("action")
        if action == "registered":
            if c.registered_at is not None:
                p("event-order", f"events[{i}]", "重复登记")
            c.registered_at = at
        elif c.registered_at is None:
            p("event-order", f"events[{i}]", "第一条事件应为 registered（登记）")
        elif action == "verdict":
            if c.verdict is not None:
                p("event-order", f"events[{i}]", "已有结论；结论不能改写，如需复查请另行记录")
                continue
            finding = ev.get("finding")
            if finding not in FINDINGS:
                p("field-invalid", f"events[{i}].finding", f"结论应为 substantiated（查实）或 unfounded（不实），实为 {finding!r}")
                continue
            liable = _badges(ev.get("liable")) or (c.against if finding == "substantiated" else [])
            for b in liable:
                if b not in rules.staff:
                    p("staff-unknown", f"events[{i}].liable", f"工号 {b} 不在 rules/staff.yml 中")
            sev = ev.get("severity")
            lad = rules.policy.ladder
            if finding == "substantiated" and lad is not None and lad.kind == "severity":
                if sev is None:
                    p("field-missing", f"events[{i}].severity", f"按情节追究，查实的投诉须认定情节：{'、'.join(lad.levels)}")
                elif str(sev) not in lad.levels:
                    p("field-invalid", f"events[{i}].severity", f"情节 {sev!r} 不在规定中：{'、'.join(lad.levels)}")
            c.verdict = Verdict(at, ev.get("by"), finding, liable, str(sev) if sev is not None else None, str(ev.get("reason") or ""))
        elif action == "sanctioned":
            if c.verdict is None or c.verdict.finding != "substantiated":
                p("event-order", f"events[{i}]", "只有查实的投诉才能据以处理")
                continue
            measures = ev.get("measures")
            measures = [measures] if isinstance(measures, str) else list(measures or [])
            bonus = ev.get("bonus_deduction")
            if bonus is not None and (isinstance(bonus, bool) or not isinstance(bonus, (int, float)) or not 0 <= bonus <= 1):
                p("field-invalid", f"events[{i}].bonus_deduction", f"扣罚比例应为 0 到 1 之间（如 0.2），实为 {bonus!r}")
                bonus = None
            c.sanctions.append(Sanction(i, at, ev.get("by"), str(ev.get("staff")), [str(m) for m in measures],
                                        float(bonus) if bonus is not None else None, ev.get("decision"), ev.get("deviation")))
    return c


def complaint_deadlines(c: Complaint, rules, today: date) -> list[Problem]:
    """`verdict-late`: a verdict within the policy's limit of working days after registration."""
    if c.registered_at is None:
        return []
    due = rules.calendar.add(local_day(c.registered_at), rules.policy.verdict_limit)
    where = dict(path=c.path, record=c.id, field="events")
    if c.verdict is not None:
        if c.verdict.day > due:
            return [Problem("verdict-late", f"投诉登记于 {local_day(c.registered_at)}，应在 {due} 前作出结论，实际 {c.verdict.day}", **where)]
    elif today > due:
        return [Problem("verdict-late", f"投诉登记于 {local_day(c.registered_at)}，应在 {due} 前作出结论，至今未结论", **where)]
    return []
