"""Record and reference checks (pure): small functions over one parsed record and the rules."""
from __future__ import annotations

import functools
import re

from .departed import event_left_problems, handover_event_problems
from .fold import COMMON_FIELDS, EVENT_FIELDS, allowed, fold
from .ids import CODE_RE, parse_id
from .lookup_key import meta_rounds
from .phones import phone_problems
from .problems import Problem
from .record import Record, local_day, to_date, to_datetime
from .rules import Rules
from .sanity import promise_problems
from .schema import Int, List, Map, Phone, Str, clean
from .quote import quoted

_LINE, _TEXT = Str(line=True, max_len=500, markdown=False), Str(markdown=False)
# The typed layer for what a record holds (the phone has its own clearer check below; times, dates and
# scores are checked where their meaning is known). A record with a value of the wrong type is reported
# and set aside, never folded: nothing downstream meets a list where it expects an id.
INQUIRY_VALUES = Map({"id": _LINE, "code": _LINE, "lookup": _LINE, "lookup_rounds": Int(1, 10 ** 9), "channel": _LINE, "first_responder": _LINE, "service": _LINE,
                      "matter": Str(line=True, max_len=2000, markdown=False),
                      "visitor": Map({"name": Str(line=True, max_len=200, markdown=False), "organization": _LINE,
                                      "address": _LINE, "phone": Phone()})})
EVENT_VALUES = Map({**{k: _LINE for k in ("by", "action", "to", "staff", "approver", "severity", "handover")},
                    **{k: _TEXT for k in ("answer", "message", "reason", "result", "method", "text", "comment",
                                          "note", "finding", "decision", "deviation", "review", "late_reason")},
                    "materials": List(_LINE), "liable": List(_LINE), "measures": List(_LINE), "score": Int(-100, 100)})


def well_typed(rec: Record) -> bool:
    """Every value of the record has the type its field needs (what the checks beyond the typed layer,
    the roles, the corrections, may take for granted); the typed checks report the rest by name."""
    if rec.problems or not isinstance(rec.meta.get("events", []), list):
        return False
    if rec.kind == "inquiries" and check_types(rec.meta, INQUIRY_VALUES, rec):
        return False
    if all(isinstance(ev, dict) and not check_types(ev, EVENT_VALUES, rec) for ev in rec.meta.get("events") or []):
        rec.typed = True        # the checks below need not type the same values again (nothing to report)
        return True
    return False


def _typed(rec: Record) -> bool:
    """Whether well_typed found this very record's header and events well typed (a corrected copy is another
    record: typed again)."""
    return rec.__dict__.get("typed", False)


def check_types(value, spec, rec: Record, where: str = "") -> list[Problem]:
    if spec.fine(value):
        return []
    out: list[Problem] = []
    clean(value, spec, rec.path, out, rec.id, where)
    return out

LOOKUP_RE = re.compile(r"[0-9a-f]{64}")
CHANNELS = {"visit": "来访", "phone": "来电", "letter": "来信", "online": "网上"}
INQUIRY_FIELDS = {"id": True, "code": True, "lookup": False, "lookup_rounds": False, "channel": True, "first_responder": True, "visitor": True,
                  "matter": True, "service": False, "imported": False, "events": True}
VISITOR_FIELDS = {"name", "organization", "address", "phone"}


def check_id(rec: Record) -> list[Problem]:
    rid = rec.meta.get("id")
    if rid is None:
        return [Problem("field-missing", "缺少 id", path=rec.path, field="id")]
    parsed = parse_id(rid) if isinstance(rid, str) else None
    if parsed is None:
        return [Problem("field-invalid", f"id {quoted(rid)}格式不对（应为 YYYYMMDD-工号-序号，如 20261127-J017-003）",
                        path=rec.path, record=str(rid), field="id")]
    stem = rec.path.rsplit("/", 1)[-1][:-3]
    kind, day, _, _ = parsed
    # <id>.<code>.md is where sync keeps a second matter that two clones registered under one id
    expected = rid if stem == rid else f"{rid}.{rec.meta.get('code')}"
    if stem != expected or rec.path != f"records/{kind}/{day:%Y}/{day:%m}/{expected}.md":
        return [Problem("id-path-mismatch", f"id {rid} 与文件位置不符，应在 records/{kind}/{day:%Y}/{day:%m}/{rid}.md",
                        path=rec.path, record=rid, field="id")]
    return []


