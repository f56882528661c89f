"""A dict kept on disk as pickled buckets, each read back only when a key in it is asked for (issue 15).

What a site build keeps of a hundred thousand records holds dicts of every personal value (where each was
found, who holds it first). A build after a new matter only adds a few values to them and asks about those
few (a returning visitor's phone); unpickling the whole dicts to do so cost a tenth of a second each. Here the
dict stays the bytes it was kept as, in buckets by a stable hash of the key, the writes of later builds lie
beside them (`_over`), and a bucket is read back only when a key in it that was not written since is asked
for; all of them when everything is (iteration, length). Written again, the buckets are handed on as they
were, with the writes beside them, until those are many: then they are written again whole.
"""
from __future__ import annotations

import pickle
import secrets
import zlib
from collections.abc import MutableMapping

BUCKETS = 64
FOLD_AT = 4096      # writes kept beside the buckets before they are written again whole


class _Gone:
    def __reduce__(self):
        return "GONE"


GONE = _Gone()


def _bucket(key) -> int:
    # a text's own bytes (its repr would change with Python's Unicode tables: a key in another bucket)
    data = key.encode("utf-8", "surrogatepass") if isinstance(key, str) else repr(key).encode("utf-8", "surrogatepass")
    return zlib.crc32(data) % BUCKETS


class KeptMap(MutableMapping):
    def __init__(self, data=None):
        """`data`: a mapping, or (key, value) pairs."""
        self._parts: list = [{} for _ in range(BUCKETS)]     # each bucket's dict, once read (or made here)
        for key, value in data.items() if hasattr(data, "items") else data or ():
            self._parts[_bucket(key)][key] = value
        self._blobs = None              # the kept bytes of each bucket, when they came from them
        self._token = None              # names those bytes: the same token, the same buckets
        self._over: dict = {}           # keys written since: value, or GONE

    @staticmethod
    def bucket_bytes(part: dict) -> bytes:
        """One bucket's dict as it is kept (`of_buckets`)."""
        return pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def of_buckets(cls, blobs: list) -> "KeptMap":
        """The map of each bucket's dict as kept (`bucket_bytes`, of the keys in that bucket), made one bucket at
        a time by the caller: no dict of the whole is held."""
        assert len(blobs) == BUCKETS
        out = cls()
        out._blobs, out._token, out._parts = list(blobs), secrets.token_hex(8), [None] * BUCKETS
        return out

    @staticmethod
    def bucket_of(key) -> int:
        return _bucket(key)

    def _part(self, i: int) -> dict:
        if self._parts[i] is None:
            self._parts[i] = pickle.loads(self._blobs[i])
        return self._parts[i]

    def _base(self, key) -> dict:
        return self._part(_bucket(key))

    def derived(self) -> "KeptMap":
        """Another map with the same contents, written to apart from this one (the buckets shared)."""
        out = KeptMap()
        out._parts, out._blobs, out._token, out._over = list(self._parts), self._blobs, self._token, dict(self._over)
        return out

    def since(self) -> tuple | None:
        """(the token of the kept buckets, the keys written since they were made, the keys let go since); None
        before they are made. Two of these with one token tell what one map holds that the other does not."""
        if self._token is None:
            return None
        return (self._token, frozenset(k for k, v in self._over.items() if v is not GONE),
                frozenset(k for k, v in self._over.items() if v is GONE))

    def __getitem__(self, key):
        if key in self._over:
            value = self._over[key]
            if value is GONE:
                raise KeyError(key)
            return value
        return self._base(key)[key]

    def __setitem__(self, key, value):
        self._over[key] = value

    def __delitem__(self, key):
        self[key]           # KeyError when absent
        self._over[key] = GONE

    def discard(self, key) -> None:
        """Let a key go without reading its bucket to see whether it is there."""
        self._over[key] = GONE

    def __contains__(self, key) -> bool:
        if key in self._over:
            return self._over[key] is not GONE
        return key in self._base(key)

    def __iter__(self):
        for i in range(BUCKETS):
            for key in self._part(i):
                if self._over.get(key) is not GONE:
                    yield key
        for key, value in self._over.items():
            if value is not GONE and key not in self._base(key):
                yield key

    def __len__(self) -> int:
        base = sum(len(self._part(i)) for i in range(BUCKETS))
        return base + sum((v is not GONE) - (k in self._base(k)) for k, v in self._over.items())

    def __getstate__(self):
        if self._blobs is None or len(self._over) > FOLD_AT:       # made once, for every file it is kept in
            if self._blobs is None and not self._over:
                parts = self._parts     # made whole here and not written to since: already the buckets
            else:
                parts = [{} for _ in range(BUCKETS)]
                for key in self:
                    parts[_bucket(key)][key] = self[key]
            self._parts, self._over = parts, {}
            self._blobs = [pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL) for p in parts]
            self._token = secrets.token_hex(8)
        return self._blobs, self._token, self._over

    def __setstate__(self, state):
        self._blobs, self._token, self._over = state
        self._parts = [None] * BUCKETS


def added_since(before: tuple | None, now: tuple | None) -> frozenset | None:
    """The keys a map whose `since()` is `now` may hold that one whose `since()` was `before` did not (a few
    more at most: one written again, one let go and back); None when that can't be told (other buckets)."""
    if before is None or now is None or before[0] != now[0]:
        return None
    return (now[1] - before[1]) | (before[2] - now[2])


class KeptSet:
    """A frozenset kept as pickled parts (one, or a bucket's each as a build made them), with what was added and
    let go since beside them: written again, the parts are handed on as they were (a hundred thousand phones are
    not pickled again after each new matter); read back (`frozen`) only when the whole set is wanted."""

    def __init__(self, values=()):
        self._set, self._blob = frozenset(values), None
        self._added, self._gone = frozenset(), frozenset()

    @classmethod
    def of_parts(cls, blobs) -> "KeptSet":
        """The set of the union of parts kept as they are (`part_bytes`, each made and let go by the caller), read
        back only when the whole set is wanted."""
        out = cls()
        out._set, out._blob = None, tuple(blobs)
        return out

    @staticmethod
    def part_bytes(values) -> bytes:
        return pickle.dumps(frozenset(values), protocol=pickle.HIGHEST_PROTOCOL)

    def frozen(self) -> frozenset:
        if self._set is None:
            whole: set = set()
            for blob in self._blob:
                whole.update(pickle.loads(blob))
            whole -= self._gone
            whole |= self._added
            self._set = frozenset(whole)
        return self._set

    def changed(self, added, gone) -> "KeptSet":
        """The set with `gone` let go, then `added` put in."""
        added, gone = frozenset(added), frozenset(gone)
        out = KeptSet()
        out._set = None if self._set is None else (self._set - gone) | added
        if self._blob is not None:      # kept: handed on, with what changed since beside it
            out._blob = self._blob
            out._added, out._gone = (self._added - gone) | added, (self._gone - added) | gone
        return out

    def __contains__(self, value) -> bool:
        if value in self._added:
            return True
        if value in self._gone:
            return False
        return value in self.frozen()

    def __len__(self) -> int:
        return len(self.frozen())

    def __getstate__(self):
        if self._blob is None or len(self._added) + len(self._gone) > FOLD_AT:
            self._set = self.frozen()
            self._blob = (self.part_bytes(self._set),)
            self._added = self._gone = frozenset()
        return self._blob, self._added, self._gone

    def __setstate__(self, state):
        self._blob, self._added, self._gone = state
        self._set = None
