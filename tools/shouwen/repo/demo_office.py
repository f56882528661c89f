"""The office's part of the demo agency's year (`shouwen demo`): a wrong phone number corrected, a
duplicate registration voided, matters paused for 补正材料 and resumed, matters reopened (重办) after a bad
rating, and each 科室's written quarterly report (书面情况汇报).

Drawn from a random stream of its own, after the desk's matters are planned, so those keep their ids,
lookup codes and events (what they gain is inserted in time order). Each step has the fields, in the order,
that its command (`correct`, `void`, `suspend`, `resume`, `reopen`, `forward` …, `report`) writes.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ..core.corrections import correction_fields
from ..core.rules import PROMISED

DUPLICATE = 10_000_000      # plan indexes of the duplicates' registrations …
REPORT = 20_000_000         # … and of the written reports, apart from the desk's and the accounts'
WHILE_PAUSED = {"note", "notified", "followed_up"}
CORRECTION_REASONS = ["登记时电话号码记错一位，回访时经发问人核实更正", "发问人来电告知登记的电话有误，核实后更正"]
REOPEN_REASONS = ["发问人对办理结果不满意，经复核需重新办理", "差评回访发现材料审核有误，重新办理"]
MISSING_MATERIAL = "申请人缺少{m}，已一次性告知补正"


def office_steps(rules, clock, plans: list, cutoff: datetime, days: list) -> list:
    """Insert the office's steps into `plans` ([registered at, registration, events, visitor], events in
    time order) and return the new operations (duplicate registrations, voids, written reports)."""
    rng = clock.rng
    _corrections(clock, plans, cutoff)
    _pauses(rules, clock, plans)
    _reopens(rules, clock, plans)
    return _duplicates(rules, clock, plans, cutoff) + _reports(rules, clock, plans, cutoff, days, rng)


def _apply_some(rng, candidates: list, share: float, step) -> None:
    """`step` on candidates in a random order until it has fitted about `share` of them (at least one
    when any fits); `step` says whether it fitted."""
    want = max(1, round(share * len(candidates)))
    for c in rng.sample(candidates, len(candidates)):
        if want == 0:
            return
        want -= bool(step(*c))


def _insert(events: list, ev: dict) -> None:
    """In time order, after every event at the same time."""
    k = len(events)
    while k > 0 and events[k - 1]["at"] > ev["at"]:
        k -= 1
    events.insert(k, ev)


def _index(events, action):
    return next((k for k, e in enumerate(events) if e["action"] == action), None)


def _corrections(clock, plans, cutoff):
    rng = clock.rng

    def correct(reg_at, reg, events, visitor):
        at = clock.days(reg_at, rng.randint(0, 2))
        if at > cutoff:
            return False
        old = visitor["phone"]
        k = rng.randrange(3, len(old))
        new = old[:k] + str((int(old[k]) + rng.randint(1, 9)) % 10) + old[k + 1:]
        _insert(events, {"at": at, "by": reg["by"],
                         **correction_fields("visitor.phone", old, new, rng.choice(CORRECTION_REASONS))})
        return True

    _apply_some(rng, [p for p in plans if p[3].get("phone")], 0.02, correct)


def _pauses(rules, clock, plans):
    """补正: the handler stops the clock the day after promising, and starts it again when the visitor
    brings what was missing, before the matter is completed."""
    rng = clock.rng

    def pause(reg_at, reg, events, visitor):
        p, c = _index(events, "promised"), _index(events, "completed")
        stop = clock.days(events[p]["at"], 1)
        go = clock.days(stop, rng.randint(1, 4))
        between = [e for e in events if stop <= e["at"] <= go]
        if go >= events[c]["at"] or any(e["action"] not in WHILE_PAUSED for e in between):
            return False
        handler = events[_index(events, "accepted")]["by"]
        material = rng.choice([m["名称"] for m in rules.services[reg["service"]].materials])
        _insert(events, {"at": stop, "by": handler, "action": "suspended", "reason": rules.policy.suspend_reasons[0],
                         "note": MISSING_MATERIAL.format(m=material)})
        _insert(events, {"at": go, "by": handler, "action": "resumed", "note": "申请人已补交材料"})
        return True

    candidates = [p for p in plans if p[1]["service"] and _index(p[2], "promised") is not None
                  and _index(p[2], "completed") is not None and _index(p[2], "extended") is None]
    _apply_some(rng, candidates, 0.04, pause)


def _reopens(rules, clock, plans):
    """重办 after a bad rating: the first responder reopens the matter and sends it to the same handler,
    who accepts, promises, completes and delivers it again (as far as the demo's last day reaches)."""
    rng, cal, pol = clock.rng, rules.calendar, rules.policy

    def reopen(reg_at, reg, events, visitor):
        svc = rules.services[reg["service"]]
        handler = events[_index(events, "accepted")]["by"]
        result = events[_index(events, "completed")]["result"]
        t = clock.days(events[-1]["at"], rng.randint(1, 2))
        events.append({"at": t, "by": reg["by"], "action": "reopened", "reason": rng.choice(REOPEN_REASONS)})
        t = clock.minutes(t, 10, 60)
        events.append({"at": t, "by": reg["by"], "action": "forwarded", "to": svc.department, "staff": handler})
        t = clock.days(t, rng.randint(0, pol.sign_off_limit))
        events.append({"at": t, "by": handler, "action": "accepted"})
        acc_day, span = t.date(), 0
        if svc.kind == PROMISED:
            span = rng.randint(1, max(1, svc.promised_days // 2))
            t = clock.minutes(t, 5, 60)
            events.append({"at": t, "by": handler, "action": "promised", "due": cal.add(acc_day, span)})
        n = rng.randint(min(1, span), span)
        t = max(clock.days(t, n) if n == 0 else clock.at(cal.add(acc_day, n)), clock.minutes(t, 5, 30))
        events.append({"at": t, "by": handler, "action": "completed", "result": f"已重新核对：{result}"})
        t = clock.days(t, rng.randint(0, 2))
        events.append({"at": t, "by": handler, "action": "delivered", "method": "窗口领取", "to": "本人"})
        return True

    candidates = [p for p in plans if p[1]["service"] and p[2][-1]["action"] in ("rated", "followed_up")
                  and _index(p[2], "delivered") is not None
                  and any(e["action"] == "rated" and e["score"] in pol.bad_ratings for e in p[2])]
    _apply_some(rng, candidates, 0.25, reopen)


def _registrations(plans) -> dict:
    out: dict = {}
    for reg_at, reg, _, _ in plans:
        out.setdefault((reg_at.date(), reg["by"]), []).append(reg_at)
    return out


def _duplicates(rules, clock, plans, cutoff) -> list:
    """The visitor called again the same day and another clerk registered the matter a second time; the
    office voids the second registration. That clerk registers nothing later that day, so no other
    matter's id moves."""
    rng = clock.rng
    desks = sorted({reg["by"] for _, reg, _, _ in plans})
    taken = _registrations(plans)
    voiders = [b for b, s in rules.staff.items() if s.department in ("office", "supervision") and s.role != "head"]
    out = []
    for k, i in enumerate(sorted(rng.sample(range(len(plans)), min(len(plans), max(1, len(plans) // 50))))):
        reg_at, reg, _, visitor = plans[i]
        at = clock.minutes(reg_at, 20, 90)
        free = [b for b in desks if b != reg["by"] and max(taken.get((at.date(), b), [at])) <= at]
        if not free or at > cutoff or at.date() != reg_at.date():
            continue
        by = rng.choice(free)
        taken.setdefault((at.date(), by), []).append(at)
        dup = {"matter": reg["matter"], "service": reg["service"], "channel": "phone", "by": by}
        out.append((at, DUPLICATE + k, 0, "duplicate", (dup, dict(visitor))))
        vat = clock.days(at, rng.randint(0, 1))
        if vat <= cutoff:
            out.append((vat, DUPLICATE + k, 1, "void", ({"at": vat, "by": rng.choice(voiders), "action": "voided",
                                                          "reason": "与 {original} 重复登记（同一发问人、同一事项），作废本件"}, i)))
    return out


def _reports(rules, clock, plans, cutoff, days, rng) -> list:
    """Each 科室's head sends the quarter's written report in its last working days (now and then one is
    missing, as the bulletin then says)."""
    out = []
    workdays = set(days)
    quarters = sorted({(d.year, (d.month - 1) // 3 + 1) for d in days})
    for n, (y, q) in enumerate(quarters):
        last = date(y, 3 * q, 1) + timedelta(days=31)
        last = last.replace(day=1) - timedelta(days=1)
        window = [last - timedelta(days=k) for k in range(10) if last - timedelta(days=k) in workdays][:4]
        if not window:
            continue
        depts = [d for d in rules.departments.values() if d.parent is not None]
        skip = rng.choice(depts).id if rng.random() < 0.3 else None
        for m, dept in enumerate(depts):
            at = clock.at(rng.choice(window), (9, 0), (17, 0))
            if dept.id == skip or at > cutoff:
                continue
            meta = {"department": dept.id, "quarter": f"{y}Q{q}"}
            first = {"action": "submitted", "summary": _summary(rules, plans, dept.id, date(y, 3 * q - 2, 1), at)}
            out.append((at, REPORT + 100 * n + m, 0, "account", ("reports", dept.head, meta, first)))
    return out


def _summary(rules, plans, dept: str, start: date, until: datetime) -> str:
    mine = [p for p in plans if start <= p[0].date() and p[0] <= until]
    if any(rules.staff[p[1]["by"]].department == dept for p in mine):
        own = [p for p in mine if rules.staff[p[1]["by"]].department == dept]
        bad = sum(1 for p in own for e in p[2] if e["action"] == "rated" and e["at"] <= until
                  and e["score"] in rules.policy.bad_ratings)
        return f"本季度首问登记 {len(own)} 件，收到差评 {bad} 件，已逐件回访"
    sent = [p for p in mine if any(e["action"] in ("forwarded", "referred") and e.get("to") == dept and e["at"] <= until
                                   for e in p[2])]
    if sent:
        done = sum(1 for p in sent if any(e["action"] == "completed" and e["at"] <= until for e in p[2]))
        return f"本季度承办转办、引导事项 {len(sent)} 件，已办结 {done} 件"
    return "本季度无转办事项；已组织学习首问责任制实施方案，对照接待守则逐项自查"
