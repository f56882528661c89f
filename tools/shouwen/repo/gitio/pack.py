"""Commits written straight into a Git pack and its index (the fast `shouwen demo`), part of the Git layer
beside `gitio` (which it asks for the branch, the trees it starts from and the ref update).

Why not `git fast-import`: at one commit per event it rebuilds the changed folder's tree at every commit,
formatting, sorting and delta-searching every entry of a month folder of thousands of records (0.5-0.7 ms a
commit, most of a demo's time once its keys are derived). Here each folder is kept as its entries' bytes
in Git's order, a commit changes one entry in each folder on its path, and the new tree is stored as a
delta that copies the old one around that entry: what is left is hashing the objects (the objects, and
so the commit ids, are exactly those `git commit` makes). The pack format: git's
Documentation/gitformat-pack.txt (version 2, OFS_DELTA), the index version 2 beside it.
"""
from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import zlib
from bisect import bisect_left, bisect_right

from .. import gitio

MAX_DEPTH = 50          # git's own pack.depth: how long a chain of deltas a reader resolves
KINDS = {b"commit": 1, b"tree": 2, b"blob": 3}
OFS_DELTA = 6
DIR_MODE = b"40000"


def object_id(kind: bytes, data: bytes) -> bytes:
    h = hashlib.sha1(b"%s %d\0" % (kind, len(data)))
    h.update(data)
    return h.digest()


def _size(n: int) -> bytes:
    """A delta's base and result sizes: seven bits a byte, least significant first."""
    out = bytearray()
    while n > 0x7f:
        out.append(0x80 | (n & 0x7f))
        n >>= 7
    out.append(n)
    return bytes(out)


_COPY = struct.Struct("<BII")


def _copy(offset: int, size: int) -> bytes:
    """Delta instructions copying `size` bytes of the base from `offset`: each with all four bytes of the
    offset and three of the size given (0xff), zeros too, which readers take as they are."""
    out = b""
    while size:
        n = min(size, 0xffffff)
        out += _COPY.pack(0xff, offset, n)[:8]
        offset, size = offset + n, size - n
    return out


def _insert(data: bytes) -> bytes:
    if len(data) <= 127:
        return bytes((len(data),)) + data if data else b""
    out = bytearray()
    for i in range(0, len(data), 127):
        chunk = data[i:i + 127]
        out.append(len(chunk))
        out += chunk
    return bytes(out)


def splice_delta(base_len: int, at: int, removed: int, inserted: bytes) -> bytes:
    """The delta from a base to the same bytes with `removed` bytes at `at` replaced by `inserted`."""
    rest = base_len - at - removed
    return (_size(base_len) + _size(base_len - removed + len(inserted)) + _copy(0, at) + _insert(inserted)
            + _copy(at + removed, rest))


def text_delta(old: bytes, new: bytes) -> bytes:
    """The delta from `old` to `new` as one changed stretch between their common start and end."""
    lo, hi = 0, min(len(old), len(new))
    old, new = memoryview(old), memoryview(new)     # compared in place, never copied
    while lo < hi:                      # the longest common start, by halves (memcmp does the work)
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    start, lo, hi = lo, 0, min(len(old), len(new)) - lo
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return splice_delta(len(old), start, len(old) - start - lo, bytes(new[start:len(new) - lo]))


def _deflate(data: bytes) -> bytes:
    """zlib's stream of `data`: small objects (deltas, commits, a record) stored as they are, since setting up
    a compressor costs more than they would save; large ones (a whole tree) compressed."""
    if len(data) > 4096:
        return zlib.compress(data, 1)
    return (b"\x78\x01\x01" + struct.pack("<HH", len(data), len(data) ^ 0xffff) + data
            + struct.pack(">I", zlib.adler32(data)))


def _entry_head(kind: int, size: int) -> bytes:
    out = bytearray()
    byte = (kind << 4) | (size & 15)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte, size = size & 0x7f, size >> 7
    out.append(byte)
    return bytes(out)


def _ofs(distance: int) -> bytes:
    out = [distance & 0x7f]
    distance >>= 7
    while distance:
        distance -= 1
        out.append(0x80 | (distance & 0x7f))
        distance >>= 7
    return bytes(reversed(out))


