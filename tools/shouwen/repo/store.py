"""The one reader path (DESIGN §10): every command reads records through this module.

Files are listed with their Git blob ids from Git's own index (`git ls-files -s`) plus the files Git's
stat data says differ from it (`git status`), so no file is hashed unless it changed; or from a commit
with `rev`. Records are parsed by the fast reader for the writer's canonical form (libyaml for anything
else), on every core when there are many. `index` keeps what is judged from them; `load_records`
gives the parsed records themselves, cached by blob id.
"""
from __future__ import annotations

import os
import pickle
import stat

from . import gitio
from .gitio.index_file import tracked_under
from ..core.canonical_check import check_canonical
from ..core.problems import InputError
from ..core.record import MAX_RECORD_BYTES, Record, read, unreadable

CACHE_VERSION = 3
PARALLEL_FROM = 1500
RECORDS = "records"

Listed = tuple  # (path, blob id, bytes already read or None)
STATE = ".shouwen/"      # this clone's own state: caches, verified signatures, the writer's journal


def refuse_committed_state(root: str) -> None:
    """shouwen never reads its local state from files Git checked out: a pickle committed under `.shouwen/`
    would run code in every clone that reads it, a `verified.json` would vouch for forged signatures, a journal
    would make the next writer "restore" files of the committer's choosing."""
    tracked = tracked_under(root, STATE)
    if tracked:
        more = f" 等 {len(tracked)} 个文件" if len(tracked) > 2 else ""
        raise InputError(f"{STATE} 是本机的缓存和状态，不能提交进 Git，但 Git 索引中有 {'、'.join(tracked[:2])}{more}："
                         f"从 Git 检出的缓存可在本机运行代码、冒充签名核验结果，shouwen 不读取，未执行任何操作；"
                         f"请运行 git rm -r --cached -q {' '.join(sorted({p.split('/')[0] for p in tracked}))} 并提交后重试"
                         "（只从 Git 中移除，本机的缓存留着；shouwen audit 会指出加入它的提交）")


def _walk(root: str) -> list[Listed]:
    """Outside a Git repository: every record file, read and hashed."""
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, RECORDS)):
        dirnames.sort()
        for name in filenames:
            if name.endswith(".md"):
                full = os.path.join(dirpath, name)
                data = read_bounded(full)
                out.append((os.path.relpath(full, root).replace(os.sep, "/"), gitio.blob_id(data), data))
    return sorted(out)


def listing(root: str, rev: str | None = None, dirty: dict | None = None) -> list[Listed]:
    """Every record file with its blob id, in path order; only changed files are read (and kept).
    `dirty`: the work tree's changed files as `WorkTree.dirty` read them a moment ago."""
    if rev is not None:
        return [(p, b, None) for p, b in gitio.tree_blobs(root, rev, RECORDS) if p.endswith(".md")]
    if not gitio.is_repo(root):
        return _walk(root)
    tracked = tracked_blobs(root)
    dirty = dict(_dirty_files(root) if dirty is None else dirty)
    for p, (mode, _) in tracked.items():
        if mode == "120000" and p not in dirty:     # a committed symlink is read (and refused) as a file
            dirty[p] = read_bounded(os.path.join(root, p))
    out = [(p, blob, None) for p, (_, blob) in tracked.items() if p.endswith(".md") and p not in dirty]
    out.extend((p, gitio.blob_id(data), data) for p, data in dirty.items() if data is not None)
    return sorted(out)


TRACKED = os.path.join(".shouwen", "index", "tracked.pickle")


def tracked_blobs(root: str) -> dict[str, tuple[str, str]]:
    """gitio.index_blobs of records/, kept beside the index under Git's index file's stamp (its inode changes
    at every write, Git renaming a new file into place): the same stamp, the same entries, without listing
    and parsing a hundred thousand lines again."""
    from .answers import MISSING, keep, read_kept
    stamp = gitio.index_stamp(root)
    file = os.path.join(root, TRACKED)
    if stamp is not None:
        kept = read_kept(file, repr(stamp))
        if kept is not MISSING and isinstance(kept, dict):
            return kept
    tracked = gitio.index_blobs(root, RECORDS)
    if stamp is not None and gitio.index_stamp(root) == stamp:
        keep(file, repr(stamp), tracked)
    return tracked


