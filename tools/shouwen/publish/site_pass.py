"""What a build from the whole ledger takes of every record's part, each part let go of once read.

A part (site_records._row) is a dozen small objects made from the record's entry: at a hundred thousand
records the entries (the ledger) are 200 MB and the parts 150 MB, which were all held until the last of what
is made of them was made. Here each record's part is made from its row as the index hands it over
(repo.index.each_row: no entry is kept, the ledger is not judged whole) and pickled to an unnamed temporary
file; then the parts are read back one at a time in the ledger's order (live entries, then void ones, each by
path), and each gives the lookup entry to seal, its stored key, its share of the year's counts and its
personal values (the records', then the corrections': the first to hold a value names it; each put in its
bucket's stream in the same file and made a bucket at a time: publish.value_buckets), and, when the build is
kept to be followed (publish.site_follow), how it lays its entries out (site_grow.Laying) and whether it
moves with the day (site_follow.Daily). The buckets of parts (site_follow.write_rows) are read back from the
same file, a bucket at a time.
"""
from __future__ import annotations

import os
import pickle
from array import array

from ..core.hashed import Hashed
from ..repo import store
from ..repo.index_rows import Source, make_entry
from ..repo.spill import Spill
from . import privacy
from .privacy import KEY_LABEL
from .disclosure import totals
from .site_follow import Daily, bucket, fresh, moved
from .site_grow import Laying
from .value_buckets import Streams


class Gathered:
    """What the build takes of the parts put in the ledger's order (`put`). `kept`: the parts are to be kept,
    with the layout and what moves with the day; `spool`: where the parts were pickled."""

    def __init__(self, kept: bool, spool: "_Spool"):
        self.items: list = []       # (id, code, None, its payload's number) of each live matter: what lookup.placing
        #                             seals (`payloads` for its data)
        self.stored: dict = {}      # (id, code) -> the key the record stores
        self.totals = totals([])    # the live entries' shares of the year's counts, summed (disclosure.totals)
        self._corrected: list = []  # (void, path, the values of its corrections) of a part that has any
        self.laying = Laying() if kept else None
        self.daily = Daily() if kept else None
        self.spool = spool
        self.streams = Streams(spool, kept)     # the personal values, the records' own, then (`finish`) the rest
        self.payloads = _Payloads(spool)     # the items' payload bytes, which the items name by number
        self._buckets: dict = {}    # bucket -> the places (offset, length) of its parts in the spool

    def put(self, path: str, blob, live_one: bool, row, at: tuple) -> None:
        """One part (`at`: its place in the spool)."""
        item, stored, counts, values, corrected = row
        if live_one:
            if item is not None:
                self.items.append((*item[:2], None, self.payloads.put(item[3])))
            if stored is not None:
                self.stored[stored[0]] = stored[1]
            if counts is not None:
                self.totals = moved(self.totals, None, counts)
        self.streams.put(values, 0, not live_one, path)
        if corrected:
            self._corrected.append((live_one, path, corrected))
        if self.laying is not None:
            self.laying.put(path, live_one, row)
            self.daily.put(path, blob, live_one, row)
            self._buckets.setdefault(bucket(path), array("q")).extend(at)

    def finish(self) -> None:
        """The corrections' values, after every record's own."""
        for live_one, path, values in self._corrected:
            self.streams.put(values, 1, not live_one, path)
        self._corrected = []

    def values(self):
        """The personal values the guard looks for (publish.sought.Values), each named by the first part that
        holds it, and how the build holds them (given to the Laying); once, after `finish`."""
        values, holders, multi = self.streams.made(LABELS)
        self.streams = None
        if self.laying is not None:
            self.laying.holders, self.laying.multi = holders, multi
        return values

    def buckets(self):
        """(bucket, {path: (blob, live, part)}) of the parts, read back from the spool a bucket at a time."""
        try:
            for b, spans in self._buckets.items():
                part = {}
                for i in range(0, len(spans), 2):
                    path, blob, live_one, row = self.spool.get(spans[i], spans[i + 1])
                    part[path] = (blob, live_one, row)
                yield b, part
        finally:
            self.spool.close()


