"""The whole-ledger judgement kept as a summary that a few changed records patch (pure; issue 15).

`ledger.judge` reads, of each entry, its path and id, its own problems, the inquiry it refers to, whether
it is void, its complaint (the ladder's sanctions) and, for clock skew, its latest event. A Summary keeps
just that of every record file, so when a few files change the judgement of the whole ledger is the one
before, less what those files took away, plus what they add: duplicate ids and unknown references looked
up again only for the ids the change touches, the sanctions worked out again only when a complaint
changed. `problems(s)` is `judge(...).problems` of the same entries, in the same order (tests/test_index.py
compares them with `check --no-cache` after edits, new, removed and staged files and commits).

The ids are one text of "\\n{path}\\t{id}" lines, in no order: a hundred thousand of them are read back in
a millisecond, and the paths that hold an id are found by searching it for "\\t{id}\\n". A path or id with a
tab or a line break in it can't be written so: `summarize` then gives None, and nothing is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .accountability import Complaint
from .ledger import duplicate_id, expiry, sanctions, unknown_inquiry
from .problems import problem_values


# A Light: what the whole-ledger judgement reads of one entry besides its path and id, as a plain tuple (read
# back far faster than objects): (its own problems as core.problems.problem_values, before judge adds
# duplicate ids and unknown references; the inquiry it refers to when it is not void; void; a complaint,
# void or not: the ladder's judgement may change with it; core.skew.latest_events' tuple when it is not
# void and its latest event is since the day began).
PROBLEMS, REF, VOID, COMPLAINT, LATEST = range(5)
PLAIN = ((), None, False, False, None)


@dataclass
class Summary:
    table: str                      # "\n{path}\t{id}" for every record file, then "\n"
    lights: dict                    # path -> its Light, for the entries whose Light is not PLAIN
    complaints: dict | None         # path -> Complaint of the complaints not void (None: not read yet)
    dups: dict                      # path -> its id-duplicate problem
    unknown: dict                   # path -> its inquiry-unknown problem
    head: tuple                     # the rules' own problems
    ladder: tuple                   # ledger.sanctions over the complaints (as problem_values)
    tail: tuple                     # ledger.expiry
    since: datetime                 # the start of the day judged (clock skew's `latest`)


def light_of(entry, since: datetime) -> tuple[str | None, tuple]:
    """(id, Light) of an evaluated entry, before `judge` adds to its problems."""
    rec, void = entry.record, entry.voided is not None
    at = None if void else entry.latest_at
    return rec.id, (tuple(problem_values(p) for p in entry.problems),
                    None if void else getattr(entry.account, "inquiry", None) or None, void,
                    isinstance(entry.account, Complaint),
                    (at, entry.state.latest_index, rec.path, rec.id) if at is not None and at >= since else None)


def _plain_text(s) -> bool:
    return "\t" not in s and "\n" not in s


def summarize(entries: list, rules, today: date, rules_on, since: datetime) -> Summary | None:
    """The summary of evaluated entries in path order (what `judge` will be given), or None."""
    lines, lights, complaints, ids, seen, referring = [], {}, {}, set(), set(), {}
    for e in entries:
        rid, light = light_of(e, since)
        path = e.record.path
        if not _plain_text(path) or not _plain_text(rid or ""):
            return None
        lines.append(f"\n{path}\t{rid or ''}")
        if light != PLAIN:
            lights[path] = light
            if light[REF] is not None:
                referring[path] = rid
        if not light[VOID] and isinstance(e.account, Complaint):
            complaints[path] = e.account
        if rid:
            (ids if rid in seen else seen).add(rid)
    s = Summary("".join(lines) + "\n", lights, complaints, {}, {}, tuple(rules.problems), (),
                tuple(expiry(rules, today)), since)
    _recheck_ids(s, ids)
    _recheck_refs(s, None, ids=seen, rid_of=referring.get)
    _recheck_ladder(s, rules, today, rules_on)
    return s


def _paths_with(table: str, rid: str) -> list[str]:
    found, needle = [], f"\t{rid}\n"
    i = table.find(needle)
    while i >= 0:
        found.append(table[table.rfind("\n", 0, i) + 1:i])
        i = table.find(needle, i + 1)
    return sorted(found)


def id_of(table: str, path: str):
    """The id of `path` ('' for none), or False when the path is not in the table."""
    i = table.find(f"\n{path}\t")
    if i < 0:
        return False
    start = i + len(path) + 2
    return table[start:table.index("\n", start)]


def _known(table: str, ref, ids: set | None) -> bool:
    if ids is not None:
        return ref in ids
    return isinstance(ref, str) and _plain_text(ref) and f"\t{ref}\n" in table


def _recheck_ids(s: Summary, ids: set):
    """The id-duplicate problems of every path holding one of `ids`: the first path claims it."""
    for p in [p for p, d in s.dups.items() if d.record in ids]:
        del s.dups[p]
    for rid in ids:
        paths = _paths_with(s.table, rid)
        for p in paths[1:]:
            s.dups[p] = duplicate_id(rid, paths[0], p)


def _recheck_refs(s: Summary, refs: set | None, paths: set = frozenset(), ids: set | None = None, rid_of=None):
    """The inquiry-unknown problems of the entries referring to one of `refs` (None: every entry) or at one
    of `paths`; `ids`: every id in the ledger, and `rid_of`: path -> id, when known (else the table is read)."""
    for p, light in s.lights.items():
        ref = light[REF]
        if ref is not None and (refs is None or p in paths or (isinstance(ref, str) and ref in refs)):
            s.unknown.pop(p, None)
            if not _known(s.table, ref, ids):
                s.unknown[p] = unknown_inquiry(ref, p, rid_of(p) if rid_of else id_of(s.table, p) or None)


def _recheck_ladder(s: Summary, rules, today: date, rules_on):
    s.ladder = tuple(map(problem_values, sanctions([s.complaints[p] for p in sorted(s.complaints)], rules, today, rules_on)))


def touches_complaints(s: Summary, changes: dict) -> bool:
    """Whether a change takes or brings a complaint (then `s.complaints` must be read before `patch`)."""
    return any(s.lights.get(p, PLAIN)[COMPLAINT] or (new is not None and new[1][COMPLAINT]) for p, new in changes.items())


def _without(table: str, paths: set) -> str:
    if len(paths) <= 16:
        for p in paths:
            i = table.find(f"\n{p}\t")
            if i >= 0:
                table = table[:i] + table[table.index("\n", i + 1):]
        return table
    keep = [line for line in table[1:-1].split("\n") if line.split("\t", 1)[0] not in paths]
    return "".join(f"\n{line}" for line in keep) + "\n"


def patch(s: Summary, changes: dict, rules, today: date, rules_on) -> bool:
    """Apply `changes` (path -> (id, Light, Complaint or None) of its new version, or None: removed) to `s`;
    False (s then unusable) when one can't be kept in the table."""
    ids, refs, ladder = set(), set(), touches_complaints(s, changes)
    for p in changes:
        old = id_of(s.table, p)
        if old:
            ids.add(old)
        s.lights.pop(p, None)
        s.dups.pop(p, None)
        s.unknown.pop(p, None)
        if s.complaints is not None:
            s.complaints.pop(p, None)
    s.table = _without(s.table, set(changes))
    added = []
    for p, new in changes.items():
        if new is None:
            continue
        rid, light, complaint = new
        if not _plain_text(p) or not _plain_text(rid or ""):
            return False
        added.append(f"{p}\t{rid or ''}\n")
        if light != PLAIN:
            s.lights[p] = light
        if complaint is not None and not light[VOID]:
            s.complaints[p] = complaint
        if rid:
            ids.add(rid)
        if isinstance(light[REF], str):
            refs.add(light[REF])
    s.table += "".join(added)
    _recheck_ids(s, ids)
    _recheck_refs(s, ids | refs, set(changes))
    if ladder:
        _recheck_ladder(s, rules, today, rules_on)
    return True


def problems(s: Summary) -> list[tuple]:
    """`judge(...).problems`, in its order, as core.problems.problem_values."""
    out = [problem_values(p) for p in s.head]
    for p in sorted({p for p, light in s.lights.items() if light[PROBLEMS]} | s.dups.keys()):
        out.extend(s.lights.get(p, PLAIN)[PROBLEMS])
        if p in s.dups:
            out.append(problem_values(s.dups[p]))
    out.extend(problem_values(s.unknown[p]) for p in sorted(s.unknown))
    return out + list(s.ladder) + [problem_values(p) for p in s.tail]


def latest(s: Summary) -> list:
    """core.skew.latest_events of the entries not void, in path order."""
    return [at for _, at in sorted((p, light[LATEST]) for p, light in s.lights.items() if light[LATEST] is not None)]


def count(s: Summary) -> int:
    """The entries not void (`len(judge(...).entries)`)."""
    return s.table.count("\n") - 1 - sum(1 for light in s.lights.values() if light[VOID])
