"""What a build from the whole ledger takes of every record's part, in one pass, each part let go once read.

A part (site_records._row) is a dozen small objects: at a hundred thousand records they are 150 MB, held until
the last of what is made of them was made. Here each part, as it is made, gives the lookup entry to seal, its
stored key, its share of the year's counts and its personal values (the records', then the corrections': the
first to hold a value names it), and, when the build is kept to be followed (publish.site_follow), how it holds
its values (site_grow.Laying) and whether it moves with the day (site_follow.Daily); then it is pickled to a
temporary file by bucket, read back a bucket at a time when the buckets are written (site_follow.write_rows).
"""
from __future__ import annotations

import os
import pickle
import tempfile
from array import array

from .site_follow import Daily, bucket
from .site_grow import Laying


class Gathered:
    """What the build takes of the parts put in order (`put`: live entries, then void ones). `kept`: the parts
    are to be kept (with the layout and what moves with the day); `folder`: where they are spooled."""

    def __init__(self, kept: bool, folder: str):
        self.items: list = []       # (id, code, None, payload bytes) of each live matter: what lookup.placing seals
        self.stored: dict = {}      # (id, code) -> the key the record stores
        self.counts: list = []      # each live entry's share of the year's counts (site_follow keeps their totals)
        self.values: dict = {}      # personal value -> (record, label): the records' own, then (`finish`) the rest
        self._corrected: list = []  # (void, path, the values of its corrections) of a part that has any
        self.laying = Laying() if kept else None
        self.daily = Daily() if kept else None
        self.spool = _Spool(folder) if kept else None

    def put(self, path: str, blob, live_one: bool, row) -> None:
        item, stored, counts, values, corrected = row
        if live_one:
            if item is not None:
                self.items.append((*item[:2], None, item[3]))
            if stored is not None:
                self.stored[stored[0]] = stored[1]
            self.counts.append(counts)
        self._hold(values, 0, live_one, path)
        if corrected:
            self._corrected.append((live_one, path, corrected))
        if self.laying is not None:
            self.laying.put(path, live_one, row)
            self.daily.put(path, blob, live_one, row)
            if self.spool is not None and not self.spool.put(path, blob, live_one, row):
                self.spool = None       # not kept: only costs time

    def finish(self) -> None:
        """The corrections' values, after every record's own."""
        for live_one, path, values in self._corrected:
            self._hold(values, 1, live_one, path)
        self._corrected = []

    def _hold(self, values: dict, phase: int, live_one: bool, path: str) -> None:
        here = (phase, not live_one, path) if self.laying is not None else None
        for v, w in values.items():
            first = v not in self.values
            if first:
                self.values[v] = w
            if here is not None:
                self.laying.hold(v, w, phase, here, first)

    def buckets(self):
        """(bucket, {path: (blob, live, part)}) of the parts spooled, a bucket at a time; none when they could
        not be spooled."""
        return self.spool.buckets() if self.spool is not None else None


class _Spool:
    """Parts pickled one after another to an unnamed temporary file, where each bucket's are noted."""

    def __init__(self, folder: str):
        self.fh, self.at, self.end = None, {}, 0
        try:
            os.makedirs(folder, exist_ok=True)
            self.fh = tempfile.TemporaryFile(dir=folder)
        except OSError:
            self.fh = None

    def put(self, path: str, blob, live_one: bool, row) -> bool:
        if self.fh is None:
            return False
        data = pickle.dumps((path, blob, live_one, row), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.fh.write(data)
        except OSError:
            self.close()
            return False
        self.at.setdefault(bucket(path), array("q")).extend((self.end, len(data)))
        self.end += len(data)
        return True

    def buckets(self):
        try:
            self.fh.flush()
            for b, spans in self.at.items():
                part = {}
                for i in range(0, len(spans), 2):
                    path, blob, live_one, row = pickle.loads(os.pread(self.fh.fileno(), spans[i + 1], spans[i]))
                    part[path] = (blob, live_one, row)
                yield b, part
        finally:
            self.close()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None