def gather(root: str, tree, today, row_of, old: dict, kept: bool, folder: str, each_row) -> tuple[Gathered, Hashed]:
    """(what the build takes of every record's part, the ids of the records not void (core.hashed: only asked
    which lookup keys to keep, so a void record's found by chance only keeps its key a while longer)). `tree`: the record files
    shown (site_records.shown_tree); `each_row(rev, listed, take)` hands each listed record's row to `take(its
    place, row)`, in any order (repo.index.each_row). A part is `row_of(entry)`, or an unchanged record's from
    `old` (path -> (blob, live, part), taken out of it) while it holds on `today`."""
    listed = tree.listed() if tree is not None else store.listing(root)
    if tree is not None:
        tree.let_go()       # the listing is held here as long as it is needed, no longer
    try:
        return _gather(root, tree, today, row_of, old, kept, listed, each_row,
                       _Spool(Spill(_made(folder)) if hasattr(os, "pread") else None))
    except OSError:         # no room on disk for the parts: held in memory
        return _gather(root, tree, today, row_of, old, kept, listed, each_row, _Spool(None))


def _gather(root, tree, today, row_of, old, kept, listed, each_row, spool) -> tuple[Gathered, Hashed]:
    rev = getattr(tree, "rev", None)
    spans, void, ids = array("q", bytes(16 * len(listed))), bytearray(len(listed)), Hashed()
    source = Source(root, rev)

    def take(i: int, row) -> None:
        path, blob = listed[i][0], listed[i][1]
        e = make_entry(path, blob, row, source)
        was = old.pop(path, None)
        part = was[2] if blob and was is not None and was[0] == blob and fresh(was[2], today) else row_of(e)
        void[i] = e.voided is not None
        if not void[i]:
            ids.add(e.record.id)
        spans[2 * i], spans[2 * i + 1] = spool.put((path, blob, not void[i], part))
    each_row(rev, listed, take)
    got = Gathered(kept, spool)
    for live_one in (True, False):      # a void record's visitor is still a person
        for i in range(len(void)):
            if (not void[i]) == live_one:
                at = spans[2 * i], spans[2 * i + 1]
                got.put(*spool.get(*at), at)
    got.finish()
    return got, ids


def _made(folder: str) -> str:
    os.makedirs(folder, exist_ok=True)
    return folder


class _Spool:
    """Parts pickled one after another to a repo.spill.Spill (None: to memory, where no such file can be had),
    read back by place."""

    def __init__(self, spill: Spill | None):
        self.spill, self.memory = spill, bytearray() if spill is None else None

    def put(self, value) -> tuple[int, int]:
        return self.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self, at: int, n: int):
        return pickle.loads(self.read(at, n))

    def write(self, data: bytes) -> tuple[int, int]:
        if self.spill is not None:
            return self.spill.write(data), len(data)
        self.memory += data
        return len(self.memory) - len(data), len(data)

    def read(self, at: int, n: int) -> bytes:
        return self.spill.read(at, n) if self.spill is not None else bytes(self.memory[at:at + n])

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()
        self.memory = None


class _Payloads:
    """The live matters' payload bytes (25 MB at 100,000 records) in the spool: `put` one, its number back;
    lookup.placing `append`s the numbers in its order and reads each back by its place there."""

    def __init__(self, spool: _Spool):
        self.spool, self.at, self.order = spool, array("q"), array("q")

    def put(self, data: bytes) -> int:
        self.at.extend(self.spool.write(data))
        return len(self.at) // 2 - 1

    def append(self, n: int) -> None:
        self.order.append(n)

    def __getitem__(self, i: int) -> bytes:
        return self.of(self.order[i])

    def of(self, n: int) -> bytes:
        """The payload numbered `n`."""
        return self.spool.read(self.at[2 * n], self.at[2 * n + 1])


# each privacy label as the one string (a part read back brings its own copy: beside each of 290,000 values
# at 100,000 records, 20 MB)
LABELS = {label: label for label in (KEY_LABEL, *privacy.LABELS.values(), *privacy.CORRECTED.values())}