def _dirty_files(root: str, status=None) -> dict[str, bytes | None]:
    """path -> bytes of each record file Git's stat data says may differ from its index (untracked ones
    included); None for one deleted, or that is no record file. `status`: gitio.status read a moment ago."""
    out = {}
    for p in (status or gitio.status(root, RECORDS)).dirty:
        full = os.path.join(root, p)
        out[p] = read_bounded(full) if p.endswith(".md") and os.path.lexists(full) else None
    return out


class WorkTree:
    """The work tree's record files as Git sees them at one moment: Git is asked once (`git status`); `key`
    names them without listing them (Git's index file by its stat data, plus the changed files' blob
    ids), `listed` lists them when a command must read them."""

    def __init__(self, root: str):
        self.root, self._status, self._dirty, self._listed, self._key = root, None, None, None, False
        self._pending = None

    def start(self):
        """Ask Git now, and read its answer when it is first needed: the command works meanwhile."""
        if self._status is None and self._pending is None:
            self._pending = gitio.status(self.root, RECORDS, later=True)

    def status(self):
        """gitio.status of records/ (against HEAD and Git's index), asked once."""
        if self._status is None:
            self._status = self._pending() if self._pending is not None else gitio.status(self.root, RECORDS)
            self._pending = None
        return self._status

    def dirty(self) -> dict:
        if self._dirty is None:
            self._dirty = _dirty_files(self.root, self.status())
        return self._dirty

    def key(self) -> str | None:
        """None when it can't be named (outside Git, or Git's index changed while it was being read)."""
        if self._key is False:
            import hashlib
            before = gitio.index_stamp(self.root)
            dirty = self.dirty() if before is not None else None
            if before is None or gitio.index_stamp(self.root) != before:
                self._key = None
            else:
                h = hashlib.sha1(repr(before).encode())
                for p in sorted(dirty):
                    h.update(b"\0%s\0%s" % (p.encode("utf-8", "surrogateescape"),
                                             b"-" if dirty[p] is None else gitio.blob_id(dirty[p]).encode()))
                self._key = h.hexdigest()
        return self._key

    def listed(self) -> list[Listed]:
        if self._listed is None:
            self._listed = listing(self.root, dirty=self.dirty())
        return self._listed

    def let_go(self) -> None:
        """Forget the listing (listed again if asked): a command done with it need not hold every path."""
        self._listed = None


class Committed:
    """The record files as one commit holds them, with WorkTree's face: nothing differs from it, its id names
    them, and they are read from Git's objects. What the public site shows: only what the history holds, so
    a file changed behind the history's back (or not yet committed) is never published, and a build needs no
    `git status` (an lstat of every record file: a third of a second at 100,000)."""

    def __init__(self, root: str, commit: str):
        from .gitio.log import Status
        self.root, self.rev, self._listed = root, commit, None
        self._status = Status(commit, {}, set(), set())

    def status(self):
        return self._status

    def dirty(self) -> dict:
        return {}

    def key(self) -> str:
        return self.rev

    def listed(self) -> list[Listed]:
        if self._listed is None:
            self._listed = listing(self.root, self.rev)
        return self._listed

    let_go = WorkTree.let_go


def contents(root: str, rev: str | None, items: list[Listed]) -> list[Listed]:
    """The same items with their bytes: from the work tree, or all at once from Git for a commit."""
    if rev is not None:
        blobs = gitio.cat_files(root, [b for _, b, d in items if d is None])
        return [(p, b, d if d is not None else blobs.get(b, b"")) for p, b, d in items]
    out = []
    for p, b, d in items:
        out.append((p, b, read_bounded(os.path.join(root, p)) if d is None else d))
    return out


