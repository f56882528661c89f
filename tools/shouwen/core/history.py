"""What a commit did to one record (pure): events added and removed, header fields and body changed.

The audit compares parsed records, never diff lines, so no layout can hide a change. Events are
compared as multisets of their canonical lines: appending is the only change the writer makes.
A merge is compared with every parent: what it keeps must be the union of what they had.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .record import Record, event_line


def event_key(ev) -> str:
    return event_line(ev) if isinstance(ev, dict) else repr(ev)


@dataclass
class Change:
    added: list = field(default_factory=list)      # events the commit itself brought, in record order
    removed: list = field(default_factory=list)    # events it dropped or rewrote
    moved: list = field(default_factory=list)      # events it kept but put in another order
    fields: list = field(default_factory=list)     # header fields it changed (`visitor.phone`)
    body: bool = False


def header(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k != "events"}


def changed_fields(old: dict, new: dict) -> list[str]:
    out = []
    for k in list(old) + [k for k in new if k not in old]:
        if k == "events" or old.get(k) == new.get(k):
            continue
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += [f"{k}.{s}" for s in list(a) + [s for s in b if s not in a] if a.get(s) != b.get(s)]
        else:
            out.append(k)
    return out


def _split(events: list, counts: Counter) -> tuple[list, list]:
    """(events matched one for one by `counts`, the events beyond them), in the order given."""
    left, within, beyond = Counter(counts), [], []
    for ev in events:
        k = event_key(ev)
        if left[k] > 0:
            left[k] -= 1
            within.append(ev)
        else:
            beyond.append(ev)
    return within, beyond


def _beyond(events: list, counts: Counter) -> list:
    return _split(events, counts)[1]


def _moved(old: list, new: list) -> list:
    """The first of `old`'s events that `new` no longer keeps in their order (events may be added
    anywhere, as a union merge or a late entry does, but what happened before stays in its order)."""
    want = [event_key(ev) for ev in _split(old, Counter(map(event_key, new)))[0]]
    j = 0
    for k in map(event_key, new):
        if j < len(want) and k == want[j]:
            j += 1
    return [] if j == len(want) else [_split(old, Counter(map(event_key, new)))[0][j]]


def compare(old: Record | None, new: Record | None) -> Change:
    """A plain commit: old version (None when the file is new) against the new one (None when deleted)."""
    if new is None:
        return Change(removed=list(old.events) if old else [])
    if old is None:
        return Change(added=list(new.events))
    n = len(old.events)
    if new.events[:n] == old.events:        # what the writer does: events appended, nothing else
        return Change(added=new.events[n:], fields=changed_fields(old.meta, new.meta), body=old.body != new.body)
    return Change(added=_beyond(new.events, Counter(map(event_key, old.events))),
                  removed=_beyond(old.events, Counter(map(event_key, new.events))),
                  moved=_moved(old.events, new.events),
                  fields=changed_fields(old.meta, new.meta), body=old.body != new.body)


def compare_merge(parents: list, merged: Record) -> Change:
    """A merge: `parents` are each parent's version of the record (None where it had none)."""
    versions = [p for p in parents if p is not None]
    if not versions:
        return Change(added=list(merged.events))
    union: Counter = Counter()
    for p in versions:
        union |= Counter(map(event_key, p.events))
    fields = [f for f in dict.fromkeys(f for p in versions for f in changed_fields(p.meta, merged.meta))
              if all(f in changed_fields(p.meta, merged.meta) for p in versions)]
    union_events = [ev for p in versions for ev in p.events]
    return Change(added=_beyond(merged.events, union),
                  removed=_beyond(_split(union_events, union)[0], Counter(map(event_key, merged.events))),
                  moved=[ev for p in versions for ev in _moved(p.events, merged.events)][:1],
                  fields=fields, body=all(p.body != merged.body for p in versions))


def identity(rec: Record) -> tuple:
    """Which matter a record is: two clones may register different matters under one id."""
    first = rec.events[0] if rec.events else None
    return (rec.id, rec.meta.get("code"), event_key(first) if first is not None else None)
