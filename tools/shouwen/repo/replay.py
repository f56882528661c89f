"""A planned history written in one `git fast-import` stream (the fast `shouwen demo`).

Every step is still its own commit, with the same file bytes, author, dates, subject and trailers as
the writer gives it (the record text from `core.record.dump`, the message and identity from `writer`),
so `audit` reads it as any desk's history; only the git process per commit is saved. Steps are not
validated here: the demo plans valid ones, and a test replays the same plan through the writer.
"""
from __future__ import annotations

from datetime import datetime

from . import gitio
from ..core.ids import make_id, new_code, record_path
from ..core.record import dump, local_day
from .writer import (ACCOUNT_PREFIX, _identity, account_meta, account_subject, commit_message, event_subject,
                     inquiry_meta, inquiry_subject)


class Replay:
    """Steps of a history, kept in memory as records and written as commits on the current branch."""

    def __init__(self, root: str, rules, rng=None):
        self.root, self.rules, self.rng = root, rules, rng
        self.records: dict[str, dict] = {}
        self.seq: dict[tuple, int] = {}
        self.stream = gitio.FastImport(root)
        self.commits = 0

    def _new_id(self, kind: str, by: str, at: datetime, prefix: str = "") -> str:
        key = (kind, local_day(at), by)
        self.seq[key] = self.seq.get(key, 0) + 1
        return make_id(key[1], by, self.seq[key], prefix)

    def register(self, by, at, visitor, matter, channel, service=None) -> str:
        rid = self._new_id("inquiries", by, at)
        meta = inquiry_meta(rid, new_code(self.rng), by, at, visitor, matter, channel, service)
        self._commit(rid, meta, by, at, inquiry_subject(rid, matter), "registered")
        return rid

    def register_account(self, kind, by, at, meta, first_event) -> str:
        rid = self._new_id(kind, by, at, ACCOUNT_PREFIX[kind])
        full = account_meta(rid, by, at, meta, first_event)
        self._commit(rid, full, by, at, account_subject(kind, rid, meta), first_event["action"])
        return rid

    def append_event(self, rid: str, event: dict):
        meta = self.records[rid]
        meta["events"].append(event)
        self._commit(rid, meta, event["by"], event["at"], event_subject(self.rules, rid, event), event["action"])

    def _commit(self, rid, meta, by, at, subject, action):
        self.records[rid] = meta
        env = _identity(self.rules, by)
        when = f"{int(at.timestamp())} {at.strftime('%z')}"
        msg = commit_message(subject, {"Shouwen-Record": rid, "Shouwen-Action": action}).encode()
        text = dump(meta).encode()
        path = record_path(rid).encode()
        self.stream.commit(b"author %s <%s> %s\ncommitter %s <%s> %s\n" % (
            env["GIT_AUTHOR_NAME"].encode(), env["GIT_AUTHOR_EMAIL"].encode(), when.encode(),
            env["GIT_COMMITTER_NAME"].encode(), env["GIT_COMMITTER_EMAIL"].encode(), when.encode()),
            msg, b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(text), text))
        self.commits += 1

    def finish(self) -> int:
        """The commits on the current branch; the work tree and Git's index brought up to them."""
        self.stream.close()
        return self.commits
