"""A command's answer kept under what it is a pure function of (DESIGN §10, issue 15).

`todo`, `check`, `list`, the ladder, the bulletin, the export: each answer follows from the ledger (named
by `index.generation`: the record files' blob ids, the rules, the code that judged, the day) and the
command's own arguments. Asked again with the same of all of these, the answer is read back instead of
worked out; anything different is another key, so a stale answer is never found, only a missing one. The
key holds the code of the whole package too (each source file by its size and modification time), so a
changed renderer never shows an old text. It is only a cache: unreadable, it is worked out again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat

from ..collector import paused

FOLDER = os.path.join(".shouwen", "index", "answers")
VERSION = 1
MAX_RULES_BYTES = 1 << 20    # beyond what core.safeyaml reads: such a file is refused, its head names it
KEEP = 48           # answers kept (the newest); one is a few kilobytes to a few megabytes (an export)


def code_key() -> str:
    """What judged: the core's sources, the rules loader, the index (how rows are kept) and this module,
    the calendar package's files, the version. Read as bytes: a judgement is kept for months."""
    import importlib.util
    from .. import __version__
    h = hashlib.sha1(f"{__version__}".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    core = os.path.join(os.path.dirname(here), "core")
    sources = [os.path.join(core, n) for n in sorted(os.listdir(core)) if n.endswith(".py")]
    for path in sources + [os.path.join(here, n) for n in ("loader.py", "index.py", "index_rows.py", "answers.py")]:
        with open(path, "rb") as fh:
            h.update(os.path.basename(path).encode() + b"\0" + fh.read())
    spec = importlib.util.find_spec("chinese_calendar")     # found, not imported (its tables take 15 ms)
    for folder in spec.submodule_search_locations or () if spec else ():
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                h.update(f"calendar/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def fingerprint(root: str) -> str:
    """A digest of every file under rules/ (its path and bytes), symlinked folders followed: what the
    rules are, without reading them as rules (that is repo.loader's work)."""
    h = hashlib.sha1()
    base = os.path.join(root, "rules")
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            h.update(os.path.relpath(full, base).encode("utf-8", "surrogateescape") + b"\0")
            try:
                if not stat.S_ISREG(os.stat(full).st_mode):     # a FIFO or device would block or never end
                    raise OSError("not a file")
                with open(full, "rb") as fh:
                    h.update(fh.read(MAX_RULES_BYTES + 1))
            except OSError:
                h.update(b"\1unreadable")
    return h.hexdigest()


def rules_key(rules) -> str | None:
    """The rules' fingerprint (repo.loader.fingerprint: every file under rules/), or the fingerprint itself."""
    return rules if isinstance(rules, str) else getattr(rules, "fingerprint", None)


def judging_key(rules, in_time=None) -> str | None:
    """What a record's judgement depends on besides its bytes and the day: the code, the rules (and their
    history when judged by the rules of each day). None: the rules can't be named, nothing is kept."""
    key = rules_key(rules)
    if not key:
        return None
    if in_time is not None:
        key = f"{key}:{in_time.key()}"      # judged under the whole history of the rules, not only today's
    return f"{code_key()}:{key}"


def generation(rules, today, in_time, tree) -> str | None:
    """A name for the whole ledger as judged on `today`, without reading it: the judging key, the record
    files (store.WorkTree.key, or a commit's id) and the day. Answers are kept under it. (A judgement by
    the hour would put its hour in `today`.)"""
    jk = judging_key(rules, in_time)
    tk = tree if isinstance(tree, str) else tree.key()
    return None if jk is None or tk is None else f"{jk}:{tk}:{today.isoformat()}"


def package_stamp() -> str:
    """Every source file of the package by its path, size and modification time."""
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha1()
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath[len(base):]}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cached(root: str, parts: tuple, compute):
    """compute()'s value, kept under `parts` (plain values whose repr names them exactly; None: can't be
    named, so worked out and not kept)."""
    if parts is None:
        value = compute()
        return value.value if isinstance(value, Volatile) else value
    key = repr((VERSION, package_stamp(), parts))
    file = os.path.join(root, FOLDER, hashlib.sha1(key.encode()).hexdigest() + ".pickle")
    value = read_kept(file, key)
    if value is MISSING:
        value = compute()
        if isinstance(value, Volatile):
            return value.value
        if keep(file, key, value):
            _prune(os.path.dirname(file))
    return value


class Volatile:
    """An answer that holds for this moment only (a verdict on an hour clock): given, never kept."""

    def __init__(self, value):
        self.value = value


MISSING = object()


def read_kept(path: str, key: str):
    """The value `keep` wrote to `path` under `key`; MISSING when there is none, it can't be read, or it
    was kept under another key (a cache is never trusted for what it was not made for)."""
    try:
        with open(path, "rb") as fh, paused():      # tens of thousands of objects that all live on
            # the key is a pickle of its own ahead of the value: a value kept under another key (megabytes
            # of another ledger) is refused without being read
            return pickle.load(fh) if pickle.load(fh) == key else MISSING
    except Exception:       # missing, torn (a torn pickle raises almost anything), or from other code
        return MISSING


def holds(path: str, key: str) -> bool:
    """Whether `keep` wrote `path` under `key` (only the key is read)."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh) == key
    except Exception:
        return False


def keep(path: str, key: str, value, plain: bool = False) -> bool:
    """Write the key, then the value, to `path` whole or not at all; False when it can't (that only costs
    time). `plain`: the value shares no object and holds none within itself, so pickle keeps no memo of
    the hundreds of thousands it writes (30 MB for a whole-ledger table)."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(key, fh, protocol=pickle.HIGHEST_PROTOCOL)
            writer = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            # blocks kept outside memory (repo.spill.Spooled) are read one at a time and each let go once written:
            # without the memo that would hold them all (the value then has no object shared or within itself)
            writer.fast = plain or _spooled(value)
            writer.dump(value)
        os.replace(tmp, path)
        return True
    except (OSError, pickle.PicklingError, TypeError, AttributeError):     # unwritable, or not picklable
        return False


def _spooled(value) -> bool:
    """Whether `value`, or an item of it, holds blocks kept outside memory (core.blocks: `spooled`)."""
    return any(getattr(v, "spooled", False) is True for v in (value, *(value if isinstance(value, tuple) else ())))


def _prune(folder: str):
    names = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".pickle")]
    if len(names) > KEEP:
        names.sort(key=lambda f: os.stat(f).st_mtime_ns)
        for f in names[:len(names) - KEEP]:
            try:
                os.unlink(f)
            except OSError:
                pass
