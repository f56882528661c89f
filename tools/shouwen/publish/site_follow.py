"""What a site build takes from the records, patched for the records that changed since it was kept (issue 15).

At a hundred thousand records, reading the whole ledger again (its index), each record's part and the sealed
entries costs seconds after any change. A change to a matter that keeps its visitor, its lookup key and its
place among the entries (an event added, a note) touches the site in three places only: its share of the
year's counts, its sealed entry, and so the one shard that holds it. So what the site shows is kept as
repo.summary keeps the whole-ledger judgement (for a commit and the files that then differed from it, under
the judging key and the day), with the year's totals; each record's part is kept in one of 256 files by its
path, written with the value that names it (a token each), so that only the changed records' parts are read.
A change that does more (a matter added or removed, a visitor's value, a key, a void) goes to the whole
ledger, as does anything that can't be told exactly: the same site and the same guard as with no cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets

from ..repo import answers
from ..repo.summary import Following
from . import lookup, shard_files
from .disclosure import FromRecords, shard_json, stats_of, totals

FOLDER = os.path.join(".shouwen", "cache", "site-rows")
ONE_FILE = os.path.join(".shouwen", "cache", "site-rows.pickle")     # the parts as kept before, in one file
VERSION = 1


def bucket(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:2]


def _bucket_file(root: str, b: str) -> str:
    return os.path.join(root, FOLDER, f"{b}.pickle")


def read_rows(root: str, name: str, buckets=None) -> dict:
    """bucket -> (token, {path: (blob, live, row)}) of the kept buckets (all, or those named) under `name`."""
    out = {}
    for b in buckets if buckets is not None else [f"{i:02x}" for i in range(256)]:
        kept = answers.read_kept(_bucket_file(root, b), name)
        if isinstance(kept, tuple) and len(kept) == 2:
            out[b] = kept
    return out


def write_rows(root: str, name: str, rows: dict) -> dict | None:
    """Each bucket of `rows` ({bucket: {path: (blob, live, row)}}) under a new token; bucket -> token, or
    None when one can't be written."""
    try:
        os.unlink(os.path.join(root, ONE_FILE))     # 78 MB at 100,000 records, read by no build now
    except OSError:
        pass
    tokens = {}
    for b, part in rows.items():
        tokens[b] = secrets.token_hex(8)
        if not answers.keep(_bucket_file(root, b), name, (tokens[b], part)):
            return None
    return tokens


def by_bucket(rows: dict) -> dict:
    out: dict = {}
    for path, kept in rows.items():
        out.setdefault(bucket(path), {})[path] = kept
    return out


class SiteKept(Following):
    """(the whole answer (FromRecords with kept shards, values), totals, the keys and (id, code) held by more
    than one entry, bucket -> token) for a commit and the files then changed."""

    def __init__(self, root: str, tree, day, rows_name: str):
        super().__init__(root, tree, None, day, None, "site", (VERSION, rows_name))
        self.rows_name = rows_name

    def keep_whole(self, rules, answer, rows: dict, shared: set) -> None:
        """Keep what a build from the whole ledger found, with every record's part."""
        if not self.keeps(rules):
            return
        tokens = write_rows(self.root, self.rows_name, by_bucket(rows))
        live = [kept[2][2] for kept in rows.values() if kept[1]]
        if tokens is not None:
            self.save_new(rules, (answer, totals(live), shared, tokens))

    def patched(self, rules, today, row_of):
        """The whole answer for the work tree now, patched from what is kept, or None. `row_of(entry)`: the
        entry's part (publish.site_records._row)."""
        found = self.changed(lambda: rules)
        if found is None:
            return None
        (answer, tots, shared, tokens), entries, _, again = found
        if not all(s.holds() for s in answer[0].shards.values()):
            return None         # a kept shard file changed since (by hand): made again from the ledger
        if not entries:
            return answer
        buckets = read_rows(self.root, self.rows_name, {bucket(p) for p in entries})
        if any(buckets.get(b, (None,))[0] != tokens.get(b) for b in {bucket(p) for p in entries}):
            return None         # a part written without its value (a build cut short): not followed
        records, values = answer
        changed_shards: dict = {}
        for path, e in entries.items():
            old = buckets[bucket(path)][1].get(path) if bucket(path) in buckets else None
            if e is None or old is None:
                return None         # a record added or removed: the entries and decoys are counted again
            live, row = e.voided is None, row_of(e)
            _, was_live, was = old
            if live != was_live or was[1:2] + was[3:] != row[1:2] + row[3:] or (was[0] is None) != (row[0] is None):
                return None         # its key, its values or its place among the entries changed
            if row[0] is not None and live:
                if row[0][:2] != was[0][:2] or row[0][:2] in shared:
                    return None
                if not _reseal(self.root, records.shards, row, shared, changed_shards):
                    return None
            if live:
                tots = _moved(tots, was[2], row[2])
            buckets[bucket(path)][1][path] = (getattr(e.record, "blob", None), live, row)
        shards = dict(records.shards)
        files = shard_files.keep(self.root, {p: shard_json(e) for p, e in changed_shards.items()}, whole=False)
        if files is None:
            return None
        shards.update(files)
        answer = FromRecords(stats_of(tots, today), shards), values
        if again:
            tokens = dict(tokens)
            written = write_rows(self.root, self.rows_name, {b: buckets[b][1] for b in buckets})
            if written is None:
                return answer
            tokens.update(written)
            self.save((answer, tots, shared, tokens))
            shard_files.prune(self.root, shards.values())
        return answer


def _moved(tots: tuple, old, new) -> tuple:
    """The year's totals with one entry's share taken out and its new share put in."""
    for sign, c in ((-1, old), (1, new)):
        if c is not None:
            tots = tuple(t + sign * v for t, v in zip(tots, totals([c])))
    return tots


def _reseal(root: str, shards: dict, row, shared: set, changed: dict) -> bool:
    """Seal the entry of `row` again into its shard's JSON (in `changed`, path -> entries); False when its
    key is not at hand or its name is not in the shard."""
    rid, code, payload, data = row[0]
    key = row[1][1] if row[1] is not None else None
    if key is None or key in shared:
        return False        # a key derived at build time: the whole ledger finds it in the key memo
    shard, name = lookup.locator(key)
    path = f"lookup/data/{shard}.json"
    if path not in changed:
        kept = shards.get(path)
        if not isinstance(kept, shard_files.Shard) or not kept.holds():
            return False
        changed[path] = json.loads(kept.data())
    if name not in changed[path]:
        return False
    changed[path][name] = lookup.seal(key, payload, data)
    return True
