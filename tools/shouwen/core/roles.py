"""Roles and separation of duties (pure): who may do what, as data in rules/policy.yml.

```yaml
permissions:
  verdict: [{department: supervision}, {department: office}]
  sanction: [{department: leadership, role: head}]
  correct: [{own: true}, {role: head}]
```

Each duty lists grants; a grant names a `department`, a `role` and/or a `badge` (one value or a
list), all of which must hold, or `own: true` (the record's own registrant). `any` (or a duty not
listed) lets everyone. Two rules hold whatever the policy says: an inspection is only made by
someone above the inspected person in the line of report, and a verdict is never given by the
person complained against nor by anyone above or below them in that line (conflict of interest).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem
from .quote import quoted

DUTIES = {"register": "登记", "verdict": "作出投诉结论", "sanction": "记录处理决定", "inspect": "检查",
          "publish": "发布季度通报", "import": "导入登记簿", "correct": "更正记录", "void": "作废记录",
          "roster": "修改规则、网站配置、CI 与钩子，为签名密钥担保",
          "handle": "代首问责任人或承办科室记录办理步骤（受理、承诺、延期、暂停与恢复计时、答复、解释、转办、引导、上报、办结、送达、退回）"}
# duties whose `any` is kept as a grant for everyone: `handle` listed turns the handling rule on (unlisted, as in
# every agency made before it, the rule is off and anyone records the steps, as with the other duties)
NOBODY_UNLISTED = ("handle",)
GRANT_KEYS = ("department", "role", "badge", "own")
# (record kind, event action) -> duty
EVENT_DUTY = {("inquiries", "registered"): "register", ("complaints", "registered"): "register",
              ("complaints", "verdict"): "verdict", ("complaints", "sanctioned"): "sanction",
              ("inspections", "inspected"): "inspect"}
ANY_KIND_DUTY = {"corrected": "correct", "voided": "void"}


@dataclass
class Permissions:
    grants: dict = field(default_factory=dict)     # duty -> list of grant dicts; absent = anyone

    def listed(self, duty: str) -> bool:
        return duty in self.grants


def _values(v) -> list:
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def parse_permissions(raw, path: str, problems: list) -> Permissions:
    perms = Permissions()
    if raw is None:
        return perms
    if not isinstance(raw, dict):
        problems.append(Problem("rules-invalid", "permissions 应为映射（职责： 允许的人员）", path=path, field="permissions"))
        return perms
    for duty, grants in raw.items():
        where = f"permissions.{duty}"
        if duty not in DUTIES:
            problems.append(Problem("rules-invalid", f"未知的职责{quoted(duty)}；可用：{'、'.join(DUTIES)}", path=path, field=where))
            continue
        if grants == "any":
            if duty in NOBODY_UNLISTED:
                perms.grants[duty] = [{}]      # an empty grant holds for everyone
            continue
        if not isinstance(grants, list) or not all(isinstance(g, dict) and g and set(g) <= set(GRANT_KEYS) for g in grants):
            problems.append(Problem("rules-invalid", "每项职责应为 any，或允许人员的列表，如 [{department: office}, {role: head}]"
                                    "（可用键：department、role、badge、own）", path=path, field=where))
            continue
        perms.grants[duty] = grants
    return perms


def check_references(perms: Permissions, departments, staff, path: str) -> list[Problem]:
    """Departments and badges a grant names must exist, or the grant silently lets nobody in. `departments`
    or `staff` is None when its file did not read: that file's problem is the one to report."""
    out = []
    for duty, grants in perms.grants.items():
        for i, g in enumerate(grants):
            for d in _values(g.get("department", [])) if "department" in g and departments is not None else []:
                if d not in departments:
                    out.append(Problem("rules-invalid", f"部门 {d} 不在 institution.yml 中", path=path,
                                       field=f"permissions.{duty}[{i}].department"))
            for b in _values(g.get("badge", [])) if "badge" in g and staff is not None else []:
                if b not in staff:
                    out.append(Problem("rules-invalid", f"工号 {b} 不在 staff.yml 中", path=path,
                                       field=f"permissions.{duty}[{i}].badge"))
    return out


def _grant_holds(g: dict, person, own: bool) -> bool:
    if g.get("own") and not own:
        return False
    if "department" in g and person.department not in _values(g["department"]):
        return False
    if "role" in g and person.role not in _values(g["role"]):
        return False
    if "badge" in g and person.badge not in _values(g["badge"]):
        return False
    return True