def parallel_map(fn, items: list, chunk: int = 400, least: int = PARALLEL_FROM):
    """fn over items (a picklable module-level function), in order, on every core when there are at least
    `least` items; the results are handed on as they come (a caller that keeps less than them all holds less).
    Workers are forked, so they share what the caller set up (rules, the day) without pickling it."""
    n = os.cpu_count() or 1
    if len(items) < least or n < 2:
        yield from map(fn, items)
        return
    import multiprocessing      # only when there is work for several cores: it costs 40 ms to import
    from concurrent.futures import ProcessPoolExecutor
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as ex:
        for part in ex.map(_apply_chunk, [(fn, c) for c in chunks]):
            yield from part


def _apply_chunk(job):
    fn, items = job
    return [fn(x) for x in items]


def parse_checked(path: str, data: bytes) -> Record:
    """parse, plus whether the bytes are the writer's canonical form (`record-noncanonical`)."""
    rec, exact = read(path, data)
    rec.noncanonical = None if exact else check_canonical(rec, data)
    return rec


def _parse_item(item: Listed) -> Record:
    return parse_checked(item[0], item[2])


class _Cache:
    def __init__(self, root, name="records", version=CACHE_VERSION):
        self.file = os.path.join(root, ".shouwen", "cache", f"{name}-v{version}.pickle")
        self.data, self.dirty = {}, False
        try:
            with open(self.file, "rb") as fh:
                self.data = pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
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
    """Every record, parsed (for the commands that need whole records; judgements come from `index`)."""
    listed = listing(root, rev)
    results = _resolve(root, rev, listed, _Cache(root) if use_cache else None)
    return [results[(p, b)] for p, b, _ in listed]


def drop_history_cache(root: str) -> None:
    """The audit kept every record version of the history here (`history-v*.pickle`, 110 MB over 600,000
    commits) until it learnt to judge each commit as it is read: a file nothing reads any more."""
    import glob
    for f in glob.glob(os.path.join(root, ".shouwen", "cache", "history-v*.pickle")):
        try:
            os.remove(f)
        except OSError:
            pass


def _cached(cache: dict, key, results: dict) -> Record | None:
    """The record cached under `key`, or None."""
    if key not in results:
        hit = cache.get(key)
        if hit is None:
            return None
        results[key] = Record(key[0], hit[0], hit[1], list(hit[2]), hit[3])
    return results[key]


def cache_entry(rec: Record) -> tuple:
    return rec.meta, rec.body, tuple(rec.problems), rec.noncanonical


def _resolve(root: str, rev, listed: list, cache) -> dict:
    results: dict = {}
    misses = []
    for path, blob, data in listed:
        if cache is None or _cached(cache.data, (path, blob), results) is None:
            misses.append((path, blob, data))
    misses = contents(root, rev, misses)
    for (path, blob, _), rec in zip(misses, parallel_map(_parse_item, misses)):
        results[(path, blob)] = rec
        if cache is not None:
            cache.data[(path, blob)] = cache_entry(rec)
            cache.dirty = True
    if cache is not None:
        cache.save({(p, b) for p, b, _ in listed})
    return results


def read_one(root: str, relpath: str) -> Record:
    """One record from the work tree, parsed exactly as load_records does."""
    return parse_checked(relpath, read_bounded(os.path.join(root, relpath)))


def read_bounded(full: str) -> bytes:
    """A record file's bytes. Never follows a symlink (a committed link to /dev/zero would reach every
    desk through sync), never opens a device or a FIFO, never reads more than a record can hold; such a
    file reads as `unreadable(why)`, which `parse` reports as file-invalid."""
    try:
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            return unreadable("是符号链接，记录必须是普通文件")
        if not stat.S_ISREG(st.st_mode):
            return unreadable("不是普通文件")
        if st.st_size > MAX_RECORD_BYTES:
            return unreadable(f"文件过大（{st.st_size} 字节，上限 {MAX_RECORD_BYTES}）")
        with open(full, "rb") as fh:
            return fh.read(MAX_RECORD_BYTES + 1)
    except OSError as e:
        return unreadable(f"无法读取（{e.strerror}）")
