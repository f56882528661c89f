"""One step on a matter, from what a clerk typed to the event the writer appends (pure).

The command line and the desk page both build events here, so they accept the same Chinese
names, refuse the same input with the same words, and offer the same actions for a stage.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from .fold import allowed
from .clock import UNITS, Clock, zh_day
from .departed import still_here
from .escalation import escalation_target
from .names import department_names, staff_names
from .problems import InputError, Problem
from .quote import quoted
from .record import local_day, to_date


@dataclass(frozen=True)
class Field:
    name: str          # the event field (and the CLI option without --)
    label: str         # what the desk page shows
    kind: str = "text"     # text | department | staff | date | days | materials | score
    required: bool = False


# What each action asks for, in the order a form shows it.
STEPS: dict[str, tuple[Field, ...]] = {
    "answered": (Field("answer", "答复内容", required=True),),
    "referred": (Field("to", "引导至部门", "department", True), Field("staff", "引导至工作人员", "staff")),
    "relayed": (Field("message", "留言内容", required=True), Field("to", "转告部门", "department"),
                Field("staff", "转告工作人员", "staff")),
    "forwarded": (Field("to", "转办至部门", "department", True), Field("staff", "承办人", "staff")),
    "accepted": (),
    "returned": (Field("reason", "退回理由", required=True),),
    "notified": (Field("materials", "所需材料（不填则按办事指南）", "materials"),),
    "promised": (Field("days", "自受理起工作日数", "days"), Field("due", "或：办结日期", "date")),
    "extended": (Field("due", "新的办结日期", "date", True), Field("reason", "延期理由", required=True),
                 Field("approver", "批准人", "staff", True)),
    "escalated": (Field("to", "上报给（不填则按上报顺序）", "staff"), Field("reason", "上报理由")),
    "followed_up": (),
    "explained": (Field("reason", "解释内容", required=True),),
    "completed": (Field("result", "办理结果", required=True),),
    "delivered": (Field("method", "方式（如窗口取件、邮寄）", required=True), Field("to", "领取人")),
    "rated": (Field("score", "评价（1–5）", "score", True), Field("comment", "评价意见")),
    "note": (Field("text", "备注内容", required=True),),
    "suspended": (Field("reason", "暂停理由（如 补正材料）", required=True),),
    "resumed": (),
    "reopened": (Field("reason", "重办理由", required=True), Field("review", "复查决定（无差评时必填）")),
}

MAX_PROMISE_DAYS = 3650       # ten years: what the command line allowed, and far past any service's limit


def offered(state, handover=None) -> list[str]:
    """The actions the stage allows, in the order of a matter's life (`handover`: see `handover_of`)."""
    return [a for a in STEPS if allowed(state, a, handover=handover if a == "forwarded" else None) is None]


def handover_of(state, rules, day: date) -> str | None:
    """The handler who had left by `day` of an accepted or promised matter, which a forward then hands on as it
    stands (`移交`, core.departed); None where a forward is the usual one."""
    from .departed import present
    from .fold import ROUTABLE
    if state is None or state.stage in ROUTABLE or present(rules, state.handler, day):
        return None
    return state.handler


def split_materials(text: str) -> list[str]:
    return [m.strip() for m in re.split(r"[,，、;；\n]", text or "") if m.strip()]


def _where(rec, name):
    return f"{rec.path} [{rec.id}] 字段 --{name.lstrip('-')}"


_SPAN_UNITS = {"个工作日": "workdays", "工作日": "workdays", "天": "days", "日": "days", "个小时": "hours", "小时": "hours"}


def _score(raw, rules, rec) -> int:
    """A rating as the visitor gives it: 1–5, `2分`, or a word of the policy's scale （非常满意……非常不满意）."""
    if isinstance(raw, int):
        return raw
    text = "".join(unicodedata.normalize("NFKC", str(raw or "")).split())
    if text.rstrip("分").isdecimal() and len(text) < 10:       # 999…9 (5,000 digits): int() would raise
        return int(text.rstrip("分"))
    for score, word in rules.policy.satisfaction.items():
        if text == word:
            return score
    scale = "、".join(f"{k} {v}" for k, v in sorted(rules.policy.satisfaction.items(), reverse=True))
    raise InputError(f"{_where(rec, 'score')}：评价{quoted(raw, 40)}不对，应为 {scale}")


