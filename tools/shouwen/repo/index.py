"""The compact index (DESIGN §10): every record's judged state, kept under .shouwen/ by Git blob id.

For each record file (path, blob id) it keeps what `core.ledger.evaluate` gives — the header fields,
the folded state, the deadlines, the problems and the accountability data; not the events or the body,
which are read from the record again if a command asks for them — and under what it was judged: the
rules (a fingerprint of every rules file's bytes), the code that judged (shouwen's core sources, the
calendar package) and the days for which the judgement holds. Whole-ledger judgements (duplicate ids,
dangling references, the ladder, assessments) are made from these entries, never from the records.

It is only a cache: one missing, unreadable, of another version, judged under other rules or for
another day is rebuilt, never trusted, and `check --no-cache` gives the same answers without it.

A judgement depends on the day only through comparisons "today is past this deadline" (and the number
of working days overdue, in words). So an entry judged the same on the day asked and ten years later
holds for every day between; any other holds for its own day only, and is judged again the next day.
"""
from __future__ import annotations

import atexit
import gc
import hashlib
import os
import pickle
from dataclasses import fields
from datetime import date, timedelta

from . import gitio, store
from ..core.deadlines import Deadlines
from ..core.fold import State
from ..core.ledger import Entry, Ledger, evaluate, judge
from ..core.problems import Problem
from ..core.record import Record, parse

INDEX_VERSION = 2
PROBE_DAYS = 3660
FILE = os.path.join(".shouwen", "index", f"ledger-v{INDEX_VERSION}.pickle")


class IndexedRecord(Record):
    """A record as the index keeps it: its header; events and body are read back when asked for."""

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


class _Source:
    """Where an indexed record's bytes are read back from: the work tree, or Git for a commit."""

    def __init__(self, root: str, rev: str | None):
        self.root, self.rev, self.reader = root, rev, None

    def read(self, path: str, blob: str) -> bytes:
        if self.rev is None:
            return store.read_bounded(os.path.join(self.root, path))
        if self.reader is None:
            self.reader = gitio.BlobReader(self.root)
            atexit.register(self.reader.close)
        return self.reader.read(blob)


def code_key() -> str:
    """What judged: the core's sources, the calendar data, the index format."""
    import chinese_calendar
    from .. import core, __version__
    h = hashlib.sha1(f"{INDEX_VERSION}:{__version__}:{getattr(chinese_calendar, '__version__', '')}".encode())
    folder = os.path.dirname(core.__file__)
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as fh:
                h.update(name.encode() + b"\0" + fh.read())
    return h.hexdigest()


def rules_key(rules) -> str | None:
    return getattr(rules, "fingerprint", None)


# An entry is kept as a row of plain values (pickle reads those at C speed) and made into objects again
# without running their constructors; the field names come from the classes, so a new field is kept too.
_STATE = tuple(f.name for f in fields(State))
_DEADLINES = tuple(f.name for f in fields(Deadlines))
_PROBLEM = tuple(f.name for f in fields(Problem))


def _values(obj, names) -> tuple:
    d = obj.__dict__
    return tuple(d[n] for n in names)


def _make(cls, names, values):
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def _row(entry: Entry) -> tuple:
    rec = entry.record
    return ({k: v for k, v in rec.meta.items() if k != "events"}, [_values(p, _PROBLEM) for p in rec.problems],
            None if entry.state is None else _values(entry.state, _STATE),
            None if entry.deadlines is None else _values(entry.deadlines, _DEADLINES),
            [_values(p, _PROBLEM) for p in entry.problems], entry.account, entry.corrections, entry.voided)


def _entry(path: str, blob: str, row: tuple, source) -> Entry:
    meta, rec_problems, state, deadlines, problems, account, corrections, voided = row
    rec = object.__new__(IndexedRecord)
    rec.__dict__.update(path=path, meta=meta, blob=blob, source=source, _full=None,
                        problems=[_make(Problem, _PROBLEM, p) for p in rec_problems])
    return Entry(rec, None if state is None else _make(State, _STATE, state),
                 None if deadlines is None else _make(Deadlines, _DEADLINES, deadlines),
                 [_make(Problem, _PROBLEM, p) for p in problems], account, corrections, voided)


