"""A whole build's lookup shards sealed one at a time, with the memo of what was sealed read and written so too.

At a hundred thousand records the sealed entries and decoys are 150 MB of Python strings, their JSON 130 MB
more, and the memo of them (publish.lookup.Sealed) all of the first again: held at once, they were most of a
first build's memory. Here each shard is sealed from where lookup.placing put its entries, turned into JSON and
handed on (to the shard store, publish.shard_files) before the next is sealed. The memo is kept shard by shard
in shard order (an entry's or decoy's shard follows from its key alone), read and written beside the shards,
and put in place only when it changed. It is only a cache: torn or of another key, everything is sealed again.
"""
from __future__ import annotations

import os
import pickle

from ..collector import paused
from . import lookup
from .disclosure import shard_json

MEMO = os.path.join(".shouwen", "cache", "lookup-sealed.pickle")
MEMO_KEY = "sealed entries by shard, key and payload"


def shard_path(shard: str) -> str:
    return f"lookup/data/{shard}.json"


def sealed(root: str | None, where: lookup.Placing):
    """(path, JSON) of each shard of `where`, in shard order, one made at a time; the memo under `root` (None:
    none) taken from and kept anew when it changed, once every shard was made (one not asked for to the end
    leaves the memo as it was)."""
    memo = os.path.join(root, MEMO) if root else None
    old = _Parts(memo)
    out = _Writer(memo) if memo else None
    done = False
    try:
        for shard in sorted(where.by_shard):
            part, fresh = lookup.Sealed(old.take(shard)), {}
            text = shard_json(where.fill(shard, part, fresh))
            old.dirty |= part.dirty or len(fresh) != len(part)
            if out is not None:
                out.add(shard, fresh)
            yield shard_path(shard), text
        done = True
    finally:
        old.close()
        if out is not None:
            out.close(keep=done and old.dirty)


class _Parts:
    """The kept memo's parts ((shard, {name: sealed})), read in shard order as they are asked for; `dirty`: the
    memo now differs from what was kept (a part missing, one entry not found, one no longer asked for)."""

    def __init__(self, path: str | None):
        self.fh, self.dirty, self.next = None, True, None
        if path is None:
            return
        try:
            self.fh = open(path, "rb")
            with paused():
                if pickle.load(self.fh) != MEMO_KEY:
                    raise ValueError("another key")
            self.dirty = False
            self._read()
        except Exception:       # none yet, torn, or another key: sealed again
            self.close()
            self.dirty = True

    def _read(self):
        with paused():      # a shard's sealed entries all live on
            self.next = pickle.load(self.fh)
        if self.next is not None and not (isinstance(self.next, tuple) and isinstance(self.next[1], dict)):
            raise ValueError("not a part")

    def take(self, shard: str) -> dict:
        try:
            while self.fh is not None and self.next is not None and self.next[0] < shard:
                self.dirty = True       # a shard no longer made
                self._read()
            if self.fh is not None and self.next is not None and self.next[0] == shard:
                part = self.next[1]
                self._read()
                return part
        except Exception:
            self.close()
        self.dirty = True
        return {}

    def close(self):
        if self.fh is not None:
            if self.next is not None:
                self.dirty = True       # shards no longer made, or a part not read
            self.fh.close()
            self.fh = None


class _Writer:
    """The memo written part by part to a temporary file, put in place only when asked to (`close`)."""

    def __init__(self, path: str):
        self.path, self.tmp, self.fh = path, f"{path}.{os.getpid()}.tmp", None
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.fh = open(self.tmp, "wb")
            pickle.dump(MEMO_KEY, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self._drop()

    def add(self, shard: str, part: dict):
        if self.fh is None:
            return
        try:
            pickle.dump((shard, part), self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self._drop()        # unwritable: only costs time

    def close(self, keep: bool):
        if self.fh is None:
            return
        try:
            if keep:
                pickle.dump(None, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
                self.fh.close()
                self.fh = None
                os.replace(self.tmp, self.path)
                return
        except OSError:
            pass
        self._drop()

    def _drop(self):
        if self.fh is not None:
            self.fh.close()
            self.fh = None
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
