"""How the index (repo/index.py) keeps one judged record: a row of plain values, in two parts.

The light part is what whole-ledger judgements and `check` read of every record: its id, its problems,
its accountability data, whether it is void, its latest event's time (clock skew), what says whether an
hour clock runs on it and whether it was forwarded (the bulletin's count, without reading the events).
The heavy part (the header, the folded state, the deadlines) is kept as pickled
bytes inside the row and unpickled only for an entry whose state, deadlines or header a command reads
(`todo`, `list`): a `check` of the whole ledger never makes them. A state or deadlines is made without
running its constructor; the field names come from the classes, so a new field is kept too. An entry and
its record are slotted objects read as Entry and Record are.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import fields

from ..core.deadlines import Deadlines
from ..core.fold import State
from ..core.ledger import Entry
from ..core.problems import problem_from, problem_values
from ..core.record import Record, last_day, parse

_STATE = tuple(f.name for f in fields(State))
_DEADLINES = tuple(f.name for f in fields(Deadlines))
HEAVY = 7           # where the heavy part sits in a row
LAST_DAY = 10       # the record's last day with an event (core.record.last_day): a day's cut changes nothing after
_UNREAD = object()


class _Empty(list):
    """The one empty list of problems or corrections that entries read from the index share (a hundred thousand
    empty lists are 17 MB): read as [], never changed (core.ledger.judge gives an entry a new list)."""
    __slots__ = ()

    def _refuse(self, *args):
        raise TypeError("the shared empty list is not changed")
    append = extend = insert = remove = pop = clear = sort = reverse = __setitem__ = __delitem__ = _refuse
    __iadd__ = __imul__ = _refuse

    def __reduce__(self):
        return list, ()


EMPTY = _Empty()


def _values(obj, names) -> tuple:
    d = obj.__dict__
    return tuple(d[n] for n in names)


def _make(cls, names, values):
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def make_row(entry: Entry, heavy: bool = True) -> tuple:
    """`heavy`: False when no command will read this entry's header, state or deadlines (then it has none)."""
    rec, st = entry.record, entry.state
    heavy = pickle.dumps(({k: v for k, v in rec.meta.items() if k != "events"},
                          None if st is None else _values(st, _STATE),
                          None if entry.deadlines is None else _values(entry.deadlines, _DEADLINES)),
                         protocol=pickle.HIGHEST_PROTOCOL) if heavy else None
    clock = None if st is None else (rec.meta.get("service"), st.closed, st.rating)
    return (rec.id, [problem_values(p) for p in rec.problems], [problem_values(p) for p in entry.problems],
            entry.account, entry.corrections, entry.voided, None if st is None else st.latest_at, heavy, clock,
            entry.forwarded, last_day(rec))


def on_the_hour(row: tuple, rules) -> bool:
    """An inquiry counted on an hour clock with a deadline still to come (open, or a bad rating to follow up):
    its verdict may change at any moment of the day."""
    clock_of = row[HEAVY + 1]
    if clock_of is None:
        return False
    service, closed, rating = clock_of
    svc = rules.service_for(service)
    clock = (svc.clock if svc is not None and svc.clock else None) or rules.policy.clock
    return clock is not None and clock.unit == "hours" and (not closed or rating in rules.policy.bad_ratings)


class _Heavy:
    """A row's heavy part, unpickled once when first asked for."""
    __slots__ = ("data", "value")

    def __init__(self, data: bytes):
        self.data, self.value = data, None

    def get(self) -> tuple:
        if self.value is None:
            data = self.bytes()
            if data is None:
                raise LookupError("this entry was read without its header, state and deadlines (keep_state)")
            self.value = pickle.loads(data)
        return self.value

    def bytes(self) -> bytes | None:
        return self.data


_NO_HEAVY = _Heavy(None)     # one for every entry kept without its heavy part


def spilled(spill, data: bytes) -> _Heavy:
    """A heavy part kept in `spill` (repo.spill.Spill), or in memory when it can't be written."""
    try:
        return _Spilled(spill, spill.write(data), len(data))
    except OSError:
        return _Heavy(data)


class _Spilled(_Heavy):
    """A heavy part written to a repo.spill.Spill: its place there instead of its bytes."""
    __slots__ = ("spill", "at", "size")

    def __init__(self, spill, at: int, size: int):
        self.data, self.value, self.spill, self.at, self.size = None, None, spill, at, size

    def bytes(self) -> bytes:
        return self.spill.read(self.at, self.size)

    def __reduce__(self):       # pickled (to a worker, or kept) as its bytes: the file is this process's
        return _Heavy, (self.bytes(),)


class IndexedRecord:
    """A record as the index keeps it, read as a Record is (its header read when asked for; events and body
    read back from the record's bytes, the work tree or Git for a commit, when asked for). Slots, no
    __dict__: a command holds a hundred thousand of them."""
    __slots__ = ("path", "_id", "_heavy", "blob", "source", "_full", "problems")
    noncanonical = None
    kind = Record.kind
    __eq__, __repr__, __hash__ = Record.__eq__, Record.__repr__, None

    def __init__(self, path, rid, heavy, blob, source, problems):
        self.path, self._id, self._heavy, self.blob, self.source = path, rid, heavy, blob, source
        self._full, self.problems = None, problems

    @property
    def meta(self) -> dict:
        return self._heavy.get()[0]

    @property
    def id(self) -> str | None:
        return self._id

    def _record(self) -> Record:
        if self._full is None:
            self._full = parse(self.path, self.source.read(self.path, self.blob))
        return self._full

    @property
    def events(self) -> list:
        return self._record().events

    @property
    def body(self) -> str:
        return self._record().body