@functools.lru_cache(maxsize=256)
def _fields_of(required: tuple, optional: tuple) -> frozenset:
    """Every field an event with these required and optional fields may have."""
    return frozenset(COMMON_FIELDS).union(required, optional)


def check_event_shape(i: int, ev, rec: Record, rules: Rules, table: dict) -> tuple[list[Problem], bool]:
    """What every record's events share: a mapping with at/by/action, a known action, a readable time,
    a known author, the action's required fields and no others. `table` is action -> (required, optional).
    Returns the problems and whether the event is usable for the record's own checks."""
    out = []

    def p(code, field, msg):
        out.append(Problem(code, msg, path=rec.path, record=rec.id,
                           field=f"events[{i}].{field}" if field else f"events[{i}]"))

    if not isinstance(ev, dict):
        p("field-invalid", None, "事件应为键值映射，如 {at: …, by: …, action: …}")
        return out, False
    typed = [] if _typed(rec) else check_types(ev, EVENT_VALUES, rec, f"events[{i}]")
    if typed:
        return typed, False
    action = ev.get("action")
    for f in ("at", "by", "action"):
        if ev.get(f) in (None, ""):
            p("field-missing", f, f"事件缺少 {f}")
    if action is not None and action not in table:
        p("field-invalid", "action", f"未知的事件{quoted(action)}；可用：{'、'.join(table)}")
        return out, False
    bad_time = ev.get("at") is not None and to_datetime(ev.get("at")) is None
    if bad_time:
        p("field-invalid", "at", f"时间{quoted(ev.get('at'))}格式不对（应为 ISO 时间，如 2026-11-27T09:32:00+08:00）")
    by = ev.get("by")
    if by is not None and by not in rules.staff:
        p("staff-unknown", "by", f"工号 {by} 不在 rules/staff.yml 中")
    elif by is not None and not bad_time and rules.leavers:
        out.extend(event_left_problems(i, ev, rec, rules))
    if action is None:
        return out, False
    required, optional = table[action]
    for f in required:
        if ev.get(f) in (None, "", []):
            p("field-missing", f, f"{action} 事件缺少 {f}")
    allowed = _fields_of(required, optional)
    if not allowed.issuperset(ev):
        for f in ev:
            if f not in allowed:
                p("field-unknown", f, f"{action} 事件没有字段 {f}")
    return out, ev.get("at") is not None and not bad_time


