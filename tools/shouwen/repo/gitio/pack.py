"""A Git pack and its index written directly, and trees kept as their bytes and changed in place: what
`history` writes the fast `shouwen demo`'s commits with.

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
from array import array
from bisect import bisect_left, bisect_right

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
    if n < 0x80:
        return _BYTE[n]
    out = bytearray()
    while n > 0x7f:
        out.append(0x80 | (n & 0x7f))
        n >>= 7
    out.append(n)
    return bytes(out)


_BYTE = [bytes((i,)) for i in range(256)]
_COPY = struct.Struct("<BIHB").pack        # 0xff: all four offset bytes and three size bytes given
_STORED = struct.Struct("<BBBHH").pack
_ADLER = struct.Struct(">I").pack
_ROW = struct.Struct(">II").pack
_U32 = next(code for code in "IL" if array(code).itemsize == 4)     # an array of 4-byte items


def _copy(offset: int, size: int) -> bytes:
    """Delta instructions copying `size` bytes of the base from `offset`: each with all four bytes of the
    offset and three of the size given, zeros too, which readers take as they are."""
    if 0 < size <= 0xffffff:
        return _COPY(0xff, offset, size & 0xffff, size >> 16)
    out = b""
    while size:
        n = min(size, 0xffffff)
        out += _COPY(0xff, offset, n & 0xffff, n >> 16)
        offset, size = offset + n, size - n
    return out


def _insert(data: bytes) -> bytes:
    if len(data) <= 127:
        return _BYTE[len(data)] + data if data else b""
    out = bytearray()
    for i in range(0, len(data), 127):
        chunk = data[i:i + 127]
        out.append(len(chunk))
        out += chunk
    return bytes(out)


def splice_delta(base_len: int, at: int, removed: int, inserted: bytes) -> bytes:
    """The delta from a base to the same bytes with `removed` bytes at `at` replaced by `inserted`."""
    rest = base_len - at - removed
    return (_size(base_len) + _size(base_len - removed + len(inserted)) + (_copy(0, at) if at else b"")
            + _insert(inserted) + (_copy(at + removed, rest) if rest else b""))


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
    n = len(data)
    if n > 4096:
        return zlib.compress(data, 1)
    return _STORED(0x78, 0x01, 0x01, n, n ^ 0xffff) + data + _ADLER(zlib.adler32(data))


def _entry_head(kind: int, size: int) -> bytes:
    if size < 16:
        return _BYTE[kind << 4 | size]
    out = bytearray()
    byte = (kind << 4) | (size & 15)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte, size = size & 0x7f, size >> 7
    out.append(byte)
    return bytes(out)


def _ofs(distance: int) -> bytes:
    if distance < 0x80:
        return _BYTE[distance]
    out = [distance & 0x7f]
    distance >>= 7
    while distance:
        distance -= 1
        out.append(0x80 | (distance & 0x7f))
        distance >>= 7
    return bytes(reversed(out))


class Pack:
    """One pack being written under objects/pack/, its index written when it is done. An object goes in
    whole (`whole`) or as a delta against one stored before (`delta`, when `deltas_on(base)`); the caller gives
    its id, worked out already, and checks that it is not there yet (`objects`)."""

    def __init__(self, pack_dir: str):
        self.dir = pack_dir
        fd, self.tmp = tempfile.mkstemp(prefix="tmp_pack_", dir=pack_dir)
        self.fh = os.fdopen(fd, "wb")
        self.buf = bytearray(b"PACK" + struct.pack(">II", 2, 0))
        self.offset = len(self.buf)
        self.objects: dict[bytes, int] = {}     # id -> offset
        self.rows: dict[bytes, bytes] = {}      # id -> its index row: the entry's crc32 and offset (4 bytes each)
        self.depth: dict[int, int] = {}         # offset -> length of its delta chain

    def deltas_on(self, base: int) -> bool:
        """Whether a delta on the object at `base` keeps its chain within git's pack.depth."""
        return self.depth[base] < MAX_DEPTH

    def whole(self, kind: bytes, data, oid: bytes) -> int:
        return self._add(oid, _entry_head(KINDS[kind], len(data)) + _deflate(data), 0)

    def delta(self, base: int, delta: bytes, oid: bytes) -> int:
        entry = _entry_head(OFS_DELTA, len(delta)) + _ofs(self.offset - base) + _deflate(delta)
        return self._add(oid, entry, self.depth[base] + 1)

    def _add(self, oid: bytes, entry: bytes, depth: int) -> int:
        offset = self.offset
        self.objects[oid] = offset
        self.rows[oid] = _ROW(zlib.crc32(entry), offset & 0xffffffff)
        self.depth[offset] = depth
        self.offset = offset + len(entry)
        buf = self.buf
        buf += entry
        if len(buf) > 1 << 20:
            self.fh.write(buf)
            buf.clear()
        return offset

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
        n = len(ids)
        fanout = struct.pack(">256I", *(bisect_right(ids, bytes((b,)) + b"\xff" * 19) for b in range(256)))
        rows = array(_U32, b"".join(map(self.rows.__getitem__, ids)))     # one pass: crc, offset, crc, ...
        crcs = rows[0::2].tobytes()         # the bytes as they were packed, big-endian, column by column
        if self.offset >> 31:       # a pack past 2 GB: those offsets go into a table of their own
            small, large = [self.objects[oid] for oid in ids], []
            for i, offset in enumerate(small):
                if offset >> 31:
                    small[i] = 1 << 31 | len(large)
                    large.append(offset)
            offsets = struct.pack(f">{n}I", *small) + struct.pack(f">{len(large)}Q", *large)
        else:
            offsets = rows[1::2].tobytes()
        idx = b"\377tOc" + struct.pack(">I", 2) + fanout + b"".join(ids) + crcs + offsets + checksum
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
    only what follows the mark before it.

    A large folder stored whole becomes the hub of the versions after it: when a chain of deltas is as long
    as git reads (MAX_DEPTH), the next version is a delta on the hub instead of another whole copy to
    compress (a month of ten thousand records: 420 KB a copy, every fifty commits on it), made from the
    entries changed since, until they are HUB_CHANGES (`hub_delta`)."""
    __slots__ = ("keys", "entries", "folders", "data", "offset", "marks", "width", "spots", "around", "hub",
                 "hub_keys", "changed")
    MARK = 16384
    HUB_CHANGES = 256

    def __init__(self, raw: bytes = b""):
        self.keys, self.entries, self.folders = [], [], {}
        self.data, self.offset, self.marks = bytearray(raw), None, []
        self.spots: dict[bytes, int] = {}       # key -> where its entry ends, while no entry comes or goes
        self.around: dict[bytes, tuple] = {}    # key -> a delta's bytes before and after its new id there
        self.hub, self.hub_keys, self.changed = None, None, set()   # the hub's offset and keys, what changed since
        i = 0
        while i < len(raw):
            space, nul = raw.index(b" ", i), raw.index(b"\0", i)
            mode, name = raw[i:space], raw[space + 1:nul]
            self.keys.append(name + b"/" if mode == DIR_MODE else name)   # git sorts a folder as name/
            self.entries.append(raw[i:nul + 21])
            i = nul + 21
        widths = {len(e) for e in self.entries}
        self.width = widths.pop() if len(widths) == 1 else None if widths else 0   # every entry's length, if one

    def set(self, name: bytes, mode: bytes, oid: bytes) -> bytes:
        """Put one entry; the change as a delta on the version before. An entry put before, where no entry
        came or went since, has its id replaced in place (the usual change: every folder above a record's,
        the same delta around another id); `entries` keeps its old id then, as only its length is read (and a
        folder's id only before the folder is opened)."""
        key = name + b"/" if mode == DIR_MODE else name
        if self.hub_keys is not None:
            self.changed.add(key)
        end = self.spots.get(key)
        if end is not None:
            data = self.data
            data[end - 20:end] = oid
            if self.marks:
                del self.marks[(end - 20) // self.MARK:]
            around = self.around.get(key)
            if around is None:
                size = len(data)
                around = self.around[key] = (_size(size) * 2 + _copy(0, end - 20) + b"\x14",
                                             _copy(end, size - end) if size > end else b"")
            return around[0] + oid + around[1]
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
            self.spots.clear()
            self.around.clear()
        else:
            del self.marks[at // self.MARK:]
        self.spots[key] = at + len(entry)
        return splice_delta(size, at, removed, entry)

    def stored_whole(self, offset):
        """This version went into the pack whole, at `offset`: the hub of the next ones, if it is large."""
        self.hub, self.hub_keys = offset, list(self.keys) if len(self.data) > 4096 and self.width else None
        self.changed.clear()

    def hub_delta(self) -> bytes | None:
        """This version as a delta on the hub: the hub's entries copied in runs, those changed or added since put
        in, which needs entries all of one length; None without a hub, or with too many changes."""
        width, hub_keys = self.width, self.hub_keys
        if hub_keys is None or not width or len(self.changed) > self.HUB_CHANGES:
            return None
        data, keys, end = self.data, self.keys, len(hub_keys) * width
        out, done = [_size(end), _size(len(data))], 0
        for key in sorted(self.changed):
            i = bisect_left(hub_keys, key)
            at = i * width
            if at > done:
                out.append(_copy(done, at - done))
            at_new = bisect_left(keys, key) * width
            out.append(_insert(bytes(data[at_new:at_new + width])))
            done = at + width if i < len(hub_keys) and hub_keys[i] == key else at
        if end > done:
            out.append(_copy(done, end - done))
        return b"".join(out)

    def object_id(self) -> bytes:
        data = self.data
        if len(data) < self.MARK:       # a small folder (the top ones): hashed whole, no marks
            return object_id(b"tree", data)
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
