"""The event fold (pure): a record's events, in order, give its derived state.

Nothing derived is ever stored in a record; `show`, `list`, `todo`, `check` and the
site all read the state this module computes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .corrections import MENDING_EVENTS
from .record import to_date, to_datetime

# action -> (required fields, optional fields); every event also has at/by/action and may carry `note`.
EVENT_FIELDS: dict[str, tuple[tuple, tuple]] = {
    "registered": ((), ()),
    "answered": (("answer",), ()),
    "referred": (("to",), ("staff",)),
    "relayed": (("message",), ("to", "staff")),
    "forwarded": (("to",), ("staff", "handover")),    # handover: the handler who left, whose matter this hands on (`移交`)
    "accepted": ((), ()),
    "returned": (("reason",), ()),
    "notified": (("materials",), ()),
    "promised": (("due",), ()),
    "extended": (("due", "reason", "approver"), ()),
    "escalated": (("to",), ("reason",)),
    "followed_up": ((), ()),
    "explained": (("reason",), ()),
    "completed": (("result",), ()),
    "delivered": (("method",), ("to",)),
    "rated": (("score",), ("comment", "given_by")),     # given_by: visitor, on the window rating pad
    "note": (("text",), ()),
    "suspended": (("reason",), ()),        # 暂停计时: waiting for the visitor (补正材料)
    "resumed": ((), ()),                   # 恢复计时
    "reopened": (("reason",), ("review",)),  # 重办: a second round after a bad rating or a 复查
    **MENDING_EVENTS,      # core.corrections: a header field's old and new value, or the record void
}
COMMON_FIELDS = ("at", "by", "action", "note", "late_reason")   # late_reason: a 补录 past the grace, and why

ACTION_ZH = {
    "registered": "登记", "answered": "当场答复", "referred": "引导", "relayed": "转告",
    "forwarded": "转办", "accepted": "签收受理", "returned": "退回", "notified": "一次性告知",
    "promised": "承诺", "extended": "延期", "escalated": "上报", "followed_up": "督办",
    "explained": "解释", "completed": "办结", "delivered": "取件送达", "rated": "评价", "note": "备注",
    "suspended": "暂停计时", "resumed": "恢复计时", "reopened": "重办", "corrected": "更正", "voided": "作废",
}
# Actions that move the matter on; notified/followed_up/rated/note do not change the stage.
STAGE_ACTIONS = frozenset(EVENT_FIELDS) - {"notified", "followed_up", "rated", "note", "suspended", "resumed",
                                           "corrected", "voided"}
MENDING = frozenset({"corrected", "voided"})     # allowed at any stage, closed or not
CLOSING = frozenset({"answered", "explained", "delivered"})
ROUTABLE = frozenset({"registered", "relayed", "returned", "escalated", "reopened"})
# What may still be recorded while the clock stands still (暂停计时).
WHILE_SUSPENDED = frozenset({"note", "notified", "followed_up", "resumed"})

STAGE_ZH = {"registered": "已登记", "answered": "已当场答复", "referred": "已引导", "relayed": "已转告",
            "forwarded": "已转办", "accepted": "已受理", "returned": "已退回", "promised": "已承诺",
            "extended": "已延期", "escalated": "已上报", "explained": "已解释", "completed": "已办结",
            "delivered": "已送达", "reopened": "重办中"}


@dataclass
class State:
    first_responder: str | None = None
    stage: str | None = None
    closed: bool = False
    handler: str | None = None            # badge, or department id until someone accepts
    handler_department: str | None = None
    registered_at: datetime | None = None
    routed_at: datetime | None = None     # first answered/referred/forwarded/accepted/explained
    sent_at: datetime | None = None       # last forwarded/referred, awaiting acceptance
    accepted_at: datetime | None = None
    promised_at: datetime | None = None
    due: date | None = None
    extensions: list = field(default_factory=list)   # (at, old due, new due)
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    followups: list = field(default_factory=list)    # times of followed_up events
    forwards: int = 0
    returns: int = 0
    materials_told: list = field(default_factory=list)
    suspensions: list = field(default_factory=list)  # [at suspended, at resumed or None, reason]
    round: int = 1                        # 1, or 2… after 重办
    round_index: int = 0                  # index of the event that opened this round
    round_started_at: datetime | None = None
    previous: list = field(default_factory=list)     # the States of earlier rounds, as they closed
    voided: bool = False          # 作废: kept in the ledger, out of every count
    # (event index, field, message) for events that make no sense where they stand
    order_problems: list = field(default_factory=list)
    # (event index, field, message) for a step competing with the one before it, as two desks acting at
    # once make: kept, not applied, and reported as a warning for the first responder to resolve with an event
    conflicts: list = field(default_factory=list)
    latest_at: datetime | None = None     # the latest event time, and its index (clock skew)
    latest_index: int | None = None

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions) and self.suspensions[-1][1] is None

    @property
    def suspend_reason(self) -> str | None:
        return self.suspensions[-1][2] if self.suspended else None

    @property
    def status_zh(self) -> str:
        """The stage as the public reads it; a stopped clock says why (已暂停（补正材料）)."""
        if self.suspended:
            return f"已暂停（{self.suspend_reason}）"
        return STAGE_ZH.get(self.stage, self.stage or "")


# Ratings that count as bad (好差评: 1–2 of 5) unless the policy says otherwise.
BAD_RATINGS = (1, 2)


def allowed(s: State, action: str, ev_review=None, bad_ratings=BAD_RATINGS, handover=None) -> str | None:
    """None when `action` may follow the state `s`, else why not (in Chinese). `handover`: a forward's handler who
    left (`移交`), which hands on an accepted or promised matter as it stands (check judges that they left)."""
    if action == "registered":
        return "登记只能是第一条事件"
    if s.stage is None:
        return "第一条事件必须是登记（registered）"
    if action == "voided" and s.voided:
        return "该事项已作废"
    if action == "note" or action in MENDING:
        return None
    if action == "reopened":
        if not s.closed:
            return "事项尚未结束，不能重办"
        if s.rating not in bad_ratings and not ev_review:
            return "只有差评（1–2 分）或复查决定（review）后才能重办"
        return None
    if s.suspended and action not in WHILE_SUSPENDED:
        return f"事项已暂停计时（{s.suspend_reason}），须先恢复计时（resume）才能{ACTION_ZH[action]}"
    if action == "suspended":
        if s.closed or s.completed_at:
            return "事项已办结，不能暂停计时"
        return "事项已暂停计时" if s.suspended else None
    if action == "resumed":
        return None if s.suspended else "事项没有暂停计时，无需恢复"
    if s.closed:
        if action == "rated":
            return "该事项已评价过，每件只能评价一次" if s.rating is not None else None
        if action == "followed_up":
            return None
        return f"事项已结束（{STAGE_ZH.get(s.stage, s.stage)}），不能再{ACTION_ZH[action]}"
    if action == "rated":
        return "事项尚未结束，不能评价"
    if s.completed_at and action not in ("delivered", "notified", "followed_up"):
        return f"事项已办结，只能取件送达，不能再{ACTION_ZH[action]}"
    if action == "forwarded" and handover is not None:
        if handover != s.handler:
            return f"移交（handover）只能移交当前承办人的事项，不是 {handover} 的"
    elif action in ("referred", "forwarded") and s.stage not in ROUTABLE:
        return f"当前阶段为{STAGE_ZH.get(s.stage, s.stage)}，不能{ACTION_ZH[action]}；承办人应先退回"
    if action == "relayed" and s.stage not in ("registered", "returned"):
        return f"当前阶段为{STAGE_ZH.get(s.stage, s.stage)}，不能转告"
    if action == "accepted" and s.accepted_at is not None and s.stage not in ("escalated",):
        return "该事项已受理"
    if action == "returned" and s.stage not in ("forwarded", "referred", "accepted"):
        return "只有转办、引导或受理后的事项才能退回"
    if action == "promised":
        if s.accepted_at is None:
            return "须先受理（accept）才能承诺办结时限"
        if s.due is not None:
            return "已承诺过办结时限；要改期请用延期（extend）"
    if action == "extended" and s.due is None:
        return "尚未承诺办结时限，不能延期"
    if action == "completed" and s.accepted_at is None:
        return "须先受理（accept）才能办结"
    if action == "delivered" and s.completed_at is None:
        return "须先办结（complete）才能取件送达"
    return None


def _copied(s: State) -> State:
    """copy.copy(s) without its generic machinery (a third of the fold): a State keeps its fields in __dict__."""
    twin = object.__new__(State)
    twin.__dict__.update(s.__dict__)
    return twin


def fold(events: list, first_responder: str | None = None, dept_of=lambda badge, at: None,
         bad_ratings=BAD_RATINGS) -> State:
    s = State(first_responder=first_responder)
    last_at = None
    before = None       # the state before the last step that moved the matter on
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            s.order_problems.append((i, f"events[{i}]", "事件应为键值映射"))
            continue
        action, by, at = ev.get("action"), ev.get("by"), to_datetime(ev.get("at"))
        if action not in EVENT_FIELDS:
            continue  # reported as field-invalid by the validator
        if at is not None and last_at is not None and at < last_at:
            s.order_problems.append((i, f"events[{i}].at", "事件时间早于前一条事件，事件须按时间顺序追加"))
        if at is not None:
            last_at = at
            if s.latest_at is None or at > s.latest_at:
                s.latest_at, s.latest_index = at, i
        if i == 0 and action == "registered":
            s.stage, s.handler, s.registered_at, s.round_started_at = "registered", first_responder, at, at
            s.handler_department = dept_of(first_responder, at)
            continue
        why = allowed(s, action, ev.get("review"), bad_ratings, ev.get("handover"))
        if why:
            # two desks acting at once: each step was valid where it was written, from the same state;
            # after the merge the second competes with the first (a second forward, a forward after an answer)
            if before is not None and allowed(before, action, ev.get("review"), bad_ratings, ev.get("handover")) is None:
                s.conflicts.append((i, f"events[{i}].action",
                                    f"与此前的{STAGE_ZH.get(s.stage, s.stage)}冲突（两处同时办理？），以先记录的为准；"
                                    f"请首问责任人核对后用一条事件处理"))
            else:
                s.order_problems.append((i, f"events[{i}].action", why))
            continue
        if action in STAGE_ACTIONS:
            before = _copied(s)
        _apply(s, action, ev, at, by, dept_of, i)
    return s


def _apply(s: State, action, ev, at, by, dept_of, i=0):
    if action == "voided":
        s.voided = True
        return
    if action == "reopened":
        _reopen(s, i, at, dept_of)
        return
    if action in STAGE_ACTIONS:
        s.stage = action
    if action in ("answered", "referred", "forwarded", "accepted", "explained", "escalated") and s.routed_at is None:
        s.routed_at = at
    if action in ("referred", "forwarded"):
        s.handler = ev.get("staff") or ev.get("to")
        s.handler_department = ev.get("to")
        s.sent_at = at
        s.accepted_at = None
        s.forwards += action == "forwarded" and not ev.get("handover")     # a handover is no new forward
    elif action == "accepted":
        s.handler, s.handler_department, s.accepted_at, s.sent_at = by, dept_of(by, at), at, None
    elif action == "returned":
        s.handler, s.handler_department = s.first_responder, dept_of(s.first_responder, at)
        s.accepted_at = s.sent_at = None
        s.due = None
        s.returns += 1
    elif action == "escalated":
        s.handler, s.handler_department = ev.get("to"), dept_of(ev.get("to"), at)
    elif action == "promised":
        s.due, s.promised_at = to_date(ev.get("due")), at
    elif action == "extended":
        s.extensions.append((at, s.due, to_date(ev.get("due"))))
        s.due = to_date(ev.get("due"))
    elif action == "notified":
        s.materials_told = list(ev.get("materials") or [])
    elif action == "completed":
        s.completed_at = at
    elif action == "suspended":
        s.suspensions.append([at, None, str(ev.get("reason") or "")])
    elif action == "resumed":
        s.suspensions[-1][1] = at
    elif action == "followed_up":
        s.followups.append(at)
    elif action == "rated":
        s.rating, s.rated_at = ev.get("score"), at
    if action in CLOSING:
        s.closed, s.closed_at = True, at


def _reopen(s: State, i, at, dept_of):
    """重办: the round so far is kept as it closed; the first responder answers for the new round,
    with its own forwarding, sign-off, promise and completion deadlines."""
    done = _copied(s)
    done.previous = []
    s.previous = [*s.previous, done]
    s.round += 1
    s.round_started_at = at
    s.round_index = i
    s.stage, s.closed, s.closed_at = "reopened", False, None
    s.handler, s.handler_department = s.first_responder, dept_of(s.first_responder, at)
    s.routed_at = s.sent_at = s.accepted_at = s.promised_at = s.completed_at = None
    s.due, s.rating, s.rated_at = None, None, None
    s.extensions, s.followups, s.suspensions = [], [], []