class IndexedEntry:
    """An entry read from the index, read as an Entry is: its state and deadlines become objects only when
    asked for. Slots, as IndexedRecord."""
    __slots__ = ("record", "_state", "_deadlines", "_heavy", "_latest", "_fwd", "account", "problems", "corrections",
                 "voided")
    ok = Entry.ok
    __eq__, __repr__, __hash__ = Entry.__eq__, Entry.__repr__, None

    def __init__(self, record, heavy, latest, forwarded, account, problems, corrections, voided):
        self.record, self._state, self._deadlines, self._heavy, self._latest = record, _UNREAD, _UNREAD, heavy, latest
        self._fwd, self.account, self.problems, self.corrections, self.voided = (forwarded, account, problems,
                                                                                 corrections, voided)

    @property
    def latest_at(self):
        return self._latest

    @property
    def forwarded(self) -> bool:
        return self._fwd

    def _opened(self, slot: str, part: int, cls, fields):
        """The heavy part's `part` made a `cls` the first time it is asked for, then kept in `slot`."""
        value = getattr(self, slot)
        if value is _UNREAD:
            values = self._heavy.get()[part]
            value = None if values is None else _make(cls, fields, values)
            setattr(self, slot, value)
        return value

    def let_go(self):
        """Forget what was made of the heavy part (it is made again if asked for): a command that reads
        every entry's state once holds one at a time, not a hundred thousand."""
        self._state = self._deadlines = _UNREAD
        if self._heavy is not _NO_HEAVY:
            self._heavy.value = None
        self.record._full = None

    @property
    def state(self) -> State | None:
        return self._opened("_state", 1, State, _STATE)

    @property
    def deadlines(self) -> Deadlines | None:
        return self._opened("_deadlines", 2, Deadlines, _DEADLINES)


def state_from(start):
    """repo.index.load_ledger's `keep_state`: only the entries with an event at or after `start` keep their
    header, state and deadlines (what the kept judgement reads of the day's records, core.ledger_delta.light_of,
    and check's clock skew)."""
    return lambda latest: latest is not None and latest >= start


def one_at_a_time(entries):
    """The entries, each letting go of its state once the next is asked for: a list of a hundred thousand
    matters holds the state of one at a time, made again for those shown."""
    for e in entries:
        yield e
        _forget(e)


class Drained(list):
    """A list walked once, each item let go (its place emptied) as the next is asked for: a table made from a
    ledger no longer needed takes the memory of the entries it has been made from."""

    def __iter__(self):
        for i in range(len(self)):
            item = list.__getitem__(self, i)
            list.__setitem__(self, i, None)
            yield item


def let_go(value, item_or_entry):
    """`value`, once the entry it was made from (a worklist item's, or the entry itself) has let go of its state."""
    _forget(getattr(item_or_entry, "entry", item_or_entry))
    return value


def _forget(e):
    if isinstance(e, IndexedEntry):     # an Entry evaluated on the spot has nothing to make again from
        e.let_go()


def held(row: tuple, keep_state, spill) -> tuple:
    """The row as the ledger holds it: without its heavy part where no command will read that entry's header,
    state or deadlines (`keep_state`), else with it in the `spill` (repo.spill.Spill) when there is one; its
    empty lists the one they all share (EMPTY)."""
    heavy = row[HEAVY]
    if heavy is not None and keep_state is not None and not keep_state(row[HEAVY - 1]):
        heavy = None
    elif heavy is not None and spill is not None:
        heavy = spilled(spill, heavy)
    rid, rec_problems, problems, account, corrections = row[:5]
    return (rid, rec_problems or EMPTY, problems or EMPTY, account, corrections or EMPTY, *row[5:HEAVY], heavy,
            *row[HEAVY + 1:])


def make_entry(path: str, blob: str, row: tuple, source) -> IndexedEntry:
    """`row`'s heavy part: its bytes, a Spill's _Spilled, or None."""
    rid, rec_problems, problems, account, corrections, voided, latest, heavy, _, forwarded, _ = row
    heavy = _NO_HEAVY if heavy is None else heavy if isinstance(heavy, _Heavy) else _Heavy(heavy)
    rec = IndexedRecord(path, rid, heavy, blob, source, [problem_from(p) for p in rec_problems] if rec_problems else EMPTY)
    return IndexedEntry(rec, heavy, latest, forwarded, account, [problem_from(p) for p in problems] if problems else EMPTY,
                        corrections or EMPTY, voided)


class Source:
    """Where an indexed record's bytes are read back from: the work tree, or Git for a commit."""

    def __init__(self, root: str, rev: str | None):
        self.root, self.rev, self.reader, self.worktree = root, rev, None, None

    def read(self, path: str, blob: str) -> bytes:
        from . import gitio, store
        if self.rev is not None and self.worktree is None:
            self.worktree = {p: b for p, b, _ in store.listing(self.root)}
        if self.rev is None or self.worktree.get(path) == blob:
            return store.read_bounded(os.path.join(self.root, path))
        if self.reader is None:
            import atexit
            self.reader = gitio.BlobReader(self.root)
            atexit.register(self.reader.close)
        return self.reader.read(blob)
