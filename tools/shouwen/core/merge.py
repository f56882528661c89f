"""Merging two desks' versions of one record (pure): the union of their events in time order.

Events are only ever appended, so a merge never has to choose between two events: it keeps both.
The header (everything but `events`) is merged key by key against the common ancestor.
Events keep the order they were written in: sorted by time alone, stably, so events of one second
stay in their order on each side (ours first), whatever their text. Inputs whose events differ in time
give identical output whatever the order of the two sides.
"""
from __future__ import annotations

from .record import dump, event_line, parse, to_datetime


class Collision(Exception):
    """Both sides registered a different matter under one id (one badge on two PCs the same day)."""


def _key(ev) -> float:
    """Time only: events of one second keep the order they were written in (ours, then theirs), never
    the order of their text, which put `answered` before `registered` and made records unwritable."""
    at = to_datetime(ev.get("at")) if isinstance(ev, dict) else None
    return at.timestamp() if at else float("inf")


def _same_matter(a: dict, b: dict) -> bool:
    ra = (a.get("events") or [None])[0]
    rb = (b.get("events") or [None])[0]
    return a.get("code") == b.get("code") and ra == rb


def merge_meta(base: dict | None, ours: dict, theirs: dict) -> dict:
    if not base and not _same_matter(ours, theirs):
        raise Collision(ours.get("id"))
    base = base or {}
    out = {}
    for k in list(ours) + [k for k in theirs if k not in ours]:
        if k == "events":
            continue
        o, t, b = ours.get(k), theirs.get(k), base.get(k)
        if o == t or t == b:
            v = o
        elif o == b:
            v = t
        else:   # both changed it differently: pick one the same way whichever side is "ours"
            v = min(o, t, key=repr)
        if v is not None:
            out[k] = v
    seen, events = set(), []
    for ev in (ours.get("events") or []) + (theirs.get("events") or []):
        line = event_line(ev) if isinstance(ev, dict) else repr(ev)
        if line not in seen:
            seen.add(line)
            events.append(ev)
    out["events"] = sorted(events, key=_key)
    return out


def merge_texts(base: str, ours: str, theirs: str, path: str = "record.md") -> str:
    """Three versions of a record file -> the merged file; ValueError when one does not parse."""
    parsed = [parse(path, t.encode("utf-8")) if t else None for t in (base, ours, theirs)]
    for p in parsed[1:]:
        if p is None or p.problems:
            raise ValueError(p.problems[0].message if p else "empty")
    b, o, t = parsed
    meta = merge_meta(b.meta if b and not b.problems else None, o.meta, t.meta)
    bb = b.body if b else ""
    if o.body == t.body or t.body == bb:
        body = o.body
    elif o.body == bb:
        body = t.body
    else:
        body = "\n\n".join(sorted([o.body.rstrip("\n"), t.body.rstrip("\n")])) + "\n"
    return dump(meta, body)
