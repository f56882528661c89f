"""The one reader path (DESIGN §10): every command reads records through `load_records`.

Files are listed from the work tree (or from a commit with `rev`), keyed by their Git blob
id, parsed with libyaml, and the parsed results are cached under .shouwen/ by blob id, so a
second run parses only what changed. A cold run over many files uses every core.
"""
from __future__ import annotations

import os
import pickle
from concurrent.futures import ProcessPoolExecutor

from . import gitio
from ..core.canonical import check_canonical
from ..core.record import Record, parse

CACHE_VERSION = 2
PARALLEL_FROM = 2000


def _worktree(root: str) -> list[tuple[str, bytes]]:
    out = []
    base = os.path.join(root, "records")
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".md"):
                full = os.path.join(dirpath, name)
                with open(full, "rb") as fh:
                    out.append((os.path.relpath(full, root).replace(os.sep, "/"), fh.read()))
    return out


def _at_commit(root: str, rev: str) -> list[tuple[str, str]]:
    """(path, blob id) of every record file at a commit or tree."""
    listing = gitio.git(root, "ls-tree", "-r", "-z", rev, "--", "records")
    out = []
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _, typ, sha = meta.split()
        if typ == "blob" and path.endswith(".md"):
            out.append((path, sha))
    return out


def parse_checked(path: str, data: bytes) -> Record:
    """parse, plus whether the bytes are the writer's canonical form (`record-noncanonical`)."""
    rec = parse(path, data)
    rec.noncanonical = check_canonical(rec, data)
    return rec


def _parse_many(items):
    return [parse_checked(path, data) for path, data in items]


class _Cache:
    def __init__(self, root, name="records"):
        self.file = os.path.join(root, ".shouwen", "cache", f"{name}-v{CACHE_VERSION}.pickle")
        self.data, self.dirty = {}, False
        try:
            with open(self.file, "rb") as fh:
                self.data = pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
            self.data = {}

    def save(self, live_keys):
        if not self.dirty:
            return
        try:
            os.makedirs(os.path.dirname(self.file), exist_ok=True)
            keep = self.data if live_keys is None else {k: v for k, v in self.data.items() if k in live_keys}
            tmp = self.file + f".{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump(keep, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that can't be written only costs time


def load_records(root: str, rev: str | None = None, use_cache: bool = True) -> list[Record]:
    if rev is None:
        files = _worktree(root)
        keyed = [((path, gitio.blob_id(data)), path, data) for path, data in files]
    else:
        listed = _at_commit(root, rev)
        keyed = [((path, sha), path, None) for path, sha in listed]
    results = _resolve(root, keyed, _Cache(root) if use_cache else None)
    return [results[k] for k, _, _ in keyed]


def load_blobs(root: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    """Records of any commit by (path, blob id), for the audit: parsed as load_records parses them and
    cached by blob id in a cache of their own, so history never crowds out the work tree's entries."""
    keyed = [((path, sha), path, None) for path, sha in pairs]
    return _resolve(root, keyed, _Cache(root, "history"), prune=False)


def _resolve(root: str, keyed: list, cache, prune: bool = True) -> dict:
    """key -> Record for (key, path, bytes or None to read the blob from Git)."""
    results: dict = {}
    misses = []
    for key, path, data in keyed:
        hit = cache.data.get(key) if cache else None
        if hit is not None:
            results[key] = Record(path, hit[0], hit[1], list(hit[2]), hit[3])
        else:
            misses.append((key, path, data))
    unread = [k[1] for k, _, d in misses if d is None]
    if unread:
        blobs = gitio.cat_files(root, unread)
        misses = [(k, p, blobs[k[1]] if d is None else d) for k, p, d in misses]
    if misses:
        items = [(p, d) for _, p, d in misses]
        if len(items) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            n = os.cpu_count() or 2
            chunks = [items[i::n] for i in range(n)]
            with ProcessPoolExecutor(n) as ex:
                parsed_chunks = list(ex.map(_parse_many, chunks))
            parsed = [None] * len(items)
            for c, recs in enumerate(parsed_chunks):
                for j, r in enumerate(recs):
                    parsed[c + j * n] = r
        else:
            parsed = _parse_many(items)
        for (key, _, _), rec in zip(misses, parsed):
            results[key] = rec
            if cache is not None:
                cache.data[key] = (rec.meta, rec.body, tuple(rec.problems), rec.noncanonical)
                cache.dirty = True
    if cache is not None:
        cache.save({k for k, _, _ in keyed} if prune else None)
    return results


def read_one(root: str, relpath: str) -> Record:
    """One record from the work tree, parsed exactly as load_records does."""
    with open(os.path.join(root, relpath), "rb") as fh:
        return parse_checked(relpath, fh.read())
