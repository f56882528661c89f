"""The record versions of the history, read for the audit while git is still writing its log.

`git log` spends most of the audit's time walking trees on one core; meanwhile each change it lists is
passed to `change`, the versions not in the blob cache are asked of `git cat-file`, and the answers are
read on a thread of their own: a new version whose bytes are its old version's plus one event line, as
the writer appends, is read as the old record plus that event (`store._appended`), any other is parsed
through the one reader. What is not read here (versions only a merge names, a history cut by `since`)
is read afterwards by `store.load_blobs`, the same way.
"""
from __future__ import annotations

from . import gitio, store
from ..core.record import Record

ZERO = "0" * 40


class VersionReader:
    def __init__(self, root: str, cache):
        self.root, self.cache = root, cache
        self.stream = None
        self.asked: set = set()     # (path, blob) whose bytes were asked of git in this run
        self.results: dict = {}     # (path, blob) -> Record, written only by the answering thread until `records`
        self.entries: dict = {}     # the cache entries of the versions read here
        self.latest: dict = {}      # path -> (blob, bytes) of its version read last

    def change(self, path: str, old: str, new: str):
        """A plain commit changed `path` from blob `old` to `new`; called in log order, oldest first."""
        data, asked = self.cache.data, self.asked
        ask_new = new != ZERO and (path, new) not in data and (path, new) not in asked
        ask_old = old != ZERO and (path, old) not in asked and (ask_new or (path, old) not in data)
        if not (ask_new or ask_old):
            return
        shas = [b for b, ask in ((old, ask_old), (new, ask_new)) if ask]
        asked.update((path, b) for b in shas)
        if self.stream is None:
            self.stream = gitio.BlobStream(self.root, self._read)
        self.stream.send((path, old, new, ask_old, ask_new), shas)

    def _read(self, job, answers):
        path, old, new, ask_old, ask_new = job
        old_bytes = answers.pop(0) if ask_old else None
        new_bytes = answers.pop(0) if ask_new else None
        if old_bytes is not None:
            self._parse((path, old), old_bytes)
        if new_bytes is None:
            return
        if old_bytes is None and self.latest.get(path, (None,))[0] == old:
            old_bytes = self.latest[path][1]
        key = (path, new)
        if key not in self.results:
            base = store._cached(self.cache.data, (path, old), self.results) if old != ZERO else None
            line = store._appended_line(old_bytes, new_bytes) if base is not None and old_bytes is not None else None
            rec = store._appended(base, path, line) if line is not None else None
            if rec is None:
                self._parse(key, new_bytes)
            else:
                self.results[key] = rec
                self.entries[key] = ((path, old), rec.events[-1])
        self.latest[path] = (new, new_bytes)

    def _parse(self, key, data: bytes):
        if key not in self.results:
            rec = self.results[key] = store.parse_checked(key[0], data)
            self.entries[key] = store.cache_entry(rec)

    def close(self):
        """Wait for the last answer (also when the log could not be read)."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            stream.close()

    def records(self, pairs: list, steps: list) -> dict[tuple[str, str], Record]:
        """Every version in `pairs`, read here or by `store.load_blobs`; the blob cache saved with them."""
        self.close()
        if self.entries:
            self.cache.data.update(self.entries)
            self.cache.dirty = True
        self.latest.clear()
        return store.load_blobs(self.root, pairs, steps, self.cache, self.results)
