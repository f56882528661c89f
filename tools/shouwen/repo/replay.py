"""A planned history written straight into one Git pack (the fast `shouwen demo`; `gitio.pack`).

Every step is still its own commit, with the same file bytes, author, dates, subject and trailers as
the writer gives it (the record text as `core.record.dump` writes it, the message and identity from
`writer`), so `audit` reads it as any desk's history; only the git process per commit is saved. Steps are
not validated here: the demo plans valid ones, and a test replays the same plan through the writer.

Where the time goes, and the shape that follows from it: a matter's lookup key is derived with the
agency's rounds (the demo agency's 1,000: 0.25 ms, derived right here; a real agency's 50,000: 10-20 ms,
derived by worker processes on every core while this process goes on planning, commits waiting in order
for their record's key); each commit goes to the pack writer (`gitio.pack.BackgroundHistory`, a process of
its own) as soon as its record has its key.
A record's header is written once (it never changes after registration) and each commit adds the
record's next event line, instead of serialising the whole record again at every commit.
"""
from __future__ import annotations

import os
from collections import deque
from datetime import datetime

from .gitio.pack import BackgroundHistory
from ..core.ids import make_id, new_code, record_path
from ..core.lookup_key import FIELD, derive
from ..core.record import dump, event_line, local_day
from .writer import (ACCOUNT_PREFIX, _identity, account_meta, account_subject, commit_message, event_subject,
                     inquiry_meta, inquiry_subject)

SLOW = 10_000       # rounds from which a key is derived by a worker (a few ms of PBKDF2), below it right here


def _derive_hex(job) -> str:
    rid, code, rounds = job
    return derive(rid, code, rounds).hex()


class _Keys:
    """Lookup keys derived on every core, asked for in registration order and waited for in the same order."""

    def __init__(self, rounds: int):
        self.pool, self.rounds = None, rounds

    def ask(self, rid: str, code: str):
        n = os.cpu_count() or 1
        if self.rounds < SLOW or n < 2:         # cheaper than sending it to a worker and back
            return _derive_hex((rid, code, self.rounds))
        if self.pool is None:
            import multiprocessing
            self.pool = multiprocessing.get_context("fork").Pool(n)
        return self.pool.apply_async(_derive_hex, ((rid, code, self.rounds),))

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None


class _Record:
    """One record as the stream writes it: its header text, once, and its event lines."""
    __slots__ = ("meta", "body", "key", "head", "lines")

    def __init__(self, meta: dict, key=None, body: str = ""):
        self.meta, self.body, self.key, self.head, self.lines = meta, body, key, None, []

    def ready(self) -> bool:
        return self.key is None or isinstance(self.key, str) or self.key.ready()

    def text(self, n: int) -> bytes:
        if self.head is None:
            if self.key is not None:
                self.meta[FIELD] = self.key if isinstance(self.key, str) else self.key.get()
            header = {k: v for k, v in self.meta.items() if k != "events"}
            self.head = dump(header)[:-len("---\n")] + "events:\n"      # dump's own header, then the events
        while len(self.lines) < n:
            self.lines.append(f"  - {event_line(self.meta['events'][len(self.lines)])}\n")
        return (self.head + "".join(self.lines[:n]) + "---\n" + self.body).encode()


class Replay:
    """Steps of a history, kept in memory as records and written as commits on the current branch."""

    def __init__(self, root: str, rules, rng=None):
        self.root, self.rules, self.rng = root, rules, rng
        self.records: dict[str, _Record] = {}
        self.seq: dict[tuple, int] = {}
        self.stream = BackgroundHistory(root)
        self.keys = _Keys(rules.policy.lookup_rounds)
        self.pending: deque = deque()       # (record, events in this commit, path, people, message)
        self.commits = 0

    def _new_id(self, kind: str, by: str, at: datetime, prefix: str = "") -> str:
        key = (kind, local_day(at), by)
        self.seq[key] = self.seq.get(key, 0) + 1
        return make_id(key[1], by, self.seq[key], prefix)

    def register(self, by, at, visitor, matter, channel, service=None) -> str:
        rid = self._new_id("inquiries", by, at)
        code = new_code(self.rng)
        meta = inquiry_meta(rid, code, by, at, visitor, matter, channel, service, key="",
                            rounds=self.rules.policy.lookup_rounds)
        self.records[rid] = _Record(meta, self.keys.ask(rid, code))
        self._commit(rid, by, at, inquiry_subject(rid, matter), "registered")
        return rid

    def register_account(self, kind, by, at, meta, first_event) -> str:
        rid = self._new_id(kind, by, at, ACCOUNT_PREFIX[kind])
        self.records[rid] = _Record(account_meta(rid, by, at, meta, first_event))
        self._commit(rid, by, at, account_subject(kind, rid, meta), first_event["action"])
        return rid

    def append_event(self, rid: str, event: dict):
        self.records[rid].meta["events"].append(event)
        self._commit(rid, event["by"], event["at"], event_subject(self.rules, rid, event), event["action"])

    def _commit(self, rid, by, at, subject, action):
        rec = self.records[rid]
        env = _identity(self.rules, by)
        when = f"{int(at.timestamp())} {at.strftime('%z')}".encode()
        people = b"author %s <%s> %s\ncommitter %s <%s> %s\n" % (
            env["GIT_AUTHOR_NAME"].encode(), env["GIT_AUTHOR_EMAIL"].encode(), when,
            env["GIT_COMMITTER_NAME"].encode(), env["GIT_COMMITTER_EMAIL"].encode(), when)
        msg = commit_message(subject, {"Shouwen-Record": rid, "Shouwen-Action": action}).encode()
        self.pending.append((rec, len(rec.meta["events"]), record_path(rid).encode(), people, msg))
        self.commits += 1
        self._flush(wait=False)

    def _flush(self, wait: bool):
        """Write the waiting commits, in order, as far as their records' keys are there (all of them: `wait`)."""
        while self.pending and (wait or self.pending[0][0].ready()):
            rec, n, path, people, msg = self.pending.popleft()
            text = rec.text(n)
            self.stream.commit(people, msg, path, text)

    def finish(self) -> int:
        """The commits on the current branch; the work tree and Git's index brought up to them."""
        try:
            self._flush(wait=True)
        finally:
            self.keys.close()
        self.stream.close()
        return self.commits
