"""What a site build takes from the records, and what it keeps of it between builds (issue 15).

The site shows of the records only the year's counts and the sealed lookup shards, and the privacy guard
looks for the visitors' values they hold. All three are pure functions of the record files, the rules, the
code and the day, so a build keeps them:

- whole, under the ledger's name (repo.answers.generation: the record files' blob ids from Git's index and
  the changed files, the rules, the judging code, the day, with every source file of the package): a build
  of an unchanged ledger reads neither the ledger nor its index;
- patched for the records changed since (publish.site_follow): after a change that keeps a matter's visitor,
  key and place, only the changed records are read and only their shards sealed and written again;
- record by record, under the record's path and blob id (for the same rules, code and day), in 256 files by
  path: when the whole ledger is read again, the unchanged records' parts are taken as they were;
- the sealed entries by their key and bytes (publish.sealing): only a changed matter is sealed again;
- the shards as files by their content (publish.shard_files), which the whole answer names: an unchanged
  shard is neither pickled, written through MkDocs nor scanned again.

Each is only a cache (another key, or a torn file, is never taken): with no cache, the same site and the
same guard.
"""
from __future__ import annotations

import json
import os

from ..collector import give_back, paused
from ..core import lookup_key
from ..core.record import local_day
from ..repo import answers, gitio, store
from ..repo.index import each_row, load_ledger
from . import lookup, sealing, shard_files, site_follow, site_pass
from .disclosure import FromRecords, counts, stats_of
from .privacy import person_of

KEY_CACHE = os.path.join(".shouwen", "cache", "lookup-keys.json")
RECORDS_MEMO = os.path.join(".shouwen", "cache", "site-records.pickle")     # the whole answer
MEMO_VERSION = 7


def _cached() -> bool:
    return not os.environ.get("SHOUWEN_NO_CACHE")


def memo_key(root: str, rules, today, tree=None) -> str | None:
    """The name of the ledger as judged on `today`; None outside Git or with no cache."""
    if not _cached() or not gitio.is_repo(root):
        return None
    gen = answers.generation(rules, today, None, tree or shown_tree(root))
    return None if gen is None else repr((MEMO_VERSION, answers.package_stamp(), gen, rules.policy.lookup_rounds))


def holds(root: str, key: str) -> bool:
    """Whether the whole answer is kept under `key` (read only as far as its key)."""
    return answers.holds(os.path.join(root, RECORDS_MEMO), key)


def shown_tree(root: str):
    """The record files the site shows: as HEAD holds them (store.Committed), so that the public sees only what
    the history holds; while the history holds no record yet (no commit, or none with `records/`), the work
    tree's as Git sees them now (store.WorkTree, Git asked at once so that it answers while the build reads its
    rules); None outside Git."""
    if not gitio.is_repo(root):
        return None
    head = gitio.head(root)
    if head is not None and gitio.git_bytes(root, "ls-tree", "--name-only", head, "--", store.RECORDS).strip():
        return store.Committed(root, head)
    tree = store.WorkTree(root)
    tree.start()
    return tree


SHOWN = os.path.join(".shouwen", "cache", "site-shown")     # the commit the last build showed


def note_shown(root: str, tree) -> None:
    """Say which commit's records this build shows, for `shouwen site build` to tell (MkDocs builds apart)."""
    try:
        if getattr(tree, "rev", None):
            os.makedirs(os.path.dirname(os.path.join(root, SHOWN)), exist_ok=True)
            with open(os.path.join(root, SHOWN), "w", encoding="ascii") as fh:
                fh.write(tree.rev)
        elif os.path.exists(os.path.join(root, SHOWN)):
            os.remove(os.path.join(root, SHOWN))
    except OSError:
        pass        # only the line that names it is lost


def shown(root: str) -> str | None:
    try:
        with open(os.path.join(root, SHOWN), encoding="ascii") as fh:
            rev = fh.read().strip()
        return rev if len(rev) == 40 else None
    except (OSError, ValueError):
        return None


def shown_ledger(root: str, rules, today, tree):
    """The ledger the site shows (`tree`: shown_tree(root))."""
    return load_ledger(root, rules, today, rev=getattr(tree, "rev", None), listed=tree.listed() if tree else None)


def records(root: str, rules, today, tree=False) -> tuple[FromRecords, dict]:
    """What the site shows of the ledger, and the personal values the guard looks for. `tree`: shown_tree(root)
    asked before."""
    with paused(freeze=True):       # a part for each record, all kept (half a first build's time at 100,000)
        return _records(root, rules, today, shown_tree(root) if tree is False else tree)


