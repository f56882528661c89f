"""Clock skew (pure): a record whose latest event is stamped ahead of the clock that checks it.

Apart from the ledger's other judgements because it depends on the moment of checking, not the day: a
check kept for a day (repo.answers) keeps `latest_events` and holds them to the clock each time."""
from __future__ import annotations

from datetime import datetime, timedelta

from .problems import Problem
from .record import zh_moment

# How far an event may lie ahead of the clock that checks it before it is clock skew (the writer's tolerance)
SKEW_TOLERANCE = timedelta(minutes=5)


def latest_events(entries: list, since: datetime) -> list[tuple]:
    """(latest event's time, its index, path, id) of the records whose latest event is at or after `since`:
    all that `clock_skew` reads, so a check kept for a day (repo.answers) can be held to the clock later."""
    return [(e.state.latest_at, e.state.latest_index, e.record.path, e.record.id) for e in entries
            if (at := e.latest_at) is not None and at >= since]


def clock_skew(latest: list[tuple], now: datetime) -> list[Problem]:
    """Records whose latest event is stamped ahead of `now` (from `latest_events`): a desk whose clock runs
    fast, which blocks every later event. From the folded state, so the index answers it without reading
    the records again."""
    return [Problem("clock-skew", f"事件时间 {zh_moment(at)} 晚于检查时的时间 {zh_moment(now)}；"
                                  f"记录它的电脑时钟可能快了，请校准并核对",
                    path=path, record=rid, field=f"events[{i}].at")
            for at, i, path, rid in latest if at - now > SKEW_TOLERANCE]


