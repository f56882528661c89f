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

from .assessment import parse_quarter
from .corrections import MENDING_EVENTS
from .departed import after_left
from .problems import Problem
from .record import Record, local_day, to_datetime
from .clock import zh_day
from .ladder import categories, ladder_for
from .phones import phone_problems
from .roles import AGENCY, agency_head
from .schema import List, Map, OneOf, Str
from .validate import check_event_shape, check_types
from .quote import quoted

COMPLAINT_CHANNELS = {"box": "意见箱", "book": "意见簿", "hotline": "举报电话", "center": "投诉中心",
                      "jijian": "纪检监察机关", "visit": "来访", "phone": "来电", "letter": "来信", "online": "网上"}
FINDINGS = {"substantiated": "查实", "unfounded": "不实"}
# kind -> action -> (required, optional) fields; every event also has at/by/action
ACCOUNT_EVENTS = {
    "complaints": {"registered": ((), ()), "verdict": (("finding", "reason"), ("liable", "severity")),
                   "sanctioned": (("staff", "measures"), ("bonus_deduction", "decision", "deviation")),
                   "note": (("text",), ()), **MENDING_EVENTS},
    "inspections": {"inspected": (("findings",), ()), "note": (("text",), ()), **MENDING_EVENTS},
    "commendations": {"commended": (("note",), ()), "note": (("text",), ()), **MENDING_EVENTS},
    # 先由各科室写出书面情况汇报 (S1 考核制度): one per department per quarter
    "reports": {"submitted": (("summary",), ()), "note": (("text",), ()), **MENDING_EVENTS},
}
HEADER = {
    "complaints": {"id": True, "channel": True, "against": True, "summary": True, "inquiry": False,
                   "complainant": False, "category": False, "witnesses": False, "events": True},
    "inspections": {"id": True, "staff": True, "events": True},
    "commendations": {"id": True, "staff": True, "inquiry": False, "events": True},
    "reports": {"id": True, "department": True, "quarter": True, "events": True},
}
_LINE, _TEXT = Str(line=True, max_len=500, markdown=False), Str(markdown=False)
_BADGES = OneOf(_LINE, List(_LINE))
# The typed layer of each kind's header: a list where an id is due is reported by name and the record
# set aside, so nothing downstream hashes or compares a value of the wrong type.
HEADER_VALUES = {
    "complaints": Map({"id": _LINE, "channel": _LINE, "against": _BADGES, "summary": _TEXT, "inquiry": _LINE,
                       "category": _LINE, "witnesses": _BADGES,
                       "complainant": Map({k: _LINE for k in ("name", "phone", "organization", "address")})}),
    "inspections": Map({"id": _LINE, "staff": _LINE}),
    "commendations": Map({"id": _LINE, "staff": _LINE, "inquiry": _LINE}),
    "reports": Map({"id": _LINE, "department": _LINE, "quarter": _LINE}),
}
ACTION_ZH = {"registered": "登记", "verdict": "结论", "sanctioned": "处理", "note": "备注",
             "inspected": "检查", "commended": "表扬", "submitted": "报送",
             "corrected": "更正", "voided": "作废"}


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
    category: str | None = None       # 推诿扯皮, 吃拿卡要 …: which ladder governs it
    witnesses: list = field(default_factory=list)   # staff who saw it (酒店: 其他员工见证)


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
class Report:
    """A department's written quarterly report on how it ran the scheme (书面情况汇报)."""
    id: str
    path: str
    department: str
    quarter: str
    at: datetime
    by: str
    summary: str


@dataclass
class Commendation:
    id: str
    path: str
    staff: str
    at: datetime
    by: str
    inquiry: str | None
    note: str


