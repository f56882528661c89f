"""The lookup shards kept as files by their content (issue 15).

At a hundred thousand records the shards are 130 MB of sealed JSON, most of it the same from one build to the
next. A build keeps each shard once, in `.shouwen/cache/lookup-shards/` under its bytes' SHA-1, and puts it
in the output as a hard link (a copy on another file system), not through MkDocs: an unchanged shard is
neither written nor pickled again. The privacy guard's verdicts on them (publish/verdicts.py) hold only for a
shard that is still that very file (same device, inode, size and modification time). It is only a cache: a
shard file changed by hand no longer matches its stamp and the memo that names it is not taken.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass

from . import seen


FOLDER = os.path.join(".shouwen", "cache", "lookup-shards")


@dataclass(frozen=True)
class Shard:
    """One kept shard file: its content's digest and the file's stamp when it was written; for one made from
    another (entries sealed again in their place, or one stretch made again with names added or let go), that
    one's digest, where its bytes differ and how far the bytes after one such stretch moved."""
    file: str
    digest: str
    stamp: tuple        # (device, inode, size, modification time in ns)
    parent: str = ""
    spans: tuple = ()   # (start, end) of each entry sealed again, or of the one stretch made again
    shift: int = 0      # how far the bytes after that one stretch moved from where they stood in the parent

    def data(self) -> bytes:
        return _read(self.file)

    def holds(self) -> bool:
        return _stamp(self.file) == self.stamp


def _stamp(path: str) -> tuple | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def content(value) -> bytes:
    """A generated file's bytes, whether held in memory (str, bytes) or kept as a Shard."""
    if isinstance(value, Shard):
        return value.data()
    return value.encode() if isinstance(value, str) else value


@dataclass(frozen=True)
class Grown:
    """A kept shard's JSON made again with names added or let go: the parent's bytes and the new ones."""
    parent: Shard
    old: bytes
    data: bytes


@dataclass(frozen=True)
class Patch:
    """A kept shard with some of its bytes replaced where they stand: (start, bytes) each."""
    parent: Shard
    edits: tuple


def keep(root: str, shards, whole: bool = True) -> dict[str, Shard] | None:
    """The shards (path -> JSON as text or bytes, a Patch or a Grown; or such pairs, made one at a time: a whole
    build's, publish.sealing) written to the store, each once; None when the store can't be written. `whole`:
    these are the whole site's shards, every other shard file is let go."""
    folder = os.path.join(root, FOLDER)
    out = {}
    try:
        os.makedirs(folder, exist_ok=True)
        for path, text in shards.items() if isinstance(shards, dict) else shards:
            if isinstance(text, Patch):
                out[path] = _patched(folder, text)
                continue
            grown = text if isinstance(text, Grown) else None
            data = grown.data if grown else text.encode() if isinstance(text, str) else text
            digest = hashlib.sha1(data).hexdigest()
            file = os.path.join(folder, digest + ".json")
            stamp = _stamp(file)
            if stamp is None or stamp[2] != len(data) or _read(file) != data:     # never trusted unread here
                tmp = f"{file}.{os.getpid()}.tmp"
                with open(tmp, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, file)
                stamp = _stamp(file)
            out[path] = Shard(file, digest, stamp, *_from(grown))
    except OSError:
        return None
    if whole:
        prune(root, out.values())
    return out


def _from(grown: Grown | None) -> tuple:
    """(parent, spans, shift) of a Shard made again from a kept one: where its bytes differ (publish.seen.changed),
    so the guard reads only that stretch of it (publish.verdicts); () when that can't be told."""
    where = seen.changed(grown.old, grown.data) if grown is not None else None
    return () if where is None else (grown.parent.digest, (where,), len(grown.data) - len(grown.old))


def _patched(folder: str, patch: Patch) -> Shard:
    """A Patch written as a copy of its parent's file (made by the kernel) with the edits written over it. Named
    by the parent's name and the edits, not by hashing the whole: the same bytes always have the same name
    (another way to them, another name: only room)."""
    h = hashlib.sha1(b"patched\0" + patch.parent.digest.encode())
    for start, data in patch.edits:
        h.update(b"%d:%d\0" % (start, len(data)) + data)
    digest = h.hexdigest()
    file = os.path.join(folder, digest + ".json")
    tmp = f"{file}.{os.getpid()}.tmp"
    with open(patch.parent.file, "rb") as src, open(tmp, "wb") as dst:
        try:
            left = os.fstat(src.fileno()).st_size
            while left > 0:
                n = os.copy_file_range(src.fileno(), dst.fileno(), left)
                if n <= 0:
                    raise OSError("short copy")
                left -= n
        except (OSError, AttributeError):
            src.seek(0)
            dst.seek(0)
            dst.truncate()
            shutil.copyfileobj(src, dst)
        for start, data in patch.edits:
            dst.seek(start)
            dst.write(data)
    os.replace(tmp, file)
    return Shard(file, digest, _stamp(file), patch.parent.digest, tuple((a, a + len(d)) for a, d in patch.edits))


def prune(root: str, shards) -> None:
    """Let go of the shard files other than `shards` (the last build's)."""
    folder = os.path.join(root, FOLDER)
    live = {os.path.basename(s.file) for s in shards}
    try:
        for name in os.listdir(folder):
            if name not in live:
                os.unlink(os.path.join(folder, name))
    except OSError:
        pass        # another build pruned at the same moment: only costs room


def place(site_dir: str, files: dict) -> dict[str, Shard]:
    """Put the kept shards among `files` (path -> content) into the built site; the ones linked (the very
    store file) by their output path."""
    linked = {}
    for path, shard in files.items():
        if not isinstance(shard, Shard):
            continue
        dest = os.path.join(site_dir, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            os.unlink(dest)
        try:
            os.link(shard.file, dest)
            linked[path] = shard
        except OSError:
            shutil.copyfile(shard.file, dest)
    return linked
