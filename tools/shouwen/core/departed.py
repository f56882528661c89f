"""People who have left (`离职、调离`): `left:` in rules/staff.yml is their last working day (pure).

The badge stays on the roster, so every record they are in keeps its known author, handler and name; what
this module says is only that nothing is done by them, or given to them, after that day, and that the
matters they still hold must be handed over to a colleague of their 科室.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from .clock import zh_day
from .problems import Problem
from .record import local_day, to_datetime

# the fields of an event that name someone acting or given the matter (not who a complaint is against, nor
# who is liable for it: those are about what was done before, and may rightly be recorded after the day)
ROLE_ZH = {"by": ("不能再由其记录或办理", "：请改由{dept}的其他同事办理"),
           "staff": ("不能再交其承办", "：请改由{dept}的其他同事承办"),
           "to": ("不能再上报给其", "：请改由{dept}的其他同事接办"),
           "approver": ("不能再由其批准", "：请改由{dept}的其他同事批准"),
           "inspected": ("不能再以其为被检查人", "")}


def still_here(s, day: date) -> bool:
    """Whether the roster entry `s` still works here on `day`: no `left:`, or `day` is not after their last day.
    The one test of it: every page, choice, reminder, review and writer asks this."""
    return s.left is None or day <= s.left


def present(rules, badge, day: date) -> bool:
    """Whether the person still works here on `day` (an unknown badge is not this module's business)."""
    s = rules.staff.get(badge) if isinstance(badge, str) else None
    return s is None or still_here(s, day)


def after_left(rules, badge, at, field: str) -> str | None:
    """Why an event at `at` may not name `badge` in `field`: the person left before that day; None otherwise."""
    s = rules.staff.get(badge) if isinstance(badge, str) else None
    when = to_datetime(at)
    day = local_day(when) if when is not None else None
    if s is None or day is None or still_here(s, day):
        return None
    left = s.left
    refused, advice = ROLE_ZH.get(field, ROLE_ZH["by"])
    return (f"{s.name}（{badge}）已于{zh_day(left)}离职（rules/staff.yml 的 left：最后工作日），{zh_day(day)}的事件"
            f"{refused}" + advice.format(dept=rules.dept_name(s.department)))


def event_left_problems(i: int, ev: dict, rec, rules, fields=("by",)) -> list[Problem]:
    """`staff-left` for each of the event's `fields` that names someone who had left by the event's day."""
    out = []
    for f in fields:
        s = rules.staff.get(ev.get(f)) if isinstance(ev.get(f), str) else None
        why = after_left(rules, s.badge, ev.get("at"), f) if s is not None and s.left is not None else None
        if why:
            out.append(Problem("staff-left", why, path=rec.path, record=rec.id, field=f"events[{i}].{f}"))
    return out


def handover_problems(rec, state, rules) -> list[Problem]:
    """`handover-needed` for an open matter whose current handler (the first responder until it is sent on)
    has a last day: a colleague of their 科室 takes it on, as the handling rule (core.roles) lets them. Once a
    colleague holds it, the first responder's name stays on it as who registered it, and nothing is asked."""
    if state is None or state.closed or state.voided:
        return []
    s = leaving_handler(state, rules)
    if s is None:
        return []
    role = "首问责任人" if state.handler == state.first_responder else "承办人"
    dept = rules.dept_name(s.department)
    return [Problem("handover-needed", f"本事项尚未办结，{role}{s.name}（{s.badge}）的最后工作日为{zh_day(s.left)}"
                    f"（rules/staff.yml 的 left）：须移交{dept}的同事接办（{_how(state)}）",
                    path=rec.path, record=rec.id, field="events")]


def _how(state) -> str:
    """What the writer accepts from a colleague of the 科室 at this stage (core.fold.allowed), as the advice."""
    from .fold import ROUTABLE
    first = "先恢复计时，再" if state.suspended else ""
    if state.completed_at is not None:
        return f"{first}由同科室人员取件送达"
    if state.stage in ("forwarded", "referred"):
        return f"{first}由同科室的同事直接签收受理，或退回首问责任人"
    if state.stage in ROUTABLE:
        return f"{first}由同科室人员将其转办给一位同事签收，或直接答复、解释"
    return f"{first}由同科室人员将其转办（移交）给一位同事签收，已承诺的办结期限不变；或直接办结"


def handover_event_problems(i: int, ev: dict, rec, rules) -> list[Problem]:
    """A forward that hands on a matter (`移交`, `handover:` the handler who left) is only for someone who had left by
    the event's day, and goes to a colleague of their `科室`: else it would pass a promised matter on unreturned."""
    badge, at = ev.get("handover"), to_datetime(ev.get("at"))
    s = rules.staff.get(badge) if isinstance(badge, str) else None
    field = f"events[{i}].handover"
    if s is None:
        return [Problem("staff-unknown", f"移交的原承办人工号 {badge} 不在 rules/staff.yml 中", path=rec.path,
                        record=rec.id, field=field)]
    day = local_day(at) if at is not None else None
    out = []
    if day is not None and still_here(s, day):
        out.append(Problem("field-invalid", f"{s.name}（{badge}）在{zh_day(day)}尚未离职（rules/staff.yml 的 left），"
                           "不能移交其事项：承办人应先退回", path=rec.path, record=rec.id, field=field))
    if ev.get("to") != s.department or not ev.get("staff"):
        out.append(Problem("field-invalid", f"移交应转办给{rules.dept_name(s.department)}的一位同事（--to 该科室，--staff 同事）",
                           path=rec.path, record=rec.id, field=f"events[{i}].to"))
    return out


def on_duty(rules, day: date):
    """The rules as the public and the choices offered see them on `day`: whoever left before it is kept (their
    name still reads in every record) but shown on no board and offered for nothing (public: false)."""
    gone = [s for s in rules.staff.values() if not still_here(s, day)]
    if not gone:
        return rules
    staff = dict(rules.staff)
    for s in gone:
        staff[s.badge] = replace(s, public=False)
    return replace(rules, staff=staff)


def offered(rules, day: date) -> list:
    """The people one may choose on `day` (a handler, a login, a recipient): those who have not left."""
    return [s for s in rules.staff.values() if still_here(s, day)]


def stand_ins(rules, badge: str, day: date) -> list[str]:
    """Who is reminded, on `day`, of what `badge` would be: the person, or once they have left, the head of their
    科室 (who hands the matter over), else everyone still in it."""
    s = rules.staff.get(badge)
    if s is None or still_here(s, day):
        return [badge]
    d = rules.departments.get(s.department)
    if d is not None and d.head and d.head != badge and present(rules, d.head, day):
        return [d.head]
    return sorted(o.badge for o in offered(rules, day) if o.department == s.department and o.badge != badge)


def leaving_handler(st, rules):
    """The person on the roster with a last day (`left:`) who handles this matter now, else None: what
    `handover-needed`, the head's `todo` and the worklist's reason all ask."""
    s = rules.staff.get(st.handler) if isinstance(st.handler, str) else None
    return s if s is not None and s.left is not None else None


def hands_over(st, rules, me: str | None) -> bool:
    """Whether `me` heads the 科室 of someone who has left and still handles this open matter (their `todo`)."""
    s = leaving_handler(st, rules)
    if s is None or me is None or me == s.badge:
        return False
    d = rules.departments.get(s.department)
    return d is not None and d.head == me


def posts_left(inst: dict, staff: dict, departments: dict) -> list[Problem]:
    """`handover-needed` warnings for the posts institution.yml still gives someone with a last day: a
    department's head (name a successor) and a window's seat. Warnings: the roster change recording the
    departure is committed first, the successor named when known."""
    out = []
    path = "rules/institution.yml"
    for d in departments.values():
        s = staff.get(d.head) if isinstance(d.head, str) else None
        if s is not None and s.left is not None:
            out.append(Problem("handover-needed", f"{d.name}的负责人{s.name}（{s.badge}）的最后工作日为{zh_day(s.left)}"
                               "（rules/staff.yml 的 left）：请指定新的负责人（head）", path=path, field=f"departments.{d.id}.head"))
    for i, w in enumerate(inst.get("windows") or []):
        for j, badge in enumerate(w.get("staff") or []):
            s = staff.get(badge)
            if s is not None and s.left is not None:
                out.append(Problem("handover-needed", f"窗口{w.get('name') or w.get('id')}的工作人员{s.name}（{badge}）的最后"
                                   f"工作日为{zh_day(s.left)}（rules/staff.yml 的 left）：请安排接替的人员",
                                   path=path, field=f"windows[{i}].staff[{j}]"))
    return out


def the_one_here(rules, badges: list, today) -> str | None:
    """Of several people a name may mean, the one still here on `today` (a new hire who shares a name with
    someone gone: only the one still here can be at the desk); None when that is not exactly one."""
    here = [b for b in badges if b in rules.staff and still_here(rules.staff[b], today)]
    return here[0] if len(badges) > 1 and len(here) == 1 else None
