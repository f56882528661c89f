"""Bytes a command would otherwise hold, written to an unnamed file under .shouwen/ and read back when asked for
(issue 15): a large ledger's heavy parts (repo.index_rows), a long list's lines and items (cli.tables), a
site build's record parts (publish.site_pass). The page cache holds them, not the process. The file has no
name: it goes with the process, however that ends."""
from __future__ import annotations

import os


class Spill:
    AT = 20_000     # entries from which a ledger spills (a small one keeps its bytes: no file)

    def __init__(self, folder: str | None):
        import tempfile
        self.fh = tempfile.TemporaryFile(dir=folder)
        self.end, self.unflushed, self.broken = 0, False, False

    @classmethod
    def make(cls, root: str, entries: int):
        """A spill for a ledger of `entries`; None for a small one, or where none can be made (then the bytes
        stay in memory)."""
        if entries < cls.AT or not hasattr(os, "pread"):
            return None
        # under .shouwen/ where it is (the disk), else the system's temporary folder
        folder = next((f for f in (os.path.join(root, ".shouwen", "index"), os.path.join(root, ".shouwen"))
                       if os.path.isdir(f)), None)
        try:
            return cls(folder)
        except OSError:
            return None

    def write(self, data: bytes) -> int:
        """Where `data` now starts in the file; OSError when it can't be written (then nothing more is: a
        write cut short leaves the places after it unknown)."""
        if self.broken:
            raise OSError("spill given up")
        try:
            self.fh.write(data)
        except OSError:
            self.broken = True
            raise
        at, self.end, self.unflushed = self.end, self.end + len(data), True
        return at

    def read(self, at: int, size: int) -> bytes:
        if self.unflushed:
            self.fh.flush()
            self.unflushed = False
        data = os.pread(self.fh.fileno(), size, at)
        if len(data) != size:
            raise OSError(f"spilled bytes cut short at {at}")
        return data

    def close(self) -> None:
        self.fh.close()

    def spooled(self, data: bytes):
        """`data` as a Spooled, or itself when it can't be written."""
        try:
            return Spooled(self, self.write(data), len(data))
        except OSError:
            return data


class Spooled:
    """Bytes in a Spill (a joined block of core.blocks.Blocks): where they are, not the bytes. Kept by
    repo.answers a block at a time; pickled anywhere else as the bytes themselves."""
    __slots__ = ("spill", "at", "size")

    def __init__(self, spill: Spill, at: int, size: int):
        self.spill, self.at, self.size = spill, at, size

    def bytes(self) -> bytes:
        return self.spill.read(self.at, self.size)

    def __reduce__(self):
        return bytes, (self.bytes(),)