def answerable(against: list, rules) -> list:
    """Who answers for a substantiated complaint by default: a person for themselves; a department by
    its head, the agency by its principal head (S2 第四条: 主要负责人对本机关实施首问责任制负总责)."""
    out = []
    for ref in against:
        if ref in rules.staff:
            pass
        elif rules.policy.department_liability != "head":
            continue
        elif ref == AGENCY:
            ref = agency_head(rules)
        elif ref in rules.departments:
            ref = rules.departments[ref].head
        if ref and ref not in out:
            out.append(ref)
    return out


def _badges(v) -> list:
    if v is None:
        return []
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def read_account(rec: Record, rules, rules_on=None) -> tuple[object | None, list[Problem]]:
    """Check one accountability record; returns its parsed form (None when unusable) and problems.
    `rules_on(day)`: the rules as they stood that day (who headed a department on a verdict's day)."""
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
    typed = check_types(meta, HEADER_VALUES[kind], rec)
    if typed:
        return None, out + typed
    events = meta.get("events") if isinstance(meta.get("events"), list) else []
    if kind == "complaints":
        for b in _badges(meta.get("against")):
            if b not in rules.staff and b not in rules.departments and b != AGENCY:
                p("staff-unknown", "against", f"{b} 既不是 rules/staff.yml 中的工号，也不是部门 id，也不是 {AGENCY}（本机关）")
        for b in _badges(meta.get("witnesses")):
            if b not in rules.staff:
                p("staff-unknown", "witnesses", f"见证人工号 {b} 不在 rules/staff.yml 中")
        cats = categories(rules.policy.ladders)
        cat = meta.get("category")
        if cat is not None and cats and cat not in cats:
            p("field-invalid", "category", f"投诉类别{quoted(cat)}不在追究规定中：{'、'.join(cats)}")
        elif cat is None and len(rules.policy.ladders) > 1:
            p("field-missing", "category", f"本单位按投诉类别追究，须写明类别：{'、'.join(cats)}")
    elif kind == "reports":
        if meta.get("department") is not None and meta.get("department") not in rules.departments:
            p("department-unknown", "department", f"部门 {meta.get('department')} 不在 rules/institution.yml 中")
        qt = str(meta.get("quarter") or "")
        if qt and not (len(qt) == 6 and qt[4] == "Q" and parse_quarter(qt)):        # 0000Q1: no quarter
            p("field-invalid", "quarter", f"季度{quoted(qt)}格式不对，应为 YYYYQn，如 2026Q3")
    else:
        for b in _badges(meta.get("staff")):
            if b not in rules.staff:
                p("staff-unknown", "staff", f"工号 {b} 不在 rules/staff.yml 中")
    if kind == "complaints" and meta.get("channel") is not None and meta.get("channel") not in COMPLAINT_CHANNELS:
        p("field-invalid", "channel", f"渠道{quoted(meta.get('channel'))}不对；可用："
          + "、".join(f"{k} {v}" for k, v in COMPLAINT_CHANNELS.items()))
    person = meta.get("complainant")
    if person is not None and not isinstance(person, dict):
        p("field-invalid", "complainant", "complainant 应为映射（name、phone……）")
    elif person is not None:
        out.extend(phone_problems(rec))
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
        return _complaint(rec, parsed, rules, p, rules_on or (lambda day: rules)), out
    first = next(((i, ev, at) for i, ev, at in parsed if ev.get("action") in ("inspected", "commended", "submitted")), None)
    if first is None:
        p("field-missing", "events", "缺少 inspected/commended/submitted 事件")
        return None, out
    i, ev, at = first
    if kind == "reports":
        return Report(rid, path, str(meta.get("department")), str(meta.get("quarter")), at, ev.get("by"),
                      str(ev.get("summary") or "")), out
    if kind == "inspections":
        findings = []
        for j, f in enumerate(ev.get("findings") or []):
            if not isinstance(f, dict) or not f.get("item") or not isinstance(f.get("passed"), bool):
                p("field-invalid", f"events[{i}].findings[{j}]", "每项检查结果须有 item（项目）和 passed(true/false)")
                continue
            findings.append(f)
        why = after_left(rules, meta.get("staff"), ev.get("at"), "inspected")
        if why:
            p("staff-left", "staff", why)
        return Inspection(rid, path, str(meta.get("staff")), at, ev.get("by"), findings), out
    return Commendation(rid, path, str(meta.get("staff")), at, ev.get("by"), meta.get("inquiry"), str(ev.get("note") or "")), out


