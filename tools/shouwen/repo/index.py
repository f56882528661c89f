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
import itertools
import os
import pickle
from datetime import date, datetime, timedelta

from ..collector import paused
from . import gitio, store
from .answers import judging_key, keep, read_kept
from .index_rows import LAST_DAY, Source, held, make_entry, make_row, on_the_hour
from .spill import Spill
from ..core.ledger import Entry, Ledger, evaluate, judge
from ..core.record import Record, as_it_stood, local_day, parse

INDEX_VERSION = 5
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


CHUNK = 2000        # rows a part of the index file holds: what is read or written at once


def _parts(path: str, key: str):
    """The parts (dicts) of the index file written under `key`, one at a time; ValueError when it is
    missing, of another key, torn or unreadable (then nothing it gave may be trusted)."""
    try:
        with open(path, "rb") as fh, paused():
            if pickle.load(fh) != key:
                raise ValueError("another key")
            while (part := pickle.load(fh)) is not None:
                if not isinstance(part, dict):
                    raise ValueError("not a part")
                yield part
    except ValueError:
        raise
    except Exception as e:      # missing, or torn (a torn pickle raises almost anything)
        raise ValueError(str(e)) from None


class _Writer:
    """An index file written part by part to a temporary file, put in place whole when done."""

    def __init__(self, path: str, key: str):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.path, self.tmp = path, f"{path}.{os.getpid()}.tmp"
        self.fh = open(self.tmp, "wb")
        self.part: dict = {}
        pickle.dump(key, self.fh, protocol=pickle.HIGHEST_PROTOCOL)

    def add(self, k, windows):
        self.part[k] = windows
        if len(self.part) >= CHUNK:
            self._flush()

    def _flush(self):
        if self.part:
            pickle.dump(self.part, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
            self.part = {}

    def close(self):
        self._flush()
        pickle.dump(None, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abandon(self):
        self.fh.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


class _Index:
    """The rows of the last full write, and a journal of the rows judged since (merged in when it grows).
    The file is read and written a part at a time, never held whole: at 100,000 records it is 100 MB of
    rows, and a command keeps only those it reads (index_rows: a check keeps no heavy part)."""

    def __init__(self, root: str, key: str):
        name = f"ledger-v{INDEX_VERSION}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.pickle"
        self.root, self.file, self.key = root, os.path.join(root, FOLDER, name), key
        self.journal: dict = {}
        self.older: dict = {}       # (path, blob) -> the windows of a record not judged for the day asked
        self.fresh: dict = {}       # judged now, for the journal
        self.stored = self.live = 0     # rows the file and the journal hold; of them, of files listed now
        self.writer: _Writer | None = None
        self.written: set = set()

    def lookup(self, want: dict, day: date, trim) -> dict:
        """{position: trim(position, row)} of the files in `want` ((path, blob) -> position) judged for `day`."""
        try:
            return self._lookup(want, day, trim)
        except ValueError:      # no index, or one that can't be read whole: every record is judged anew
            self.journal, self.older, self.stored, self.live = {}, {}, 0, 0
            return {}

    def _lookup(self, want: dict, day: date, trim) -> dict:
        hits: dict = {}

        def take(rows: dict, skip: dict):
            for k, windows in rows.items():
                if k in skip:
                    continue
                self.stored += 1
                i = want.get(k)
                if i is None:
                    continue
                self.live += 1
                for lo, hi, row in windows:
                    if lo <= day <= hi:
                        hits[i] = trim(i, row)
                        break
                else:
                    self.older[k] = windows
        parts = _parts(self.file, self.key)
        first = next(parts, None)
        if first is None:
            return {}
        self.journal = _read(self.file + ".journal", self.key)
        take(self.journal, {})
        take(first, self.journal)
        for part in parts:
            take(part, self.journal)
        return hits

    def begin(self, misses: int):
        """Before `misses` records are judged: a journal will do when they are few beside what is kept, else
        the file is written anew, the new rows first as they come."""
        if not misses or len(self.journal) + misses <= JOURNAL_SHARE * self.stored:
            return
        try:
            self.writer = _Writer(self.file, self.key)
        except OSError:
            self.writer = None      # unwritable: only costs time

    def put(self, path: str, blob: str, lo: date, hi: date, row: tuple):
        """Judged for the days lo..hi; the two latest other judgements of the same bytes are kept too. What
        the judgements share (the header, the folded state: all but what depends on the day) is kept once:
        the same object in each, which pickle writes and reads once."""
        k = (path, blob)
        older = self.older.pop(k, ())[:WINDOWS - 1]
        if older:
            prev = older[0][2]
            row = tuple(p if p == v else v for p, v in zip(prev, row))
        windows = ((lo, hi, row),) + older
        if self.writer is not None:
            self._add(k, windows)
        else:
            self.fresh[k] = windows

    def abandon(self):
        if self.writer is not None:
            self.writer.abandon()
            self.writer = None

    def _add(self, k, windows):
        """Into the file being written; an unwritable one is given up (only costs time)."""
        self.written.add(k)
        if self.writer is None:
            return
        try:
            self.writer.add(k, windows)
        except OSError:
            self.abandon()

    def save(self, want: dict):
        if self.writer is None:
            if not self.fresh and self.live == self.stored:
                return
            journal = {**self.journal, **self.fresh}
            if self.fresh and self.stored and len(journal) <= JOURNAL_SHARE * self.stored:
                keep(self.file + ".journal", self.key, journal)
                return
            try:
                self.writer = _Writer(self.file, self.key)
            except OSError:
                return
            for k, windows in self.fresh.items():
                self._add(k, windows)
        try:        # what was kept of the files listed now, and not judged anew, follows the new rows
            for part in itertools.chain((self.journal,), _parts(self.file, self.key) if self.stored else ()):
                for k, windows in part.items():
                    if k in want and k not in self.written:
                        self._add(k, windows)
                if self.writer is None:
                    return
        except ValueError:
            pass        # the old file went or broke meanwhile: the new rows alone
        if self.writer is None:
            return
        try:
            self.writer.close()
        except OSError:
            self.abandon()
            return
        for stale in [self.file + ".journal"] + index_files(self.root)[KEEP_FILES:]:
            for f in (stale, stale + ".journal"):
                try:
                    os.unlink(f)
                except OSError:
                    pass


_JOB: dict = {}     # the rules and the day, set before the workers fork
_READERS: dict = {}     # pid -> gitio.BlobReader: each process reads the commit's blobs it judges itself


def _blob(blob: str) -> bytes:
    """A commit's blob, b"" when Git lacks it (as store.contents reads it)."""
    reader = _READERS.get(os.getpid())
    if reader is None:
        reader = _READERS[os.getpid()] = gitio.BlobReader(_JOB["root"])
    try:
        return reader.read(blob)
    except gitio.GitError:
        return b""


def _close_reader():
    reader = _READERS.pop(os.getpid(), None)
    if reader is not None:
        reader.close()
def _judge_one(item) -> tuple[tuple, date]:
    """Parse and judge one record; with `probe`, also find how long the judgement holds."""
    path, blob, data = item
    rules, today, probe, rules_on = _JOB["rules"], _JOB["today"], _JOB["probe"], _JOB["rules_on"]
    if data is None:        # read here: the parent never holds every record's bytes at once
        data = _blob(blob) if _JOB["rev"] is not None else store.read_bounded(os.path.join(_JOB["root"], path))
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


def each_row(root: str, rules, today: date, rev: str | None = None, listed: list | None = None, take=None) -> None:
    """Every listed record's row (index_rows.make_row), as load_ledger reads or judges them (the index brought up
    to date), handed to `take(position in listed, row)` as it comes, in no set order, and held nowhere: no entry
    is made and the ledger is not judged whole (a site build makes its part of each record, one at a time)."""
    with paused():
        listed = store.listing(root, rev) if listed is None else listed
        _rows(root, rules, today, rev, True, None, None, listed, None, False, lambda i, row: take(i, row) or True)


def _load_ledger(root, rules, today, rev, use_cache, in_time, now, listed, before_judge, keep_state, stood) -> Ledger:
    listed = store.listing(root, rev) if listed is None else listed
    spill = Spill.make(root, len(listed))
    trim = lambda i, row: held(row, keep_state, spill)       # noqa: E731
    rows, hourly = _rows(root, rules, today, rev, use_cache, in_time, now, listed, keep_state, stood, trim)
    rules_on = in_time.on if in_time is not None else None
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


def _rows(root, rules, today, rev, use_cache, in_time, now, listed, keep_state, stood, trim) -> tuple[list, bool]:
    """(trim(position, row) of each listed record, never None, whether a verdict may change within the day)."""
    rules_on = in_time.on if in_time is not None else None
    key = judging_key(rules, in_time) if use_cache else None
    index = _Index(root, key) if key else None
    apart = _Index(root, key + ":as-it-stood") if key and stood else None
    want = {(p, b): i for i, (p, b, _) in enumerate(listed)}
    hits = index.lookup(want, today, trim) if index is not None else {}
    # as it stood on `today`: the index's judgement where no event is after that day (nothing to cut), the others
    # judged cut and kept apart, each for its day
    cut = apart.lookup(want, today, trim) if apart is not None else {}
    rows: list = [None] * len(listed)
    misses = []
    hourly = False
    for i in range(len(listed)):
        hit = hits.get(i)
        if apart is not None and (hit is None or (hit[LAST_DAY] is not None and hit[LAST_DAY] > today)):
            hit = cut.get(i)
        if hit is not None and now is not None and on_the_hour(hit, rules):
            hourly, hit = True, None
        if hit is None:
            misses.append(i)
        else:
            rows[i] = hit
    del hits, cut
    if misses:
        _JOB.update(rules=rules, today=today if now is None else now, probe=index is not None and not stood,
                    as_it_stood=stood, rules_on=rules_on, rev=rev,
                    root=root, keep_state=keep_state if index is None else None)
        items = [listed[i] for i in misses]
        kept = apart or index
        if kept is not None:
            kept.begin(len(misses))
        try:
            for i, (row, until) in zip(misses, store.parallel_map(_judge_one, items)):
                if now is not None and on_the_hour(row, rules):
                    hourly = True
                elif kept is not None:
                    kept.put(listed[i][0], listed[i][1], today, until, row)
                rows[i] = trim(i, row)
        except BaseException:
            if kept is not None:
                kept.abandon()
            raise
        finally:
            _close_reader()
        del items
    if index is not None and (apart is None or apart.fresh or apart.writer is not None):
        (apart or index).save(want)
    del want
    del index, apart
    return rows, hourly


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