def check_event(i: int, ev: dict, rec: Record, rules: Rules) -> list[Problem]:
    out, _ = check_event_shape(i, ev, rec, rules, EVENT_FIELDS)
    if not isinstance(ev, dict) or not _typed(rec) and check_types(ev, EVENT_VALUES, rec) or ev.get("action") not in EVENT_FIELDS:
        return out
    action = ev["action"]

    def p(code, field, msg):
        out.append(Problem(code, msg, path=rec.path, record=rec.id, field=f"events[{i}].{field}"))

    if action in ("forwarded", "referred", "relayed") and ev.get("to") is not None:
        if ev["to"] not in rules.departments:
            p("department-unknown", "to", f"部门 {ev['to']} 不在 rules/institution.yml 中")
    if ev.get("staff") is not None:
        st = rules.staff.get(ev["staff"])
        if st is None:
            p("staff-unknown", "staff", f"工号 {ev['staff']} 不在 rules/staff.yml 中")
        elif ev.get("to") and st.department != ev["to"]:
            p("field-invalid", "staff", f"{st.name}（{st.badge}）不属于部门 {rules.dept_name(ev['to'])}")
    if action == "forwarded" and ev.get("handover") is not None:
        out.extend(handover_event_problems(i, ev, rec, rules))
    if action == "escalated" and ev.get("to") is not None and ev["to"] not in rules.staff:
        p("staff-unknown", "to", f"上报对象工号 {ev['to']} 不在 rules/staff.yml 中")
    if action == "extended" and ev.get("approver") is not None and ev["approver"] not in rules.staff:
        p("staff-unknown", "approver", f"批准人工号 {ev['approver']} 不在 rules/staff.yml 中")
    if rules.leavers:
        named = ("staff", "approver", "to") if action == "escalated" else ("staff", "approver")
        out.extend(event_left_problems(i, ev, rec, rules, named))
    if action in ("promised", "extended") and ev.get("due") is not None and to_date(ev["due"]) is None:
        p("field-invalid", "due", f"日期{quoted(ev['due'])}格式不对（应为 YYYY-MM-DD）")
    if action == "rated":
        sc = ev.get("score")
        if sc is not None and (isinstance(sc, bool) or sc not in rules.policy.satisfaction):
            p("field-invalid", "score", f"评价{quoted(sc)}应为 1 到 5 的整数（5 非常满意 … 1 非常不满意）")
        if ev.get("given_by") not in (None, "visitor"):
            p("field-invalid", "given_by", f"评价人{quoted(ev['given_by'])}只能是 visitor（群众在评价器上评价）")
    if action == "notified":
        m = ev.get("materials")
        if m is not None and (not isinstance(m, list) or not all(isinstance(x, str) and x for x in m)):
            p("field-invalid", "materials", "materials 应为材料名称的列表")
    return out


