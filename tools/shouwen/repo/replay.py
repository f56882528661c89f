"""A planned history written straight into one Git pack (the fast `shouwen demo`; `gitio.history`).

Every step is still its own commit, with the same file bytes, author, dates, subject and trailers as
the writer gives it (the record text as `core.record.dump` writes it, the message and identity from
`writer`), so `audit` reads it as any desk's history; only the git process per commit is saved. Steps are
not validated here: the demo plans valid ones, and a test replays the same plan through the writer.

Where the time goes, and the shape that follows from it: a matter's lookup key is derived with the
agency's rounds (the demo agency's 1,000: 0.25 ms, derived right here; a real agency's 50,000: 10-20 ms,
derived by worker processes on every core while this process goes on planning, commits waiting in order
for their record's key); each commit goes to the pack writer (`gitio.history.BackgroundHistory`, a process of
its own) as soon as its record has its key.
A record's header is written once (it never changes after registration) and each commit adds the
record's next event line, instead of serialising the whole record again at every commit.
"""
from __future__ import annotations

import os
from collections import deque
from datetime import datetime

from .gitio.history import BackgroundHistory
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
        if self.rounds < SLOW or (os.cpu_count() or 1) < 2:     # cheaper than sending it to a worker and back
            return _derive_hex((rid, code, self.rounds))
        if self.pool is None:
            import multiprocessing
            self.pool = multiprocessing.get_context("fork").Pool(os.cpu_count())
        return self.pool.apply_async(_derive_hex, ((rid, code, self.rounds),))

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None


class _Record:
    """One record as the stream writes it: its header, serialised once, and its event lines, each serialised
    when its commit is written; after the first commit a commit is the new lines put before the body."""
    __slots__ = ("meta", "body", "key", "path", "head", "lines", "n", "at")

    def __init__(self, meta: dict, path: bytes, key=None, body: str = ""):
        self.meta, self.path, self.body, self.key = meta, path, body, key
        self.head, self.lines, self.n, self.at = None, [], 0, 0       # events written, where the next go

    def ready(self) -> bool:
        return self.key is None or isinstance(self.key, str) or self.key.ready()

    def first(self, n: int) -> bytes:
        """The text of its first commit, with `n` events."""
        if self.key is not None:
            self.meta[FIELD] = self.key if isinstance(self.key, str) else self.key.get()
        header = {k: v for k, v in self.meta.items() if k != "events"}
        self.head = (dump(header)[:-len("---\n")] + "events:\n").encode()     # dump's own header, then the events
        self.body = ("---\n" + self.body).encode()
        self.at = len(self.head)
        return self.head + self.more(n) + self.body

    def more(self, n: int) -> bytes:
        """The event lines up to the `n`th not written yet (a commit's), and from now on after them."""
        events = self.meta["events"]
        new = b"".join(f"  - {event_line(events[i])}\n".encode() for i in range(self.n, n))
        self.lines.append(new)
        self.n, self.at = n, self.at + len(new)
        return new

    def text(self) -> bytes:
        return self.head + b"".join(self.lines) + self.body


class Replay:
    """Steps of a history, kept in memory as records and written as commits on the current branch."""

    def __init__(self, root: str, rules, rng=None):
        self.root, self.rules, self.rng = root, rules, rng
        self.records: dict[str, _Record] = {}
        self.seq: dict[tuple, int] = {}
        self.stream = BackgroundHistory(root)
        self.keys = _Keys(rules.policy.lookup_rounds)
        self.pending: deque = deque()       # (record, events in this commit, people, message)
        self.people: dict[str, tuple[bytes, bytes]] = {}    # badge -> (author, committer) without the time
        self.zones: dict = {}
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
        self.records[rid] = _Record(meta, record_path(rid).encode(), self.keys.ask(rid, code))
        self._commit(rid, by, at, inquiry_subject(rid, matter), "registered")
        return rid

    def register_account(self, kind, by, at, meta, first_event) -> str:
        rid = self._new_id(kind, by, at, ACCOUNT_PREFIX[kind])
        self.records[rid] = _Record(account_meta(rid, by, at, meta, first_event), record_path(rid).encode())
        self._commit(rid, by, at, account_subject(kind, rid, meta), first_event["action"])
        return rid

    def append_event(self, rid: str, event: dict):
        self.records[rid].meta["events"].append(event)
        self._commit(rid, event["by"], event["at"], event_subject(self.rules, rid, event), event["action"])

    def _commit(self, rid, by, at, subject, action):
        rec = self.records[rid]
        who = self.people.get(by)
        if who is None:
            env = _identity(self.rules, by)
            who = self.people[by] = (b"author %s <%s> " % (env["GIT_AUTHOR_NAME"].encode(), env["GIT_AUTHOR_EMAIL"].encode()),
                                     b"committer %s <%s> " % (env["GIT_COMMITTER_NAME"].encode(),
                                                              env["GIT_COMMITTER_EMAIL"].encode()))
        offset = at.utcoffset()
        zone = self.zones.get(offset)
        if zone is None:
            zone = self.zones[offset] = at.strftime("%z").encode()
        when = b"%d %s\n" % (int(at.timestamp()), zone)
        msg = commit_message(subject, {"Shouwen-Record": rid, "Shouwen-Action": action}).encode()
        self.pending.append((rec, len(rec.meta["events"]), who[0] + when + who[1] + when, msg))
        self.commits += 1
        self._flush(wait=False)

    def _flush(self, wait: bool):
        """Write the waiting commits, in order, as far as their records' keys are there (all of them: `wait`)."""
        pending, stream = self.pending, self.stream
        while pending and (wait or pending[0][0].ready()):
            rec, n, people, msg = pending.popleft()
            if rec.head is None:
                stream.commit(people, msg, rec.path, rec.first(n))
            else:
                at = rec.at
                stream.insert(people, msg, rec.path, at, rec.more(n))

    def finish(self) -> int:
        """The commits on the current branch; the work tree and Git's index brought up to them."""
        try:
            self._flush(wait=True)
        finally:
            self.keys.close()
        self.stream.close((rec.path.decode(), rec.text()) for rec in self.records.values())
        return self.commits
