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
import os
import secrets

from datetime import date

from ..repo import answers, summary
from ..repo.summary import Following
from . import lookup, shard_files, site_grow
from .disclosure import FromRecords, stats_of, totals

FOLDER = os.path.join(".shouwen", "cache", "site-rows")
ONE_FILE = os.path.join(".shouwen", "cache", "site-rows.pickle")     # the parts as kept before, in one file
VERSION = 4


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


def write_rows(root: str, name: str, rows) -> dict | None:
    """Each bucket of `rows` ({bucket: {path: (blob, live, row)}}, or such pairs made one at a time) under a new
    token; bucket -> token, or None when one can't be written."""
    try:
        os.unlink(os.path.join(root, ONE_FILE))     # 78 MB at 100,000 records, read by no build now
    except OSError:
        pass
    tokens = {}
    try:
        for b, part in rows.items() if isinstance(rows, dict) else rows:
            tokens[b] = secrets.token_hex(8)
            if not answers.keep(_bucket_file(root, b), name, (tokens[b], part)):
                return None
    except OSError:         # the spooled parts could not be read back (publish.site_pass)
        return None
    return tokens


class SiteKept(Following):
    """(the whole answer (FromRecords with kept shards, values), totals, the keys and (id, code) held by more
    than one entry, bucket -> token, the day it was kept on, the records judged again each day, the layout) for
    a commit and the files then changed. Kept for the year, not the day (`Daily`). Written again only after
    a few changes (`save_from`): one or two new matters are patched again from the older commit, which costs less
    than writing the whole of it at every commit."""
    save_on_move = False

    def save_from(self) -> int:
        # written again after 3 changes, not 8: kept as blobs (repo.kept_map), it costs about 0.06 s to write at
        # 100,000 records, while each matter patched again at every build until then costs about 0.02 s
        return min(summary.SAVE_FROM, 3)

    def __init__(self, root: str, tree, day, rows_name: str):
        super().__init__(root, tree, None, date(day.year, 1, 1), None, "site", (VERSION, rows_name))
        self.day, self.rows_name = day, rows_name

    def keep_whole(self, rules, answer, gathered, shared: set, laid: dict) -> None:
        """Keep what a build from the whole ledger found, with every record's part (`gathered`: what
        publish.site_pass.Gathered took of them; `laid`: how lookup.placing laid the entries out)."""
        if not self.keeps(rules) or gathered.laying is None:
            return
        spooled = gathered.buckets()
        tokens = write_rows(self.root, self.rows_name, spooled) if spooled is not None else None
        if tokens is not None:
            self.save_new(rules, (answer, gathered.totals, shared, tokens, self.day, gathered.daily,
                                  gathered.laying.layout(laid)))

    def patched(self, rules, today, row_of):
        """The whole answer for the work tree now, patched from what is kept, or None. `row_of(entry)`: the
        entry's part (publish.site_records._row)."""
        found = self.changed(lambda: rules, lambda kept: kept[5].judge if kept[4] != today else {})
        if found is None:
            return None
        (answer, tots, shared, tokens, day, daily, layout), entries, _, again = found
        if not daily.holds(today):
            return None         # a day before a clock started again: judged again from the ledger
        if not all(s.holds() for s in answer[0].shards.values()):
            return None         # a kept shard file changed since (by hand): made again from the ledger
        if not entries and day == today:
            return answer
        buckets = read_rows(self.root, self.rows_name, {bucket(p) for p in entries})
        if any(buckets.get(b, (None,))[0] != tokens.get(b) for b in {bucket(p) for p in entries}):
            return None         # a part written without its value (a build cut short): not followed
        records, values = answer
        sealing: dict = {}      # shard path -> {entry name: sealed}
        growth = None
        for path, e in entries.items():
            old = buckets[bucket(path)][1].get(path) if bucket(path) in buckets else None
            if e is None and old is None:
                return None         # a file the last build did not count: not told here
            live, row = (e.voided is None, row_of(e)) if e is not None else (False, None)
            was_live, was = (old[1], old[2]) if old is not None else (False, None)
            if old is not None and e is not None and live == was_live and was[1:2] + was[3:] == row[1:2] + row[3:] \
                    and (was[0] is None) == (row[0] is None) and (row[0] is None or row[0][:2] == was[0][:2]) \
                    and (row[0] is None or row[0][:2] not in shared):
                # its visitor, key and place kept (an event, a note): its entry sealed again where it stands, if it
                # changed (one judged again each day often has not)
                if row[0] is not None and live and row[0][3] != was[0][3] \
                        and not _reseal(row[0], site_grow.stored_key(row), shared, sealing):
                    return None
            else:       # added, removed, or its values, key or place changed: taken out and placed again
                if layout is None:
                    return None     # names met in a shard: placed by the whole ledger
                growth = growth or site_grow.Growth(layout, values)
                if old is not None and (not was_live or not growth.remove(path, was)):
                    return None
                if e is not None and (not live or not growth.add(path, row, row[0][3] if row[0] else None)):
                    return None
            tots = moved(tots, was[2] if was_live else None, row[2] if live else None)
            blob = self.judged.get(path)
            if e is None:
                del buckets[bucket(path)][1][path]
            else:
                buckets.setdefault(bucket(path), (None, {}))[1][path] = (blob, live, row)
            daily.put(path, blob, live, row if row is not None else was)
        shards = dict(records.shards)
        dropping = growth.dropping() if growth else {}
        made = site_grow.edited(records.shards, sealing, growth.adding if growth else {}, dropping)
        files = None if made is None else shard_files.keep(self.root, {p: d for p, d in made.items() if d}, whole=False)
        if files is None:
            return None
        shards.update(files)
        for path in [p for p, d in made.items() if d is None]:
            del shards[path]
        if growth is not None:
            values = values.added(growth.new_values, growth.gone)
        answer = FromRecords(stats_of(tots, today), shards), values
        if again:
            tokens = dict(tokens)
            written = write_rows(self.root, self.rows_name, {b: buckets[b][1] for b in buckets})
            if written is None:
                return answer
            tokens.update(written)
            self.save((answer, tots, shared, tokens, today, daily, layout))
            shard_files.prune(self.root, shards.values())
        else:       # not kept: the kept shards stay for the next patch, those of builds since then go
            shard_files.prune(self.root, [*records.shards.values(), *shards.values()])
        return answer


