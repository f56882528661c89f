"""The one reader path (DESIGN §10): every command reads records through `load_records`.

Files are listed from the work tree (or from a commit with `rev`), keyed by their Git blob
id, parsed with libyaml, and the parsed results are cached under .shouwen/ by blob id, so a
second run parses only what changed. A cold run over many files uses every core.
"""
from __future__ import annotations

import os
import pickle
import stat
from concurrent.futures import ProcessPoolExecutor

from . import gitio
from ..core.problems import Problem
from ..core.record import MAX_RECORD_BYTES, Record, parse

CACHE_VERSION = 1
PARALLEL_FROM = 2000


def _worktree(root: str, bad: list) -> list[tuple[str, bytes]]:
    out = []
    base = os.path.join(root, "records")
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".md"):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                try:
                    out.append((rel, read_bounded(full)))
                except Unreadable as e:
                    bad.append(unreadable(rel, str(e)))
    return out


class Unreadable(Exception):
    """A record file that is not one: a symlink, a device, a FIFO, or far too large."""


def read_bounded(full: str) -> bytes:
    """A record file's bytes; never follows a symlink (a committed link to /dev/zero reaches every desk)
    and never reads more than a record can hold."""
    try:
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            why = "是符号链接,记录必须是普通文件"
        elif not stat.S_ISREG(st.st_mode):
            why = "不是普通文件"
        elif st.st_size > MAX_RECORD_BYTES:
            why = f"文件过大({st.st_size} 字节,上限 {MAX_RECORD_BYTES})"
        else:
            with open(full, "rb") as fh:
                data = fh.read(MAX_RECORD_BYTES + 1)
            return data
    except OSError as e:
        why = f"无法读取({e.strerror})"
    raise Unreadable(why)


def unreadable(path: str, why: str) -> Record:
    guess = path.rsplit("/", 1)[-1][:-3]
    return Record(path, {}, "", [Problem("file-invalid", f"{why};已跳过", path=path, record=guess)])


def _at_commit(root: str, rev: str, bad: list) -> list[tuple[str, str]]:
    """(path, blob id) of every record file at a commit or tree; a symlink or an outsized blob goes to `bad`."""
    listing = gitio.git(root, "ls-tree", "-r", "-z", "-l", rev, "--", "records")
    out = []
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, typ, sha, size = meta.split()
        if typ != "blob" or not path.endswith(".md"):
            continue
        if mode == "120000":
            bad.append(unreadable(path, "是符号链接,记录必须是普通文件"))
        elif int(size) > MAX_RECORD_BYTES:
            bad.append(unreadable(path, f"文件过大({size} 字节,上限 {MAX_RECORD_BYTES})"))
        else:
            out.append((path, sha))
    return out


def _parse_many(items):
    return [parse(path, data) for path, data in items]


class _Cache:
    def __init__(self, root):
        self.file = os.path.join(root, ".shouwen", "cache", f"records-v{CACHE_VERSION}.pickle")
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
            keep = {k: v for k, v in self.data.items() if k in live_keys}
            tmp = self.file + f".{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump(keep, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that can't be written only costs time


def load_records(root: str, rev: str | None = None, use_cache: bool = True) -> list[Record]:
    bad: list[Record] = []
    if rev is None:
        files = _worktree(root, bad)
        keyed = [((path, gitio.blob_id(data)), path, data) for path, data in files]
    else:
        listed = _at_commit(root, rev, bad)
        keyed = [((path, sha), path, None) for path, sha in listed]
    cache = _Cache(root) if use_cache else None
    results: dict = {}
    misses = []
    for key, path, data in keyed:
        hit = cache.data.get(key) if cache else None
        if hit is not None:
            results[key] = Record(path, hit[0], hit[1], list(hit[2]))
        else:
            misses.append((key, path, data))
    if misses and rev is not None:
        blobs = gitio.cat_files(root, [k[1] for k, _, _ in misses])
        misses = [(k, p, blobs[k[1]]) for k, p, _ in misses]
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
                cache.data[key] = (rec.meta, rec.body, tuple(rec.problems))
                cache.dirty = True
    if cache is not None:
        cache.save({k for k, _, _ in keyed})
    return [results[k] for k, _, _ in keyed] + bad


def read_one(root: str, relpath: str) -> Record:
    """One record from the work tree, parsed exactly as load_records does."""
    try:
        return parse(relpath, read_bounded(os.path.join(root, relpath)))
    except Unreadable as e:
        return unreadable(relpath, str(e))
