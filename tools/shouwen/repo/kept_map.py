"""A dict kept on disk as one pickled blob, read back only when a key not written since is asked for (issue 15).

What a site build keeps of a hundred thousand records holds dicts of every personal value (where each was
found, who holds it first). A build after a new matter only adds a few values to them and asks about those
few; unpickling the whole dicts to do so cost a tenth of a second each. Here the dict stays the bytes it was
kept as, the writes of later builds lie beside it (`_over`), and it is read back only when a key that was not
written since is asked for, or when everything is (iteration, length). Written again, the blob is handed on
as it was, with the writes beside it, until they are many: then it is written again whole.
"""
from __future__ import annotations

import pickle
from collections.abc import MutableMapping

FOLD_AT = 4096      # writes kept beside the blob before it is written again whole


class _Gone:
    def __reduce__(self):
        return "GONE"


GONE = _Gone()


class KeptMap(MutableMapping):
    def __init__(self, data=None):
        self._base = dict(data or {})   # the dict the blob holds, once read (or made here)
        self._blob = None               # the kept bytes of _base, when it came from them
        self._over: dict = {}           # keys written since: value, or GONE

    def _read(self) -> dict:
        if self._base is None:
            self._base = pickle.loads(self._blob)
        return self._base

    def derived(self) -> "KeptMap":
        """Another map with the same contents, written to apart from this one (the blob shared)."""
        out = KeptMap()
        out._base, out._blob, out._over = self._base, self._blob, dict(self._over)
        return out

    def __getitem__(self, key):
        if key in self._over:
            value = self._over[key]
            if value is GONE:
                raise KeyError(key)
            return value
        return self._read()[key]

    def __setitem__(self, key, value):
        self._over[key] = value

    def __delitem__(self, key):
        self[key]           # KeyError when absent
        self._over[key] = GONE

    def discard(self, key) -> None:
        """Let a key go without reading the blob to see whether it is there."""
        self._over[key] = GONE

    def __contains__(self, key) -> bool:
        if key in self._over:
            return self._over[key] is not GONE
        return key in self._read()

    def __iter__(self):
        base = self._read()
        for key in base:
            if self._over.get(key) is not GONE:
                yield key
        for key, value in self._over.items():
            if value is not GONE and key not in base:
                yield key

    def __len__(self) -> int:
        base = self._read()
        return len(base) + sum((v is not GONE) - (k in base) for k, v in self._over.items())

    def __getstate__(self):
        if self._blob is None or len(self._over) > FOLD_AT:       # made once, for every file it is kept in
            self._base = dict(self.items())
            self._blob, self._over = pickle.dumps(self._base, protocol=pickle.HIGHEST_PROTOCOL), {}
        return self._blob, self._over

    def __setstate__(self, state):
        self._blob, self._over = state
        self._base = None