def _records(root: str, rules, today, tree) -> tuple[FromRecords, dict]:
    key = memo_key(root, rules, today, tree)
    memo = os.path.join(root, RECORDS_MEMO)
    if key:
        kept = answers.read_kept(memo, key)
        if kept is not answers.MISSING and all(s.holds() for s in kept[0].shards.values()):
            return kept
    name = _rows_name(rules, today)
    follow = site_follow.SiteKept(root, tree, today, name) if key and name else None
    if follow is not None:
        person = person_of(rules)
        kept = follow.patched(rules, today, lambda e: _row(e, rules, today, person))
        if kept is not None:
            answers.keep(memo, key, kept)
            return kept
    old = {}
    for _, part in site_follow.read_rows(root, name).values() if name else ():
        old.update(part)
    person = person_of(rules)
    got, ids = site_pass.gather(root, tree, today, lambda e: _row(e, rules, today, person), old,
                                follow is not None and follow.keeps(rules), os.path.join(root, site_follow.FOLDER),
                                lambda rev, listed, take: each_row(root, rules, today, rev, listed, take))
    del old
    give_back()
    keys = read_keys(root)
    before = len(keys)
    laid: dict = {}
    where = lookup.placing(got.items, keys, rules.policy.lookup_rounds, got.stored, laid, got.payloads)
    if len(keys) != before:     # deriving lookup keys is slow on purpose: each record's key once, ever
        save_keys(root, keys, ids)
    shared = _shared(got.items, got.stored, keys, rules.policy.lookup_rounds) if key else None
    got.items = got.stored = keys = None
    give_back()
    figures, order = stats_of(got.totals, today), list(where.by_shard)
    if key:
        made = sealing.sealed(root, where)      # each shard sealed and written before the next is made
        try:
            files = shard_files.keep(root, made)
        finally:
            made.close()
        if files is not None:
            del where
            give_back()     # the shards' JSON and the placing, for the values the guard looks for
            kept = FromRecords(figures, _in_order(files, order)), got.values()
            answers.keep(memo, key, kept)
            if follow is not None:
                follow.keep_whole(rules, kept, got, shared, laid)
            del got
            give_back()
            return kept
    return FromRecords(figures, _in_order(dict(sealing.sealed(root, where)), order)), got.values()


def _in_order(shards: dict, order: list) -> dict:
    """The shards in the order lookup.placing first met them (as lookup.shards gives them)."""
    return {sealing.shard_path(s): shards[sealing.shard_path(s)] for s in order}


def _rows_name(rules, today) -> str | None:
    """What each record's part follows from besides its bytes; None with no cache."""
    jk = answers.judging_key(rules)
    return repr((MEMO_VERSION, answers.package_stamp(), jk, today.year, rules.policy.lookup_rounds)) \
        if _cached() and jk else None


def _shared(items: list, kept: dict, keys: dict, rounds: int) -> set:
    """The keys, and the (id, code), of more than one entry: the last of them is the one sealed there."""
    seen, shared = set(), set()
    for rid, code, *_ in items:
        key = kept.get((rid, code))
        memo = keys.get(f"{rid}:{code}:{rounds}")
        for k in ((rid, code), key if key is not None else bytes.fromhex(memo) if memo else None):
            if k is not None and k in seen:
                shared.add(k)
            seen.add(k)
    return shared


def _row(e, rules, today, person) -> tuple:
    rec = e.record
    code = rec.meta.get("code")
    stored = lookup_key.stored(rec.meta, rules.policy.lookup_rounds)
    item = lookup.entry(e, rules)
    if item is not None:    # serialised once and kept so, without the payload itself (sealing reads the bytes)
        item = (item[0], item[1], None, lookup.payload_bytes(item[2]), _daily(e, today))
    return (item, ((rec.id, code), stored) if stored and isinstance(code, str) else None,
            counts(e, today.year), person.of_record(rec), person.of_corrections([(rec.id, c) for c in e.corrections]))


def _daily(e, today):
    """The days a matter's payload holds for: None (every day), or (the first, the last or None). A clock
    stopped for 补正 that has not started again by the end of `today` moves the due day with the day itself
    (today only); one that started again holds from the day it did."""
    ends = [b for r in [*e.state.previous, e.state] for _, b, _ in r.suspensions]
    if any(b is None or local_day(b) > today for b in ends):
        return today, today
    return (max(map(local_day, ends)), None) if ends else None


def read_keys(root: str) -> dict:
    try:
        with open(os.path.join(root, KEY_CACHE), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def live_ids(ledger) -> set:
    """What save_keys keeps the keys of: the ids of the ledger's records, void ones aside."""
    return {e.record.id for e in ledger.entries}


def save_keys(root: str, keys: dict, live) -> None:
    """The derived lookup keys of the records still in the ledger (`live_ids`, or a core.hashed.Hashed of them).
    """
    cache = os.path.join(root, KEY_CACHE)
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        keep = {k: v for k, v in keys.items() if k[:k.index(":")] in live}
        with open(cache + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(keep, fh)
        os.replace(cache + ".tmp", cache)
    except OSError:
        pass
