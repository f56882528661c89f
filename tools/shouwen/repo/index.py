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

import hashlib
import os
from datetime import date, datetime, timedelta

from ..collector import paused
from . import store
from .answers import judging_key, keep, read_kept
from .index_rows import LAST_DAY, Source, make_entry, make_row, on_the_hour
from ..core.ledger import Entry, Ledger, evaluate, judge
from ..core.record import Record, as_it_stood, local_day, parse

INDEX_VERSION = 4
PROBE_DAYS = 3660
WINDOWS = 3
JOURNAL_SHARE = 0.05
FOLDER = os.path.join(".shouwen", "index")
KEEP_FILES = 5      # one index per way of judging (today's rules, the rules in time, a commit's rules, as it stood)


def index_files(root: str) -> list[str]:
    """The index files present, newest first."""
    folder = os.path.join(root, FOLDER)
    try:
        names = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("ledger-") and n.endswith(".pickle")]
    except OSError:
        return []
    return sorted(names, key=lambda f: os.stat(f).st_mtime_ns, reverse=True)


def _read(path: str, key: str) -> dict:
    rows = read_kept(path, key)
    return rows if isinstance(rows, dict) else {}      # no index, or an unreadable one: rebuilt


class _Index:
    """The rows of the last full write, and a journal of the rows judged since (merged in when it grows)."""

    def __init__(self, root: str, key: str):
        name = f"ledger-v{INDEX_VERSION}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.pickle"
        self.root, self.file, self.key = root, os.path.join(root, FOLDER, name), key
        self.rows = _read(self.file, key)
        self.journal = _read(self.file + ".journal", key) if self.rows else {}
        self.rows.update(self.journal)
        self.fresh: dict = {}

    def get(self, path: str, blob: str, day: date) -> tuple | None:
        for lo, hi, row in self.rows.get((path, blob), ()):
            if lo <= day <= hi:
                return row
        return None

    def put(self, path: str, blob: str, lo: date, hi: date, row: tuple):
        """Judged for the days lo..hi; the two latest other judgements of the same bytes are kept too. What
        the judgements share (the header, the folded state: all but what depends on the day) is kept once:
        the same object in each, which pickle writes and reads once."""
        older = self.rows.get((path, blob), ())[:WINDOWS - 1]
        if older:
            prev = older[0][2]
            row = tuple(p if p == v else v for p, v in zip(prev, row))
        self.rows[(path, blob)] = self.fresh[(path, blob)] = ((lo, hi, row),) + older

    def save(self, live: set):
        if not self.fresh and len(live) == len(self.rows):
            return
        journal = {**self.journal, **self.fresh}
        if self.fresh and len(journal) <= JOURNAL_SHARE * len(self.rows):
            keep(self.file + ".journal", self.key, journal)
            return
        keep(self.file, self.key, {k: v for k, v in self.rows.items() if k in live})
        for stale in [self.file + ".journal"] + index_files(self.root)[KEEP_FILES:]:
            for f in (stale, stale + ".journal"):
                try:
                    os.unlink(f)
                except OSError:
                    pass


_JOB: dict = {}     # the rules and the day, set before the workers fork
def _judge_one(item) -> tuple[tuple, date]:
    """Parse and judge one record; with `probe`, also find how long the judgement holds."""
    path, blob, data = item
    rules, today, probe, rules_on = _JOB["rules"], _JOB["today"], _JOB["probe"], _JOB["rules_on"]
    if data is None:        # a work tree file, read here: the parent never holds every record's bytes at once
        data = store.read_bounded(os.path.join(_JOB["root"], path))
    rec = store.parse_checked(path, data)
    if _JOB["as_it_stood"]:
        rec = as_it_stood(rec, today)
    entry = evaluate(rec, rules, today, rules_on)
    until = local_day(today) if isinstance(today, datetime) else today
    if probe:
        later = evaluate(rec, rules, today + timedelta(days=PROBE_DAYS), rules_on)
        if later.problems == entry.problems and later.deadlines == entry.deadlines:
            until += timedelta(days=PROBE_DAYS)
    keep = _JOB["keep_state"]
    return make_row(entry, keep is None or keep(None if entry.state is None else entry.state.latest_at)), until