def check_inquiry(rec: Record, rules: Rules, rules_on=None):
    """(problems, state) for one inquiry; the state is None when the record can't be folded. `rules_on(day)`:
    the rules as they stood that day, for the department a person was in (the current rules when not given)."""
    if rec.problems:
        return list(rec.problems), None
    m, rid, path = rec.meta, rec.id, rec.path
    typed = [] if _typed(rec) else check_types(m, INQUIRY_VALUES, rec)
    if typed or not isinstance(m.get("events"), (list, type(None))):
        bad = {p.field.split(".")[0] for p in typed}
        missing = [Problem("field-missing", f"缺少必填字段 {f}", path=path, record=rid, field=f)
                   for f, required in INQUIRY_FIELDS.items() if required and f not in bad and m.get(f) in (None, "", [])]
        return typed + missing + ([] if isinstance(m.get("events"), (list, type(None))) else [
            Problem("field-invalid", "events 应为事件列表", path=path, record=rid, field="events")]), None
    out = check_id(rec)
    for f, required in INQUIRY_FIELDS.items():
        if required and m.get(f) in (None, "", []):
            out.append(Problem("field-missing", f"缺少必填字段 {f}", path=path, record=rid, field=f))
    for f in m:
        if f not in INQUIRY_FIELDS:
            out.append(Problem("field-unknown", f"登记记录没有字段 {f}", path=path, record=rid, field=f))
    if m.get("code") is not None and not (isinstance(m["code"], str) and CODE_RE.match(m["code"])):
        out.append(Problem("field-invalid", "查询码应为 6 位字母数字（不含 0/O/1/I）", path=path, record=rid, field="code"))
    if m.get("lookup") is not None and not (isinstance(m["lookup"], str) and LOOKUP_RE.fullmatch(m["lookup"])):
        out.append(Problem("field-invalid", "查询密钥（lookup）应为 64 位十六进制数字，由登记时自动生成", path=path,
                           record=rid, field="lookup"))
    elif m.get("lookup") is not None and meta_rounds(m) not in (None, rules.policy.lookup_rounds):
        out.append(Problem("lookup-rounds-other", f"查询密钥按 {meta_rounds(m):,} 次迭代派生，与 rules/policy.yml 的 "
                           f"{rules.policy.lookup_rounds:,} 次不同：网站生成时按规定次数重新派生", path=path, record=rid,
                           field="lookup_rounds"))
    if m.get("channel") is not None and m["channel"] not in CHANNELS:
        out.append(Problem("field-invalid", f"渠道{quoted(m['channel'])}应为 {'/'.join(CHANNELS)}", path=path, record=rid,
                           field="channel"))
    fr = m.get("first_responder")
    if fr is not None and fr not in rules.staff:
        out.append(Problem("staff-unknown", f"首问责任人工号 {fr} 不在 rules/staff.yml 中", path=path, record=rid,
                           field="first_responder"))
    v = m.get("visitor")
    if v is not None:
        if not isinstance(v, dict) or not v.get("name"):
            out.append(Problem("field-missing", "发问人须有姓名（visitor.name）", path=path, record=rid, field="visitor.name"))
        else:
            for f in v:
                if f not in VISITOR_FIELDS:
                    out.append(Problem("field-unknown", f"发问人信息没有字段 {f}", path=path, record=rid, field=f"visitor.{f}"))
            if v.get("phone") is not None and not isinstance(v["phone"], str):
                out.append(Problem("field-invalid", "电话须写成带引号的字符串，以免丢失开头的 0", path=path, record=rid,
                                   field="visitor.phone"))
            out.extend(phone_problems(rec))
    imp = m.get("imported")
    if imp is not None and not (isinstance(imp, dict) and isinstance(imp.get("events"), int) and imp.get("sha256")):
        out.append(Problem("field-invalid", "imported 应为导入的出处（ledger、sha256、by、events）", path=path, record=rid,
                           field="imported"))
    if isinstance(m.get("service"), str) and m["service"] not in rules.services:
        out.append(Problem("service-unknown", f"办事事项 {m['service']} 不在 rules/services/ 中", path=path, record=rid,
                           field="service"))
    events = m.get("events")
    if events is not None and not isinstance(events, list):
        out.append(Problem("field-invalid", "events 应为事件列表", path=path, record=rid, field="events"))
        return out, None
    events = events or []
    for i, ev in enumerate(events):
        out.extend(check_event(i, ev, rec, rules))
    if events and isinstance(events[0], dict):
        if events[0].get("action") != "registered":
            out.append(Problem("event-order", "第一条事件必须是登记（registered）", path=path, record=rid, field="events[0].action"))
        elif fr is not None and events[0].get("by") != fr:
            out.append(Problem("field-invalid", f"登记人 {events[0].get('by')} 应为首问责任人 {fr}", path=path, record=rid,
                               field="events[0].by"))
    if not _typed(rec) and any(not isinstance(ev, dict) or check_types(ev, EVENT_VALUES, rec) for ev in events):
        return out, None        # reported above; a malformed value is never folded
    state = fold(events, fr, _departments_in_time(rules, rules_on), rules.policy.bad_ratings)
    for i, field, msg in state.order_problems:
        out.append(Problem("event-order", msg, path=path, record=rid, field=field))
    for i, field, msg in state.conflicts:
        out.append(Problem("event-conflict", msg, path=path, record=rid, field=field))
    out.extend(promise_problems(rec))
    return out, state


def _departments_in_time(rules: Rules, rules_on):
    """badge, moment -> the department the person was in at that moment (a later move changes nothing)."""
    if rules_on is None:
        return lambda badge, at: rules.department_of(badge)
    return lambda badge, at: (rules if at is None else rules_on(local_day(at))).department_of(badge)


def written_now(p: Problem, before: Record | None, rec: Record, index: int, rules: Rules) -> Problem:
    """A step one desk writes now that its stage forbids, said for that reason: the fold calls it a conflict
    when it would have followed the step before the last (how two desks' steps read after a merge), never
    how a step is refused at the one desk writing it."""
    if p.code != "event-conflict" or p.field != f"events[{index}].action" or before is None:
        return p
    state = check_inquiry(before, rules)[1]
    ev = rec.events[index]
    why = state is not None and allowed(state, ev.get("action"), ev.get("review"), rules.policy.bad_ratings, ev.get("handover"))
    return Problem("event-order", why, path=p.path, record=p.record, field=p.field) if why else p