def build(action: str, rules, rec, state, when: datetime, by: str, values: dict, roster=None) -> dict:
    """The fields of an `action` event from the clerk's `values` (names resolved, limits applied). `roster`:
    the rules as they stood at `when` (who held which post then: the escalation's target), else `rules`."""
    if action not in STEPS:
        raise InputError(f"没有这个操作：{action}")
    out = {}
    for f in STEPS[action]:
        raw = values.get(f.name)
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw in (None, ""):
            if f.required:
                raise InputError(f"{_where(rec, f.name)}：请填写{f.label}")
            continue
        if f.kind == "department":
            out[f.name] = department_names(rules).resolve(raw, f"--{f.name}")
        elif f.kind == "staff":
            out[f.name] = staff_names(rules).resolve(raw, f"--{f.name}")
        elif f.kind == "date":
            d = raw if isinstance(raw, date) else to_date(raw)
            if d is None:
                raise InputError(f"{_where(rec, f.name)}：日期{quoted(raw)}格式不对，应如 2026-12-04")
            out[f.name] = d
        elif f.kind == "score":
            out[f.name] = _score(raw, rules, rec)
        elif f.kind == "days":
            m = re.fullmatch(r"(-?\d+)(个工作日|工作日|天|日|个小时|小时)?", "".join(unicodedata.normalize("NFKC", str(raw)).split()))
            if m is None:
                raise InputError(f"{_where(rec, f.name)}：{quoted(raw)}不是整数（可写 5 或 5个工作日）")
            if len(m.group(1)) > 9:         # 999…9 (5,000 digits): past any limit, and past what int() reads
                raise InputError(f"{_where(rec, f.name)}：天数应在 0 到 {MAX_PROMISE_DAYS} 之间，不是{quoted(raw, 20)}")
            out[f.name], out["_unit"] = int(m.group(1)), _SPAN_UNITS.get(m.group(2))
        elif f.kind == "materials":
            out[f.name] = raw if isinstance(raw, list) else split_materials(raw)
        else:
            out[f.name] = str(raw)
    return _finish(action, rules, rec, state, when, by, out, roster or rules)


def _finish(action, rules, rec, state, when, by, out, roster):
    svc = rules.service_for(rec.meta.get("service"))
    if action == "notified" and not out.get("materials"):
        if svc is None:
            raise InputError(f"{_where(rec, 'service')}：该事项未对应办事指南，请列出所需材料")
        out["materials"] = [m["名称"] for m in svc.materials]
        if not out["materials"]:
            raise InputError(f"{_where(rec, 'materials')}：《{svc.name}》的材料清单为空，请列出所需材料")
    if action == "promised":
        days, unit = out.pop("days", None), out.pop("_unit", None)
        if (days is None) == ("due" not in out):
            raise InputError(f"{_where(rec, 'due')}：请给出办结日期或工作日数（二选一）")
        if days is not None:
            if state is None or state.accepted_at is None:
                raise InputError(f"{rec.path} [{rec.id}]：尚未受理，不能按受理日计算承诺期限；请先签收受理")
            if not 0 <= days <= MAX_PROMISE_DAYS:
                raise InputError(f"{_where(rec, '--days')}：天数应在 0 到 {MAX_PROMISE_DAYS} 之间，不是 {days}")
            # counted as the service counts its limits (working days, calendar days or hours), else as the scheme does
            clock = (svc.clock if svc is not None and svc.clock else None) or rules.policy.clock or Clock()
            if unit is not None and unit != clock.unit:
                raise InputError(f"{_where(rec, '--days')}：该事项的期限按{UNITS[clock.unit].lstrip('个')}计，"
                                 f"请写 {days}{UNITS[clock.unit].replace(' ', '')}")
            if svc is not None and days > svc.promised_days:
                msg = f"{clock.label(days)}超过《{svc.name}》承诺时限 {clock.label(svc.promised_days)}"
                raise InputError(f"{_where(rec, '--days')}：{msg}",
                                 [Problem("promise-exceeds-limit", f"最多 {clock.label(svc.promised_days)}", path=rec.path,
                                          record=rec.id, field="--days")])
            out["due"] = clock.due(rules.calendar, state.accepted_at, days).day
    if action == "forwarded" and handover_of(state, rules, local_day(when)):
        out["handover"] = state.handler     # `移交`: the handler left; the matter goes on as it stands
    if action == "escalated" and not out.get("to"):
        day = local_day(when)
        out["to"] = escalation_target(roster, by, {b for b, s in rules.staff.items() if not still_here(s, day)})
        if not out["to"]:
            who = rules.staff.get(by)
            raise InputError(f"{_where(rec, '--to')}：{who.title if who is not None else ''}{rules.who(by)}在 "
                             "rules/policy.yml 的 escalation_chain 中已没有上级可报；要报给某人，请用 --to 指定")
    if action == "suspended" and out["reason"] not in rules.policy.suspend_reasons:
        from .names import one_of
        out["reason"] = one_of("暂停理由", rules.policy.suspend_reasons, out["reason"],
                               source="rules/policy.yml 的 suspend.reasons", where=_where(rec, "--reason"))
    if action == "rated":
        if out["score"] not in rules.policy.satisfaction:
            raise InputError(f"{_where(rec, 'score')}：评价应为 1 到 5，不是{quoted(out['score'])}")
    return out