def _complaint(rec: Record, parsed, rules, p, rules_on) -> Complaint:
    meta = rec.meta
    c = Complaint(rec.id, rec.path, str(meta.get("channel")), _badges(meta.get("against")), meta.get("inquiry"), None,
                  category=meta.get("category"), witnesses=_badges(meta.get("witnesses")))
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
                p("field-invalid", f"events[{i}].finding", f"结论应为 substantiated（查实）或 unfounded（不实），实为{quoted(finding)}")
                continue
            # a department answers by the head it had on the verdict's day: a later move changes nothing
            liable = _badges(ev.get("liable")) or (answerable(c.against, rules_on(local_day(at)))
                                                   if finding == "substantiated" else [])
            for b in liable:
                if b not in rules.staff and b not in rules_on(local_day(at)).staff:
                    p("staff-unknown", f"events[{i}].liable", f"工号 {b} 不在 rules/staff.yml 中")
            sev = ev.get("severity")
            lad = ladder_for(rules.policy.ladders, c.category)
            if finding == "substantiated" and lad is not None and lad.kind == "severity":
                if sev is None:
                    p("field-missing", f"events[{i}].severity", f"按情节追究，查实的投诉须认定情节：{'、'.join(lad.levels)}")
                elif str(sev) not in lad.levels:
                    p("field-invalid", f"events[{i}].severity", f"情节{quoted(sev)}不在规定中：{'、'.join(lad.levels)}")
            c.verdict = Verdict(at, ev.get("by"), finding, liable, str(sev) if sev is not None else None, str(ev.get("reason") or ""))
        elif action == "sanctioned":
            if c.verdict is None or c.verdict.finding != "substantiated":
                p("event-order", f"events[{i}]", "只有查实的投诉才能据以处理")
                continue
            measures = ev.get("measures")
            measures = [measures] if isinstance(measures, str) else list(measures or [])
            bonus = ev.get("bonus_deduction")
            if bonus is not None and (isinstance(bonus, bool) or not isinstance(bonus, (int, float)) or not 0 <= bonus <= 1):
                p("field-invalid", f"events[{i}].bonus_deduction", f"扣罚比例应为 0 到 1 之间（如 0.2），实为{quoted(bonus)}")
                bonus = None
            c.sanctions.append(Sanction(i, at, ev.get("by"), str(ev.get("staff")), [str(m) for m in measures],
                                        float(bonus) if bonus is not None else None, ev.get("decision"), ev.get("deviation")))
    return c


def complaint_deadlines(c: Complaint, rules, today: date) -> list[Problem]:
    """`verdict-late`: a verdict within the policy's limit of working days after registration."""
    if c.registered_at is None:
        return []
    due = rules.policy.clock.due(rules.calendar, c.registered_at, rules.policy.verdict_limit)
    where = dict(path=c.path, record=c.id, field="events")
    # a deadline over a year the calendar does not cover yet is provisional: a reminder, not an accusation
    if due.provisional:
        where["severity"] = "warning"
    tail = "（暂定期限：所跨年份的法定节假日安排尚未公布）" if due.provisional else ""
    reg = zh_day(local_day(c.registered_at))
    if c.verdict is not None:
        if due.late(c.verdict.at):
            return [Problem("verdict-late", f"投诉登记于 {reg}，最迟 {due.zh()} 作出结论，实际 {zh_day(c.verdict.day)}{tail}", **where)]
    elif due.late(today):
        return [Problem("verdict-late", f"投诉登记于 {reg}，最迟 {due.zh()} 作出结论，至今未结论{tail}", **where)]
    return []
