"""The personal values of a whole build's parts, made into what the build keeps one bucket at a time (issue 15).

A site build from the whole ledger names each personal value by the first part that holds it (records before
corrections, live before void, by path), and, to follow the build (publish.site_grow.Laying), keeps where that
holder stands and how many parts hold each value. At a hundred thousand records that was two dicts of 290,000
values (80 MB of small objects) held beside everything else the build gathered, then copied into
publish.sought.Values, whose where-map and the Layout's holders are kept as pickled buckets by the value's
repo.kept_map bucket anyway. Here each value is put, in the build's order, in its bucket's stream (spooled
with the parts: publish.site_pass), and the buckets are then made one at a time into those pickled buckets:
only one bucket's dicts are ever held, and the order within a bucket is the build's, so each value is named
as before.
"""
from __future__ import annotations

from array import array

from ..repo.kept_map import BUCKETS, KeptMap
from .sought import KEY_LABEL, Values

CHUNK = 512         # values of a bucket pickled together


class Streams:
    """Each value of the parts in its bucket's stream, in the order put. `spool`: publish.site_pass._Spool;
    `where`: whether to keep where each value's holder stands (the build is to be followed)."""

    def __init__(self, spool, where: bool):
        self.spool, self.where = spool, where
        self._pending: list = [[] for _ in range(BUCKETS)]
        self._chunks = [array("q") for _ in range(BUCKETS)]      # each bucket's chunks' places in the spool

    def put(self, values: dict, phase: int, void: bool, path: str) -> None:
        """A part's values (value -> (record, label)); `phase` 0: the record's own, 1: its corrections'."""
        here = path if self.where else None
        for v, w in values.items():
            b = KeptMap.bucket_of(v)
            pending = self._pending[b]
            pending.append((v, w[0], w[1], phase, void, here))
            if len(pending) >= CHUNK:
                self._chunks[b].extend(self.spool.put(pending))
                self._pending[b] = []

    def _bucket(self, b: int):
        chunks = self._chunks[b]
        for i in range(0, len(chunks), 2):
            yield from self.spool.get(chunks[i], chunks[i + 1])
        yield from self._pending[b]

    def made(self, labels: dict) -> tuple[Values, KeptMap | None, dict]:
        """(the Values, the first holder of each value but a record's own lookup key as site_grow.Laying keeps
        them (None when not kept), how many parts hold each value held by more than one). `labels`: each
        label as the one string. The streams are let go bucket by bucket."""
        holders: list = []
        multi: dict = {}

        def firsts():
            for b in range(BUCKETS):
                first: dict = {}
                held: dict = {}
                for v, rid, label, phase, void, path in self._bucket(b):
                    if v in first:
                        if self.where:
                            multi[v] = multi.get(v, 1) + 1
                        continue
                    first[v] = (rid, labels.get(label, label))
                    if self.where and (phase or label != KEY_LABEL):
                        held[v] = (phase, void, path)
                self._chunks[b] = self._pending[b] = None
                holders.append(KeptMap.bucket_bytes(held))
                yield first
        values = Values.of_buckets(firsts())
        return values, KeptMap.of_buckets(holders) if self.where else None, multi