def may(rules, badge: str | None, duty: str, own: bool = False) -> bool:
    grants = rules.policy.permissions.grants.get(duty)
    if grants is None:
        return True
    person = rules.staff.get(badge or "")
    return person is not None and any(_grant_holds(g, person, own) for g in grants)


def _grant_words(rules, g: dict) -> str:
    parts = []
    if "department" in g:
        parts.append("、".join(rules.dept_name(d) for d in _values(g["department"])))
    if "role" in g:
        from .names import role_names
        parts.append("角色 " + "、".join(role_names().label(r) for r in _values(g["role"])))
    if "badge" in g:
        parts.append("、".join(rules.who(b) for b in _values(g["badge"])))
    if g.get("own"):
        parts.append("本事项的登记人")
    return "的".join(parts) if parts else "任何人"


def refusal(rules, badge: str | None, duty: str, own: bool = False) -> str | None:
    """None when `badge` may do `duty`, else a Chinese sentence naming the rule."""
    if may(rules, badge, duty, own):
        return None
    allowed = "或".join(_grant_words(rules, g) for g in rules.policy.permissions.grants[duty])
    return (f"按 rules/policy.yml 的 permissions.{duty}，{DUTIES[duty]}只能由{allowed}进行；"
            f"{rules.who(badge) or badge or '提交人'}不在其列")


# --- the line of report ------------------------------------------------------------------------

def _chain(rules, dept_id: str | None) -> list[str]:
    out = []
    d = rules.departments.get(dept_id or "")
    while d is not None and d.id not in out:
        out.append(d.id)
        d = rules.departments.get(d.parent or "")
    return out


def _rank(rules, role: str) -> int:
    chain = rules.policy.escalation_chain
    return chain.index(role) if role in chain else -1


def above(rules, boss: str, badge: str) -> bool:
    """Is `boss` above `badge` in the line of report: the head of their department or of one above
    it, or of higher rank (policy.yml escalation_chain) in their department or one above it; never
    when `badge` heads `boss`'s own department or one above it."""
    b, x = rules.staff.get(boss), rules.staff.get(badge)
    if b is None or x is None or boss == badge:
        return False
    if any(rules.departments[d].head == badge for d in _chain(rules, b.department)):
        return False
    x_chain = _chain(rules, x.department)
    if any(rules.departments[d].head == boss for d in x_chain):
        return True
    return b.department in x_chain and _rank(rules, b.role) > _rank(rules, x.role)


AGENCY = "agency"   # a complaint against the agency itself (S2 第七条: 机关及其工作人员)


def agency_head(rules) -> str | None:
    """The principal head, who answers for the agency as a whole (S2 第四条)."""
    return rules.institution.get("head") or next((d.head for d in rules.departments.values()
                                                  if d.parent is None and d.head), None)


def conflict(rules, judge: str, against: list) -> str | None:
    """Why `judge` may not rule on a complaint against these people, or None. A department is judged
    through its head: the head, and everyone in the head's line, is the department's own. The agency is
    judged through its principal head alone: everyone is in his line, and S2 第七条 sends a complaint
    against the agency to the unit's own 纪检监察, whom the policy's `verdict` duty names."""
    if AGENCY in against and judge == agency_head(rules):
        return f"{rules.who(judge)}是本机关主要负责人，对投诉本机关的事项负总责，不能对投诉作出结论"
    people = [rules.departments[a].head if a in rules.departments else a for a in against if a != AGENCY]
    for a in filter(None, people):
        if judge == a:
            return f"{rules.who(judge)}是被投诉人本人，不能对投诉作出结论"
        if above(rules, judge, a):
            return f"{rules.who(judge)}是被投诉人{rules.who(a)}的上级（同一汇报线），不能对投诉作出结论"
        if above(rules, a, judge):
            return f"{rules.who(judge)}是被投诉人{rules.who(a)}的下级（同一汇报线），不能对投诉作出结论"
    return None


def inspection_refusal(rules, inspector: str, staff: str) -> str | None:
    if above(rules, inspector, staff):
        return None
    return f"检查只能由上级进行：{rules.who(inspector)}不在{rules.who(staff)}的汇报线上方"