def describe(event: dict, rules) -> str:
    """One event as a clerk reads it: 转办 → 人口家庭科 朱立新（J014）."""
    a = event.get("action")
    parts = []
    for k, label in (("finding", "结论"), ("severity", "情节"), ("liable", "责任人"), ("to", "至"), ("staff", "承办人"), ("handover", "移交（原承办人离职）"), ("due", "办结期限"), ("materials", "材料"),
                     ("answer", "答复"), ("reason", "理由"), ("message", "留言"), ("result", "结果"),
                     ("method", "方式"), ("score", "评价"), ("comment", "意见"), ("approver", "批准人"),
                     ("review", "复查决定"), ("measures", "措施"), ("bonus_deduction", "扣罚奖金"), ("decision", "文号"),
                     ("deviation", "与规定不同的理由"), ("findings", "检查"), ("summary", "汇报"),
                     ("text", ""), ("note", "附注"), ("late_reason", "补录理由")):
        v = event.get(k)
        if v in (None, "", []):
            continue
        if k == "staff" and a == "sanctioned":
            label = "被处理人"      # the person the sanction falls on, not a handler of the matter
        if isinstance(v, (list, dict)) and k not in ("liable", "measures", "materials", "findings"):
            pass            # a value of the wrong type (check names it): shown as it stands, never looked up
        elif k == "to" and a != "delivered":
            v = rules.who(v)
        elif k in ("staff", "approver", "handover"):
            v = rules.who(v)
        elif k == "finding":
            v = {"substantiated": "查实", "unfounded": "不实"}.get(v, v)
        elif k in ("liable", "measures"):
            v = "、".join(rules.who(x) if k == "liable" and isinstance(x, str) else str(x) for x in (v if isinstance(v, list) else [v]))
        elif k == "bonus_deduction" and isinstance(v, (int, float)):
            v = f"{v:.0%}"
        elif k == "findings" and isinstance(v, list):
            v = "、".join(f"{f.get('item')}{'合格' if f.get('passed') else '不合格'}" for f in v if isinstance(f, dict))
        elif k == "due":
            v = zh_day(v) if isinstance(v, date) else v
        elif k == "materials":
            v = "、".join(map(str, v))
        elif k == "score":
            v = f"{v} 分（{rules.policy.satisfaction.get(v, '')}）"
        elif k == "to":
            label = "领取人"
        parts.append(f"{label}：{v}" if label else str(v))
    if event.get("given_by") == "visitor":
        parts.append("群众在评价器上评价")
    return "；".join(parts)