def load_ledger(root: str, rules, today: date, rev: str | None = None, use_cache: bool = True,
                in_time=None, now: datetime | None = None, listed: list | None = None, before_judge=None,
                keep_state=None, stood: bool = False) -> Ledger:
    """The ledger of the work tree (or of a commit), judged as of `today`: from the index where it holds,
    every other record parsed and judged (on every core when there are many), the index brought up to date.
    `in_time` (repo.rules_history.RulesInTime): judge roles and head deductions by the rules of each day. `now`: judge
    as of that moment (else as of the end of `today`); a record whose verdict may change within the day (an
    hour clock) is then judged again on every run, never taken from or kept in the index, and the ledger
    says so (`moment_bound`: what follows from it is not the day's alone). `listed`: the work tree's files
    as store.WorkTree listed them. `before_judge(entries)`: called with every entry evaluated, in path
    order, before the whole-ledger judgement adds to them (repo.summary keeps them so). `keep_state(latest
    event's time)`: whether the caller may read that entry's header, state or deadlines; the others are not
    kept when nothing else needs them (no index: `check --no-cache` reads only those of today's events).
    `stood`: judge each record as it stood at the end of `today` (core.record.as_it_stood: a bulletin mid-quarter):
    the index's own judgement of a record with no event after that day, the others' kept in an index of their own,
    each judgement for its day alone."""
    with paused(freeze=True):       # many small objects that all live until the command ends
        return _load_ledger(root, rules, today, rev, use_cache, in_time, now, listed, before_judge, keep_state,
                            stood and now is None)


def _load_ledger(root, rules, today, rev, use_cache, in_time, now, listed, before_judge, keep_state, stood) -> Ledger:
    listed = store.listing(root, rev) if listed is None else listed
    rules_on = in_time.on if in_time is not None else None
    key = judging_key(rules, in_time) if use_cache else None
    index = _Index(root, key) if key else None
    # as it stood on `today`: the index's judgement where no event is after that day (nothing to cut), the others
    # judged cut and kept apart, each for its day
    apart = _Index(root, key + ":as-it-stood") if key and stood else None
    rows: list = [None] * len(listed)
    misses = []
    hourly = False
    for i, (path, blob, _) in enumerate(listed):
        hit = index.get(path, blob, today) if index is not None else None
        if apart is not None and (hit is None or (hit[LAST_DAY] is not None and hit[LAST_DAY] > today)):
            hit = apart.get(path, blob, today)
        if hit is not None and now is not None and on_the_hour(hit, rules):
            hourly, hit = True, None
        if hit is None:
            misses.append(i)
        else:
            rows[i] = hit
    if misses:
        _JOB.update(rules=rules, today=today if now is None else now, probe=index is not None and not stood,
                    as_it_stood=stood, rules_on=rules_on,
                    root=root, keep_state=keep_state if index is None and before_judge is None else None)
        items = [listed[i] for i in misses]
        items = store.contents(root, rev, items) if rev is not None else items
        for i, (row, until) in zip(misses, store.parallel_map(_judge_one, items)):
            rows[i] = row
            if now is not None and on_the_hour(row, rules):
                hourly = True
            elif index is not None:
                (apart or index).put(listed[i][0], listed[i][1], today, until, row)
    if index is not None and (apart is None or apart.fresh):
        (apart or index).save({(p, b) for p, b, _ in listed})
    del index, apart
    source = Source(root, rev)
    for i, (p, b, _) in enumerate(listed):      # in place: each row is let go as its entry is made
        rows[i] = make_entry(p, b, rows[i], source)
    entries = rows
    del rows, listed
    if before_judge is not None and not hourly:
        before_judge(entries)
    ledger = judge(entries, rules, today, rules_on)
    ledger.moment_bound = hourly
    return ledger


def partial_ledger(root: str, rules, today: date, rev: str, paths: set) -> Ledger:
    """The ledger of a commit or tree judged only where `paths` are: those records in full, every other
    one by the id its file name gives (which `check` holds to the id inside). What only the whole ledger
    shows is judged over all of them, so a new file's duplicate id or dangling reference is found, and
    the cost is that of the few files, not of the ledger (the pre-commit hook)."""
    listed = store.listing(root, rev)
    mine = store.contents(root, rev, [x for x in listed if x[0] in paths])
    full = {p: evaluate(parse(p, d), rules, today) for p, _, d in mine}
    return judge([full.get(p) or Entry(Record(p, {"id": p.rsplit("/", 1)[-1][:-3].split(".")[0]}), None, None)
                  for p, _, _ in listed], rules, today)