def report_refusal(rules, by: str, dept: str) -> str | None:
    """A 科室's written quarterly report (S1: `先由各科室写出书面情况汇报`) is sent from that `科室`, or registered by
    someone of a department above it; never in its name by another 科室."""
    who = rules.staff.get(by)
    if who is None or dept not in rules.departments or who.department in _chain(rules, dept):
        return None         # an unknown badge or department is its own problem
    return (f"{rules.dept_name(dept)}的书面情况汇报只能由本科室或其上级部门的人员报送："
            f"{rules.dept_name(who.department)}的{rules.who(by)}不在其列")


# what ends a forward's or referral's wait for its acceptance
SETTLES = ("accepted", "returned", "answered", "explained", "escalated", "reopened", "voided")


def accept_refusal(rules, by: str, dept, staff) -> str | None:
    """A matter forwarded or referred to a department is accepted there: by the named handler or someone of
    that department (or one under it), not taken on by another 科室 (DESIGN §3: the handler takes it on)."""
    who = rules.staff.get(by)
    if who is None or not isinstance(dept, str) or dept not in rules.departments or by == staff:
        return None         # an unknown badge or department is its own problem
    if dept in _chain(rules, who.department):
        return None
    return (f"转办或引导至{rules.dept_name(dept)}的事项，应由{rules.dept_name(dept)}的人员签收受理："
            f"{rules.dept_name(who.department)}的{rules.who(by)}不在其列")


# steps of the matter's handling (S2 `第六条`), what routes, stops or closes it: where the policy names `handle`, recorded
# by the first responder, who answers for it to the end, or by whoever now handles it (the first responder's `科室`, the
# 科室 it was sent to or that accepted it, the person it was escalated to), the heads of the departments above that
# `科室` (`局长、副局长`), or by those `permissions.handle` names
HANDLING_STEPS = ("promised", "extended", "completed", "delivered", "returned", "accepted", "answered", "explained",
                  "suspended", "resumed", "forwarded", "referred", "escalated")


def handling(events, held=None):
    """Who handles the matter after these events: (department or None for the person's own, badge, first
    responder), folded on from `held`."""
    for ev in events:
        action = ev.get("action") if isinstance(ev, dict) else None
        fr = held[2] if held else None
        if action == "registered" and held is None:
            held = (None, ev.get("by"), ev.get("by"))
        elif held is None:
            continue
        elif action in ("forwarded", "referred"):
            held = (ev.get("to"), ev.get("staff"), fr)
        elif action == "accepted":
            held = (held[0], ev.get("by"), fr)
        elif action == "escalated":
            held = (None, ev.get("to"), fr)
        elif action in ("returned", "reopened"):
            held = (None, fr, fr)
    return held


def _heads_above(rules, who, dept: str) -> bool:
    """Whether `who` heads a department above `dept` (its head, or a head or deputy there: `局长、副局长`)."""
    above_ = _chain(rules, dept)[1:]
    return who.department in above_ and (rules.departments[who.department].head == who.badge
                                          or who.role in ("head", "deputy") or _rank(rules, who.role) > 0)


def handling_refusal(rules, ev: dict, held) -> str | None:
    by = ev.get("by")
    who = rules.staff.get(by)
    extra = rules.policy.permissions.grants.get("handle")
    if extra is None or held is None or who is None or by in held[1:]:
        return None         # the rule is off where the policy names no `handle`; an unknown badge is its own problem
    dept, badge, fr = held
    if dept is None:
        dept = getattr(rules.staff.get(badge), "department", None)
    if not isinstance(dept, str) or dept not in rules.departments or dept in _chain(rules, who.department):
        return None
    if _heads_above(rules, who, dept):
        return None
    # the result is handed over where the matter came in (S2 `第六条`: `取件登记表`): at the first responder's window too
    window = getattr(rules.staff.get(fr), "department", None) if ev.get("action") == "delivered" else None
    if window in rules.departments and window in _chain(rules, who.department):
        return None
    if any(_grant_holds(g, who, False) for g in extra):
        return None
    from .fold import ACTION_ZH
    where = f"、其所在的{rules.dept_name(window)}" if window in rules.departments else ""
    return (f"{ACTION_ZH.get(ev.get('action'))}只能由首问责任人{rules.who(fr) or fr}{where}、承办科室{rules.dept_name(dept)}"
            f"的人员、其上级部门的负责人或 rules/policy.yml 的 permissions.handle 所列人员记录："
            f"{rules.dept_name(who.department)}的{rules.who(by)}不在其列")


