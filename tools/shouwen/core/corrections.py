"""Corrections as events (pure): a record's header is never edited, it is mended by events.

`corrected` names a header field (`visitor.phone`, `matter` …), the old and the new value and a
reason; `voided` （作废） marks a duplicate or mistaken registration, which stays in the ledger but
out of every count. Folding a record's events over its header gives the record as it now reads.
Personal values (a visitor's or complainant's) are masked wherever they leave the record.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

PERSONAL_PREFIXES = ("visitor.", "complainant.")
# What policy.yml `corrections.fields` allows when it says nothing: the registration's own facts,
# never the id, the lookup code, the first responder or the events.
DEFAULT_FIELDS = ("visitor.name", "visitor.phone", "visitor.organization", "visitor.address", "matter", "service",
                  "channel", "complainant.name", "complainant.phone", "summary", "inquiry")
NEVER = ("id", "code", "lookup", "first_responder", "events", "against", "staff")
FIELD_ZH = {"visitor.name": "发问人姓名", "visitor.phone": "发问人电话", "visitor.organization": "发问人单位",
            "visitor.address": "发问人地址", "matter": "发问事由", "service": "办事事项", "channel": "渠道",
            "complainant.name": "投诉人姓名", "complainant.phone": "投诉人电话", "summary": "投诉内容",
            "inquiry": "所涉事项"}
MISSING = object()
# the two mending events, for every record kind: action -> (required fields, optional fields)
MENDING_EVENTS = {"corrected": (("field", "new", "reason"), ("old",)), "voided": (("reason",), ())}


def correction_fields(field: str, old, new, reason: str) -> dict:
    """A `corrected` event's own fields, in the order the writer keeps them (`correct`, the demo)."""
    return {"action": "corrected", "field": field, **({} if old is MISSING else {"old": old}), "new": new,
            "reason": reason}


@dataclass
class Correction:
    index: int            # the event's place in the record
    at: object
    by: str
    field: str
    old: object
    new: object
    reason: str


@dataclass
class Void:
    index: int
    at: object
    by: str
    reason: str


def get_field(meta: dict, dotted: str):
    cur = meta
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def set_field(meta: dict, dotted: str, value) -> None:
    parts = dotted.split(".")
    cur = meta
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = cur[part] = {}
        cur = nxt
    if value in (None, ""):
        cur.pop(parts[-1], None)
    else:
        cur[parts[-1]] = value


def is_personal(dotted: str) -> bool:
    return dotted.startswith(PERSONAL_PREFIXES)


def mask(dotted: str, value) -> str:
    """A personal value as it may be shown outside the record: enough to recognise, not to use."""
    if value in (None, "", MISSING):
        return "（空）"
    text = str(value)
    if not is_personal(dotted):
        return text
    if dotted.endswith(".phone"):
        digits = text.strip()
        return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:] if len(digits) > 7 else "*" * len(digits)
    if dotted.endswith(".name"):
        return text[:1] + "*" * max(len(text) - 1, 1)
    return text[:2] + "***"


def fold_corrections(meta: dict) -> tuple[dict, list[Correction], Void | None]:
    """The header as the record now reads (corrections applied in order), the corrections, the void."""
    events = meta.get("events") if isinstance(meta.get("events"), list) else []
    fixes, void, out = [], None, None
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            continue
        action = ev.get("action")
        if action == "corrected" and isinstance(ev.get("field"), str):
            if out is None:
                out = copy.deepcopy({k: v for k, v in meta.items() if k != "events"})
            set_field(out, ev["field"], ev.get("new"))
            fixes.append(Correction(i, ev.get("at"), ev.get("by"), ev["field"], ev.get("old"), ev.get("new"),
                                    str(ev.get("reason") or "")))
        elif action == "voided" and void is None:
            void = Void(i, ev.get("at"), ev.get("by"), str(ev.get("reason") or ""))
    if out is None:
        return meta, fixes, void
    out["events"] = events
    return out, fixes, void


def correctable(policy_fields, dotted: str) -> bool:
    return dotted in (policy_fields or DEFAULT_FIELDS) and dotted.split(".")[0] not in NEVER


def describe(c: Correction) -> str:
    """One line for `show` and `history`: field, old → new (masked when personal), reason."""
    name = FIELD_ZH.get(c.field, c.field)
    return f"更正{name}：{mask(c.field, c.old)} → {mask(c.field, c.new)}（理由：{c.reason}）"


def correction_problems(rec, allowed_fields) -> list:
    """A correction names a field the policy lets be corrected (rules/policy.yml corrections.fields)."""
    from .problems import Problem
    out = []
    for i, ev in enumerate(rec.events):
        if isinstance(ev, dict) and ev.get("action") == "corrected" and isinstance(ev.get("field"), str):
            if not correctable(allowed_fields, ev["field"]):
                out.append(Problem("field-invalid", f"字段 {ev['field']} 不能更正（rules/policy.yml corrections.fields）；"
                                   "编号、查询码、首问责任人和事件都不能更正", path=rec.path, record=rec.id,
                                   field=f"events[{i}].field"))
    return out


def masked_event(ev):
    """An event as it may leave the record: a correction of a personal field shows masked values."""
    if not (isinstance(ev, dict) and ev.get("action") == "corrected" and is_personal(str(ev.get("field")))):
        return ev
    out = dict(ev)
    for k in ("old", "new"):
        if k in out:
            out[k] = mask(ev["field"], out[k])
    return out


def event_words(ev: dict) -> str:
    """The fields of an event after at/by/action, for a terminal: corrections as old → new, 补录 named."""
    if ev.get("action") == "corrected":
        text = describe(Correction(0, ev.get("at"), ev.get("by"), str(ev.get("field")), ev.get("old", MISSING),
                                   ev.get("new"), str(ev.get("reason") or "")))
    else:
        text = " ".join(f"{k}={v}" for k, v in ev.items() if k not in ("at", "by", "action", "late_reason"))
    if ev.get("late_reason"):
        text += f"  【补录：{ev['late_reason']}】"
    return text.strip()
