"""Texts held by their hashes alone, for the membership a whole-ledger pass asks of them (issue 15). Pure.

A site build from the whole ledger asks of a hundred thousand record ids only whether one is among them (the
lookup keys worth keeping) and whether any two of its (id, code) pairs are the same; a bulletin's guard asks
whether a text may be one of 290,000 personal values, and lets a value go with the last record holding it.
As sets or dicts of texts those were 11-30 MB each, small objects spread among the parts read around them,
which kept that memory from being handed back. Here each text is 8 bytes of a hash of it, in one sorted
array, once per time it was added. A text not added is found only when its hash is another's (about one
chance in 10^9 at a hundred thousand texts): say so where that is used.
"""
from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little",
                          signed=True)


class Hashed:
    """Texts added one at a time (each time counted), asked for afterwards (`in`, `distinct`), let go one
    time each (`remove`). `stable`: hashed the same in every process, so that it may be kept (pickled);
    otherwise by Python's own string hash, faster but not the same from one process to the next."""

    def __init__(self, stable: bool = False):
        self.stable = stable
        self._hashes = array("q")
        self._sorted = True

    def _hash(self, text: str) -> int:
        return _stable(text) if self.stable else hash(text)

    def _ready(self) -> array:
        if not self._sorted:
            self._hashes = array("q", sorted(self._hashes))
            self._sorted = True
        return self._hashes

    def _at(self, text: str) -> int | None:
        hashes, h = self._ready(), self._hash(text)
        at = bisect_left(hashes, h)
        return at if at < len(hashes) and hashes[at] == h else None

    def add(self, text: str) -> None:
        self._hashes.append(self._hash(text))
        self._sorted = False

    def remove(self, text: str) -> None:
        """One time `text` was added let go (nothing when it is not held)."""
        at = self._at(text)
        if at is not None:
            del self._hashes[at]

    def __contains__(self, text) -> bool:
        return self._at(text) is not None

    def __len__(self) -> int:
        return len(self._hashes)

    def distinct(self) -> int:
        """How many different texts were added (two of one hash counted once)."""
        hashes = self._ready()
        return sum(1 for i in range(len(hashes)) if i == 0 or hashes[i] != hashes[i - 1])

    def __getstate__(self):
        if not self.stable:
            raise TypeError("Python's string hashes differ between processes: only a stable Hashed is kept")
        return self._ready()

    def __setstate__(self, hashes):
        self.stable, self._hashes, self._sorted = True, hashes, True