def event_duty(kind: str, action) -> str | None:
    if not isinstance(action, str):
        return None         # a hand-edited action (a list, a map) is its own problem
    return ANY_KIND_DUTY.get(action) or EVENT_DUTY.get((kind, action))


def awaiting(events, sent=None):
    """The forward or referral these events leave awaiting its acceptance: (department, named staff), or None."""
    for ev in events:
        action = ev.get("action") if isinstance(ev, dict) else None
        sent = (ev.get("to"), ev.get("staff")) if action in ("forwarded", "referred") else \
            None if action in SETTLES else sent
    return sent


def judged(kind: str, meta: dict, ev: dict, sent, held=None) -> bool:
    """Whether any role rule judges this event (most are no rule's business: their day's rules are not needed;
    a handling step by the first responder or the person handling the matter is always theirs to record)."""
    action = ev.get("action")
    return bool(event_duty(kind, action)) or (
        kind == "inquiries" and action in HANDLING_STEPS and not (held is not None and ev.get("by") in held[1:])
        or kind == "inspections" and action == "inspected" and isinstance(meta.get("staff"), str)
        or kind == "complaints" and action == "verdict"
        or kind == "reports" and action == "submitted" and isinstance(meta.get("department"), str)
        or kind == "inquiries" and action == "accepted" and sent is not None)


def event_role_problems(rules, kind: str, meta: dict, ev: dict, sent, own: bool, held=None) -> list[tuple[str, str]]:
    """(code, why) for every role rule one event breaks, by `rules`: its duty, inspecting only those below,
    accepting only what was sent to one's own 科室 (`sent`: what awaits acceptance before it), a handling step
    only by the first responder or the handling 科室 (`held`: `handling` before it), a 科室's report sent from
    that `科室`, a verdict by nobody in the line of those complained against. Used by `check`, the writer and
    the audit alike."""
    if not judged(kind, meta, ev, sent, held):
        return []
    action, by = ev.get("action"), ev.get("by")
    duty = event_duty(kind, action)
    whys = [refusal(rules, by, duty, own=own) if duty else None]
    if kind == "inspections" and action == "inspected" and isinstance(meta.get("staff"), str):
        whys.append(inspection_refusal(rules, by, meta["staff"]))
    if kind == "inquiries" and action == "accepted" and sent is not None:
        whys.append(accept_refusal(rules, by, *sent))
    elif kind == "inquiries" and action in HANDLING_STEPS:
        whys.append(handling_refusal(rules, ev, held))
    if kind == "reports" and action == "submitted" and isinstance(meta.get("department"), str):
        whys.append(report_refusal(rules, by, meta["department"]))
    out = [("role-forbidden", why) for why in whys if why]
    if kind == "complaints" and action == "verdict":
        against = meta.get("against")
        why = conflict(rules, by, [str(a) for a in (against if isinstance(against, list) else [against]) if a])
        if why:
            out.append(("conflict-of-interest", why))
    return out


def record_role_problems(rec, rules_on) -> list[Problem]:
    """`role-forbidden` and `conflict-of-interest` in one record, each judged by the rules as they
    stood on the event's day (`rules_on(day)`), so a later move or promotion never rewrites the past."""
    from .record import local_day, to_datetime
    out = []
    events, kind = rec.events, rec.kind
    first = events[0] if events and isinstance(events[0], dict) else {}
    registrant = first.get("by")
    sent = held = None
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        taken, sent = sent, awaiting([ev], sent)
        had, held = held, handling([ev], held)
        if not judged(kind, rec.meta, ev, taken, had):
            continue
        at = to_datetime(ev.get("at"))
        if at is None:
            continue
        rules = rules_on(local_day(at))
        if not rules.staff:
            continue        # no readable roster that day (its own error): nobody can be judged against it
        for code, why in event_role_problems(rules, kind, rec.meta, ev, taken, i > 0 and ev.get("by") == registrant, had):
            out.append(Problem(code, why, path=rec.path, record=rec.id, field=f"events[{i}].by"))
    return out


def require(rules, badge: str | None, duty: str, own: bool = False) -> None:
    """Refuse before anything is written (exit 2), naming the rule."""
    why = refusal(rules, badge, duty, own)
    if why:
        from .problems import InputError
        raise InputError(why, [Problem("role-forbidden", why, path="rules/policy.yml", field=f"permissions.{duty}")])