class Daily:
    """What another day changes in the site, kept per record: the records whose payload moves with the day
    itself (a clock stopped for `补正`), judged again; and the first day all the others' parts hold (a clock that
    started again on that day). Nothing else: an overdue count is the lookup page's to work out."""

    def __init__(self):
        self.judge: dict = {}       # path -> blob
        self.since = None

    def put(self, path: str, blob, live: bool, row) -> None:
        self.judge.pop(path, None)
        daily = row[0][4] if row[0] is not None else None
        if daily is None or not live:
            return
        since, until = daily
        if until is not None:
            self.judge[path] = blob
        elif since is not None:
            self.since = max(self.since or since, since)

    def holds(self, today) -> bool:
        return self.since is None or today >= self.since


def fresh(row, today) -> bool:
    """Whether a kept row holds on `today` (site_records._daily)."""
    daily = row[0][4] if row[0] is not None else None
    return daily is None or (daily[0] is None or daily[0] <= today) and (daily[1] is None or today <= daily[1])


def moved(tots: tuple, old, new) -> tuple:
    """The year's totals with one entry's share taken out and its new share put in."""
    for sign, c in ((-1, old), (1, new)):
        if c is not None:
            tots = tuple(t + sign * v for t, v in zip(tots, totals([c])))
    return tots


def _reseal(item, key, shared: set, sealing: dict) -> bool:
    """Seal an entry again (`sealing`: shard path -> {name: sealed}); False when its key is not at hand."""
    if key is None or key in shared:
        return False        # a key derived at build time: the whole ledger finds it in the key memo
    shard, name = lookup.locator(key)
    sealing.setdefault(f"lookup/data/{shard}.json", {})[name] = lookup.seal(key, None, item[3])
    return True
