"""The history's record versions, read for the audit one commit at a time while git is still writing its log.

`git log` spends most of the audit's time walking trees on one core; meanwhile each commit it lists is
`send` here: the record versions the commit needs that are not at hand are asked of `git cat-file`, and on
a thread of its own, in log order, the answers are read and the commit handed to `judge` with its versions.
Of each record file only its latest version's blob id is kept, and its parsed record for the files changed
most recently (`PARSED`: a matter gets its events within days or weeks; one touched again after that is read
again from git). So memory follows the number of record files (a few hundred bytes each), not the length of
the history. A new version that is its old version plus one event line, as the writer appends, is read as
the old record plus that event (`appended`); any other through the one reader (`store.parse_checked`).
"""
from __future__ import annotations

from collections import OrderedDict

from . import gitio, store
from ..core.canonical import load_event_line
from ..core.record import Record

ZERO = "0" * 40
PARSED = 4096       # record files whose latest version is kept parsed (5-6 KB each), the most recently changed


def is_record(path: str) -> bool:
    return path.startswith("records/") and path.endswith(".md")


class History:
    """`send(commit, changes)` in log order, oldest first; `judge(commit, changes, versions)` is called for
    each on the answering thread, `versions` {(path, blob): Record} holding every record version the commit
    names (its old and new ones, each parent's for a merge). `close()` waits for the last judgement and
    raises what `judge` raised."""

    def __init__(self, root: str, judge):
        self.root, self.judge = root, judge
        self.stream = None
        self.head: dict = {}     # path -> the blob `latest` will hold once what was sent is read (sender's side)
        self.latest: dict = {}   # path -> the blob of its latest version (answering thread's side)
        self.parsed = OrderedDict()     # path -> the Record of its latest version, the last PARSED paths changed
        self.reader = None       # git cat-file for a latest version no longer kept parsed

    def send(self, commit, changes: list):
        """`changes`: one list of (path, old blob, new blob) per parent (one for a plain commit)."""
        head, asks = self.head, []
        for ch in changes:
            for path, old, new in ch:
                if is_record(path):
                    for blob in (old, new):
                        if blob != ZERO and head.get(path) != blob and (path, blob) not in asks:
                            asks.append((path, blob))
        for path, new in {p: n for ch in changes for p, _, n in ch if is_record(p)}.items():
            if new == ZERO:
                head.pop(path, None)
            else:
                head[path] = new
        if self.stream is None:
            self.stream = gitio.BlobStream(self.root, self._read)
        self.stream.send((commit, changes, asks), [b for _, b in asks])

    def _read(self, job, answers):
        commit, changes, asks = job
        got = dict(zip(asks, answers))
        versions: dict = {}     # (path, blob) -> Record, None for no file
        after: dict = {}        # path -> its blob after the commit
        for ch in changes:
            for path, old, new in ch:
                if is_record(path):
                    versions[(path, old)] = before = self._version(path, old, got)
                    after[path] = new
                    if len(changes) == 1:       # a plain commit: its new version may append to the old one
                        versions[(path, new)] = self._version(path, new, got, before, old)
        for path, new in after.items():         # a merge's own versions, once every parent's is read
            if (path, new) not in versions:
                versions[(path, new)] = self._version(path, new, got)
        parsed = self.parsed
        for path, new in after.items():
            if new == ZERO:
                self.latest.pop(path, None)
                parsed.pop(path, None)
            else:
                self.latest[path] = new
                parsed[path] = versions[(path, new)]
                parsed.move_to_end(path)
        while len(parsed) > PARSED:
            parsed.popitem(last=False)
        self.judge(commit, changes, {k: v for k, v in versions.items() if v is not None})

    def _version(self, path: str, blob: str, got: dict, base: Record | None = None, old: str = ZERO) -> Record | None:
        """A version: the latest one kept, or read from git's answer; where its bytes are version `old`'s
        (`base`, parsed) plus one event line, that record plus the event."""
        if blob == ZERO:
            return None
        if self.latest.get(path) == blob:
            rec = self.parsed.get(path)
            if rec is not None:
                return rec
            data = self._fetch(blob)
        elif (path, blob) in got:
            data = got[(path, blob)]
        else:           # not foreseen by `send` (it never is): asked now
            data = self._fetch(blob)
        data = b"" if data is None else data        # a blob git lacks reads as an empty file
        line = last_line_added(old, data) if base is not None else None
        rec = appended(base, path, line) if line is not None else None
        return rec or store.parse_checked(path, data)

    def _fetch(self, blob: str) -> bytes | None:
        if self.reader is None:
            self.reader = gitio.BlobReader(self.root)
        try:
            return self.reader.read(blob)
        except gitio.GitError:
            return None

    def close(self):
        """Wait for the last judgement (also when the log could not be read)."""
        try:
            if self.stream is not None:
                stream, self.stream = self.stream, None
                stream.close()
        finally:
            if self.reader is not None:
                self.reader.close()


def last_line_added(old: str, new: bytes) -> bytes | None:
    """The event line `new` adds at the end of the events of version `old` (a blob id), or None: the bytes
    `new` has without its last line before the closing `---` must be blob `old`'s (git's own id of them), so
    the rest of `new` is the old version's by construction and only the line itself is looked at."""
    cut = new.find(b"\n---\n", 3)
    start = new.rfind(b"\n", 0, cut) + 1
    if cut < 0 or start <= 0:
        return None
    line = new[start:cut + 1]
    if not (line.startswith(b"  - {") and line.endswith(b"}\n")):
        return None
    return line if gitio.blob_id(new[:start] + new[cut + 1:]) == old else None


def appended(base: Record | None, path: str, line: bytes) -> Record | None:
    """`base` plus the event on `line`, when `base` is canonical and the line is the writer's own: the line
    reader accepts only the exact line the writer writes for what it returns, so the new version is
    canonical and reads as the whole file would (tests/test_audit_reader.py holds both)."""
    if base is None or base.problems or base.noncanonical is not None or not isinstance(base.meta.get("events"), list):
        return None
    try:
        ev = load_event_line(line[4:-1].decode("utf-8"))    # decoded strictly, as parse decodes the file
    except UnicodeDecodeError:
        return None
    if ev is None:
        return None
    return Record(path, {**base.meta, "events": base.events + [ev]}, base.body, [], None)
