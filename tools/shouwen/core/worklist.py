"""Who has what to do, and finding a matter again (pure, over the folded ledger)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .departed import hands_over, leaving_handler
from .names import norm
from .record import local_day


LATE = "已超期"            # a deadline passed, whichever it is (what `list --overdue` lists)


@dataclass
class Item:
    entry: object
    due: date | None        # the next deadline that matters to the desk
    why: str                # why it is listed, in Chinese (empty for an open matter)
    at: datetime | None = None    # on an hour clock: the deadline's last on-time moment


def bad_rating_open(st, rules) -> bool:
    """Rated 1–2 and not followed up since: the matter stays on the desk although closed."""
    return st.rating in rules.policy.bad_ratings and not [f for f in st.followups if f >= st.rated_at]


def worklist(entries, rules, me: str | None, now: datetime | None = None, today: date | None = None) -> list[Item]:
    """Open matters I handle or registered (my department's, when addressed to it), and closed ones
    with a bad rating awaiting my follow-up; the soonest deadline first. `me=None`: everyone's."""
    rows = [item(e, rules, now, today) for e in entries if on_worklist(e, rules, me)]
    rows.sort(key=lambda i: (i.due or date.max, i.entry.record.id))
    return rows


def on_worklist(e, rules, me: str | None) -> bool:
    """Whether `worklist` lists the entry."""
    st = e.state
    if st is None or st.registered_at is None:
        return False
    if st.closed and not bad_rating_open(st, rules):
        return False
    return me is None or me in (st.handler, e.record.meta.get("first_responder")) or (
        st.handler == rules.department_of(me) and st.handler in rules.departments) or (
        not st.closed and hands_over(st, rules, me))       # a 科室 head: what someone who left still holds


def next_moment(st, dl) -> datetime | None:
    """On an hour clock, the last on-time moment of the soonest open deadline (None on a day clock)."""
    if dl is None or dl.next_deadline is None or not dl.times:
        return None
    open_ = {"accept_by": True, "promise_by": True, "forward_by": st.routed_at is None,
             "due": st.completed_at is None}
    ats = [at for name, at in dl.times.items() if open_.get(name) and local_day(at) == dl.next_deadline]
    return min(ats) if ats else None


def item(e, rules, now: datetime | None = None, today: date | None = None) -> Item:
    """One matter as `todo` and `list` show it: the deadline that matters now and why it is listed.
    `now`: judged at this moment, an hour clock's deadline is late as soon as it passes; `today` (else
    now's day): a day's deadline (to forward, sign off, promise or complete) is late once it has passed."""
    st, dl = e.state, e.deadlines
    if bad_rating_open(st, rules):
        return Item(e, rules.calendar.add(local_day(st.rated_at), rules.policy.followup_limit),
                    f"差评（{st.rating} 分）待回访督办")
    due = (dl.next_deadline or (dl.due if st.completed_at is None else None)) if dl else None
    if st.closed:
        return Item(e, None, "已结束")
    at = next_moment(st, dl)
    if st.completed_at is not None:
        return Item(e, due, "已办结，待取件", at)
    if now is None and at is not None and today is not None:
        late_by_hour = local_day(at) <= today          # a day is read as of its end, as `check --today` reads it
    else:
        late_by_hour = at is not None and now is not None and at < now
    today = today or (local_day(now) if now is not None else None)
    late = dl and dl.overdue or late_by_hour or (due is not None and today is not None and due < today)
    gone = leaving_handler(st, rules)
    if not late and gone is not None:
        return Item(e, due, f"{gone.name}（{gone.badge}）已离职，待移交", at)
    return Item(e, due, LATE if late else "", at)


SEARCHED = ("name", "phone", "organization", "address")


def find(entries, text: str) -> list:
    """Matters whose visitor's name, phone (any part), organisation or address, matter, id, lookup
    code or service name contains `text`; newest first."""
    t = norm(text)
    if not t:
        return []
    out = []
    for e in entries:
        m = e.record.meta
        visitor = m.get("visitor") if isinstance(m.get("visitor"), dict) else {}
        hay = [visitor.get(k) for k in SEARCHED] + [m.get("matter"), m.get("id"), m.get("code"), m.get("summary"),
                                                    m.get("name"), m.get("phone")]
        if any(t in norm(h) for h in hay if h not in (None, "")):
            out.append(e)
    out.sort(key=lambda e: e.record.id, reverse=True)
    return out