class Pack:
    """One pack being written under objects/pack/, its index written when it is done."""

    def __init__(self, pack_dir: str):
        self.dir = pack_dir
        fd, self.tmp = tempfile.mkstemp(prefix="tmp_pack_", dir=pack_dir)
        self.fh = os.fdopen(fd, "wb")
        self.buf = bytearray(b"PACK" + struct.pack(">II", 2, 0))
        self.offset = len(self.buf)
        self.objects: dict[bytes, tuple[int, int]] = {}    # id -> (offset, crc32 of the entry)
        self.depth: dict[int, int] = {}                     # offset -> length of its delta chain

    def put(self, kind: bytes, data, base: int | None = None, delta=None, oid: bytes | None = None
            ) -> tuple[bytes, int]:
        """Store an object (as a delta against the object at offset `base` when `delta()` gives one and the
        chain is short enough); its id (`oid`: worked out already) and offset."""
        oid = oid or object_id(kind, data)
        known = self.objects.get(oid)
        if known is not None:
            return oid, known[0]
        depth = self.depth.get(base, MAX_DEPTH) + 1 if base is not None else 0
        if depth and depth <= MAX_DEPTH:
            d = delta()
            entry = _entry_head(OFS_DELTA, len(d)) + _ofs(self.offset - base) + _deflate(d)
        else:
            depth = 0
            entry = _entry_head(KINDS[kind], len(data)) + _deflate(data)
        self.objects[oid] = (self.offset, zlib.crc32(entry))
        self.depth[self.offset] = depth
        offset = self.offset
        self.offset += len(entry)
        self.buf += entry
        if len(self.buf) > 1 << 20:
            self.fh.write(self.buf)
            self.buf.clear()
        return oid, offset

    def finish(self):
        """The object count in the header, the checksums, the index; the pack made visible to git."""
        self.fh.write(self.buf)
        self.fh.seek(8)
        self.fh.write(struct.pack(">I", len(self.objects)))
        self.fh.close()
        h = hashlib.sha1()
        with open(self.tmp, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                h.update(chunk)
        checksum = h.digest()
        with open(self.tmp, "ab") as fh:
            fh.write(checksum)
        ids = sorted(self.objects)
        fanout = struct.pack(">256I", *(bisect_right(ids, bytes((b,)) + b"\xff" * 19) for b in range(256)))
        places = [self.objects[oid] for oid in ids]
        small, large = [p[0] for p in places], []
        if small and max(small) >> 31:      # a pack past 2 GB: those offsets go into a table of their own
            for i, offset in enumerate(small):
                if offset >> 31:
                    small[i] = 1 << 31 | len(large)
                    large.append(offset)
        n = len(ids)
        idx = (b"\377tOc" + struct.pack(">I", 2) + fanout + b"".join(ids) + struct.pack(f">{n}I", *(p[1] for p in places))
               + struct.pack(f">{n}I", *small) + struct.pack(f">{len(large)}Q", *large) + checksum)
        idx += hashlib.sha1(idx).digest()
        name = os.path.join(self.dir, "pack-" + checksum.hex())
        os.replace(self.tmp, name + ".pack")
        with open(name + ".idx.tmp", "wb") as fh:
            fh.write(idx)
        os.replace(name + ".idx.tmp", name + ".idx")


class _Folder:
    """A tree as its entries in Git's order and as the bytes of its object, and where its last version went
    in the pack. Its id is hashed from marks: the hash's state every MARK bytes, kept while the bytes before
    them and the size stay the same, so a change near the end (a recent record's, the usual one) hashes
    only what follows the mark before it."""
    __slots__ = ("keys", "entries", "folders", "data", "offset", "marks", "width")
    MARK = 16384

    def __init__(self, raw: bytes = b""):
        self.keys, self.entries, self.folders = [], [], {}
        self.data, self.offset, self.marks = bytearray(raw), None, []
        i = 0
        while i < len(raw):
            space, nul = raw.index(b" ", i), raw.index(b"\0", i)
            mode, name = raw[i:space], raw[space + 1:nul]
            self.keys.append(name + b"/" if mode == DIR_MODE else name)   # git sorts a folder as name/
            self.entries.append(raw[i:nul + 21])
            i = nul + 21
        widths = {len(e) for e in self.entries}
        self.width = widths.pop() if len(widths) == 1 else None if widths else 0   # every entry's length, if one

    def set(self, name: bytes, mode: bytes, oid: bytes) -> tuple[int, int, bytes, int]:
        """Put one entry; (its byte offset, the old entry's length, the new entry, the old size)."""
        key = name + b"/" if mode == DIR_MODE else name
        i = bisect_left(self.keys, key)
        entry = mode + b" " + name + b"\0" + oid
        size = len(self.data)
        if self.width == 0 or self.width == len(entry):     # a month's records: names of one length
            at, self.width = i * len(entry), len(entry)
        else:       # counted from the nearer end (a recent record's entry is near the last)
            self.width = None
            at = sum(map(len, self.entries[:i])) if i < len(self.entries) // 2 else size - sum(map(len, self.entries[i:]))
        if i < len(self.keys) and self.keys[i] == key:
            removed, self.entries[i] = len(self.entries[i]), entry
        else:
            removed = 0
            self.keys.insert(i, key)
            self.entries.insert(i, entry)
        self.data[at:at + removed] = entry
        if removed != len(entry):
            self.marks.clear()          # the size, in the object's header, changed: hashed from the start
        else:
            del self.marks[at // self.MARK:]
        return at, removed, entry, size

    def object_id(self) -> bytes:
        data = self.data
        if self.marks:
            done, h = self.marks[-1]
            h = h.copy()
        else:
            done, h = 0, hashlib.sha1(b"tree %d\0" % len(data))
        with memoryview(data) as view:
            while done + self.MARK <= len(data):
                h.update(view[done:done + self.MARK])
                done += self.MARK
                self.marks.append((done, h.copy()))
            h.update(view[done:])
        return h.digest()


class PackedHistory:
    """Commits of one changed file each on the current branch, written into one pack; `close` moves the
    branch to the last of them and brings the work tree and Git's index up to it."""

    def __init__(self, root: str):
        self.root = root
        self.ref = gitio.git(root, "symbolic-ref", "-q", "HEAD").strip()
        self.start, tree = gitio.git(root, "rev-parse", "HEAD", "HEAD^{tree}").split()
        if len(self.start) != 40:
            raise gitio.GitError("the demo writes SHA-1 repositories only")
        self.parent = bytes.fromhex(self.start)
        self.top = _Folder(gitio.git_bytes(root, "cat-file", "tree", tree))
        self.blobs: dict[bytes, tuple[int, bytes]] = {}     # path -> (offset, bytes) of its last version
        self.pack = None

    def _folder(self, folder: _Folder, name: bytes) -> _Folder:
        sub = folder.folders.get(name)
        if sub is None:
            i = bisect_left(folder.keys, name + b"/")
            found = i < len(folder.keys) and folder.keys[i] == name + b"/"
            raw = gitio.git_bytes(self.root, "cat-file", "tree", folder.entries[i][-20:].hex()) if found else b""
            sub = folder.folders[name] = _Folder(raw)
        return sub

    def commit(self, people: bytes, message: bytes, path: bytes, data: bytes):
        if self.pack is None:
            self.pack = Pack(self._pack_dir())
        pack = self.pack
        last = self.blobs.get(path)
        oid, offset = pack.put(b"blob", data, *((last[0], lambda: text_delta(last[1], data)) if last else ()))
        self.blobs[path] = (offset, data)
        *dirs, name = path.split(b"/")
        chain = [self.top]
        for d in dirs:
            chain.append(self._folder(chain[-1], d))
        mode = b"100644"
        for folder in reversed(chain):
            at, removed, entry, old = folder.set(name, mode, oid)
            oid, folder.offset = pack.put(b"tree", folder.data, folder.offset,
                                          lambda: splice_delta(old, at, removed, entry), folder.object_id())
            mode, name = DIR_MODE, dirs.pop() if dirs else None
        body = b"tree %s\nparent %s\n%s\n%s" % (oid.hex().encode(), self.parent.hex().encode(), people, message)
        self.parent = pack.put(b"commit", body)[0]

    def _pack_dir(self) -> str:
        path = gitio.git(self.root, "rev-parse", "--git-path", "objects/pack").strip()
        return path if os.path.isabs(path) else os.path.join(self.root, path)

    def close(self):
        if self.pack is None:
            return
        self.pack.finish()
        self.pack = None
        gitio.git(self.root, "update-ref", self.ref, self.parent.hex(), self.start)
        gitio.git(self.root, "reset", "-q", "--hard")


def _write_history(root: str, conn):
    """The child's side of `BackgroundHistory`: batches of commits until None, then the outcome sent back."""
    try:
        history = PackedHistory(root)
        for batch in iter(conn.recv, None):
            for commit in batch:
                history.commit(*commit)
        history.close()
        conn.send(None)
    except Exception as e:          # told to the parent, which raises it as its own
        conn.send(f"{type(e).__name__}: {e}")


class BackgroundHistory:
    """A `PackedHistory` written by a process of its own, fed commits in batches, so that the caller plans and
    serialises the next commits on one core while the pack is written on another."""
    BATCH = 256

    def __init__(self, root: str):
        import multiprocessing
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_write_history, args=(root, child), daemon=True)
        self.proc.start()
        child.close()
        self.batch = []

    def commit(self, people: bytes, message: bytes, path: bytes, data: bytes):
        self.batch.append((people, message, path, data))
        if len(self.batch) >= self.BATCH:
            self._send(self.batch)
            self.batch = []

    def _send(self, message):
        try:
            self.conn.send(message)
        except OSError:             # the writer stopped: its own reason, when it gave one
            told = self.conn.poll(5) and self.conn.recv()
            self.proc.join()
            self.proc = None
            raise gitio.GitError(told or "the history's writer stopped") from None

    def close(self):
        if self.proc is None:
            return
        if self.batch:
            self._send(self.batch)
        self._send(None)
        try:
            failed = self.conn.recv()
        except EOFError:
            failed = "the history's writer stopped"
        self.proc.join()
        self.proc = None
        if failed:
            raise gitio.GitError(failed)
