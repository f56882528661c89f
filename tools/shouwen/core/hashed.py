"""Texts held by their hashes alone, for the membership a whole-ledger pass asks of them (issue 15). Pure.

A site build from the whole ledger asks of a hundred thousand record ids only whether one is among them (the
lookup keys worth keeping) and whether any two of its (id, code) pairs are the same. As a set of texts that
was 11 MB each, a hundred thousand small objects spread among the parts read around them, which kept that
memory from being handed back. Here each text is 8 bytes of Python's hash of it, in one array. A text not
added is found only when its hash is another's (about one chance in 10^9 at a hundred thousand texts): say
so where that is used.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left


class Hashed:
    """Texts added one at a time, asked for afterwards (`in`, `distinct`). Not kept across processes: Python's
    string hashes differ from one to the next."""

    def __init__(self):
        self._hashes = array("q")
        self._sorted = True

    def add(self, text: str) -> None:
        self._hashes.append(hash(text))
        self._sorted = False

    def _ready(self) -> array:
        if not self._sorted:
            self._hashes = array("q", sorted(self._hashes))
            self._sorted = True
        return self._hashes

    def __contains__(self, text) -> bool:
        hashes = self._ready()
        at = bisect_left(hashes, hash(text))
        return at < len(hashes) and hashes[at] == hash(text)

    def __len__(self) -> int:
        return len(self._hashes)

    def distinct(self) -> int:
        """How many different texts were added (two of one hash counted once)."""
        hashes = self._ready()
        return sum(1 for i in range(len(hashes)) if i == 0 or hashes[i] != hashes[i - 1])