class _Index:
    def __init__(self, root: str, key: str):
        self.file, self.key, self.rows, self.changed = os.path.join(root, FILE), key, {}, False
        try:
            with open(self.file, "rb") as fh:
                stored_key, rows = pickle.load(fh)
            if stored_key == key and isinstance(rows, dict):
                self.rows = rows
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            pass    # no index, or an unreadable one: rebuilt

    def get(self, path: str, blob: str, day: date) -> tuple | None:
        hit = self.rows.get((path, blob))
        return hit[2] if hit is not None and hit[0] <= day <= hit[1] else None

    def put(self, path: str, blob: str, lo: date, hi: date, row: tuple):
        self.rows[(path, blob)] = (lo, hi, row)
        self.changed = True

    def save(self, live: set):
        if not self.changed and len(live) == len(self.rows):
            return
        keep = {k: v for k, v in self.rows.items() if k in live}
        try:
            os.makedirs(os.path.dirname(self.file), exist_ok=True)
            tmp = f"{self.file}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump((self.key, keep), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass    # an index that can't be written only costs time


_JOB: dict = {}     # the rules and the day, set before the workers fork


def _judge_one(item) -> tuple[tuple, date]:
    """Parse and judge one record; with `probe`, also find how long the judgement holds."""
    path, blob, data = item
    rules, today, probe, rules_on = _JOB["rules"], _JOB["today"], _JOB["probe"], _JOB["rules_on"]
    rec = store.parse_checked(path, data)
    entry = evaluate(rec, rules, today, rules_on)
    until = today
    if probe:
        later = evaluate(rec, rules, today + timedelta(days=PROBE_DAYS), rules_on)
        if later.problems == entry.problems and later.deadlines == entry.deadlines:
            until = today + timedelta(days=PROBE_DAYS)
    return _row(entry), until


def load_ledger(root: str, rules, today: date, rev: str | None = None, use_cache: bool = True,
                in_time=None) -> Ledger:
    """The ledger of the work tree (or of a commit), judged as of `today`: from the index where it holds,
    every other record parsed and judged (on every core when there are many), the index brought up to date.
    `in_time` (repo.loader.RulesInTime): judge roles and head deductions by the rules of each day."""
    enabled = gc.isenabled()
    gc.disable()    # many small objects that all live on: the collector's passes over them would be wasted
    try:
        return _load_ledger(root, rules, today, rev, use_cache, in_time)
    finally:
        if enabled:
            gc.enable()


def _load_ledger(root, rules, today, rev, use_cache, in_time) -> Ledger:
    listed = store.listing(root, rev)
    key = rules_key(rules)
    rules_on = in_time.on if in_time is not None else None
    if key and in_time is not None:
        key = f"{key}:{in_time.key()}"      # judged under the whole history of the rules, not only today's
    index = _Index(root, f"{code_key()}:{key}") if use_cache and key else None
    rows: list = [None] * len(listed)
    misses = []
    for i, (path, blob, _) in enumerate(listed):
        hit = index.get(path, blob, today) if index is not None else None
        if hit is None:
            misses.append(i)
        else:
            rows[i] = hit
    if misses:
        _JOB.update(rules=rules, today=today, probe=index is not None, rules_on=rules_on)
        items = store.contents(root, rev, [listed[i] for i in misses])
        for i, (row, until) in zip(misses, store.parallel_map(_judge_one, items)):
            rows[i] = row
            if index is not None:
                index.put(listed[i][0], listed[i][1], today, until, row)
    if index is not None:
        index.save({(p, b) for p, b, _ in listed})
        del index
    source = _Source(root, rev)
    return judge([_entry(p, b, row, source) for (p, b, _), row in zip(listed, rows)], rules, today, rules_on)
