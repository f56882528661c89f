"""Which paths under a folder Git's index tracks, read from the index file itself where it is the plain
layout (a few kilobytes: the index is sorted by path, and `.shouwen/` comes before any letter), else asked
of `git ls-files`. For the guard that shouwen never reads its own local state from files Git checked out."""
from __future__ import annotations

import os
import struct

from . import git, git_dir

_CHUNK = 1 << 16


def tracked_under(root: str, prefix: str) -> list[str]:
    """The paths Git's index holds under `prefix` (a folder, "name/"); [] outside a repository."""
    gd = git_dir(root)
    if gd is None:
        return []
    found = _from_file(os.environ.get("GIT_INDEX_FILE") or os.path.join(gd, "index"), prefix.encode())
    if found is None:
        found = [p for p in git(root, "ls-files", "-z", "--", f":(icase){prefix.rstrip('/')}", check=False).split("\0")
                 if p]
    return found


def _from_file(path: str, prefix: bytes) -> list[str] | None:
    """None where the file is not a version 2 or 3 index whose entries this reads (version 4's compressed
    paths, a split index): git answers then."""
    try:
        if any(n.startswith("sharedindex.") for n in os.listdir(os.path.dirname(path) or ".")):
            return None         # a split index: the entries are in two files
        fh = open(path, "rb")
    except FileNotFoundError:
        return []           # nothing staged yet
    except OSError:
        return None
    with fh:
        data = fh.read(_CHUNK)
        if len(data) < 12 or data[:4] != b"DIRC":
            return None
        version, count = struct.unpack(">II", data[4:12])
        if version not in (2, 3):
            return None
        found, pos, folder = [], 12, prefix.rstrip(b"/")

        def have(n):            # at least n bytes read, unless the file ends first
            nonlocal data
            while len(data) < n:
                more = fh.read(_CHUNK)
                if not more:
                    return False
                data += more
            return True
        for _ in range(count):
            if not have(pos + 64):
                return None
            flags = struct.unpack(">H", data[pos + 60:pos + 62])[0]
            start = pos + 62 + (2 if version == 3 and flags & 0x4000 else 0)
            end = data.find(b"\0", start)
            while end < 0:
                if not have(len(data) + 1):
                    return None
                end = data.find(b"\0", start)
            name = data[start:end]
            low = name.lower()  # .Shouwen/ is checked out as .shouwen/ on a Windows or macOS desk
            if low == folder or low.startswith(prefix):      # the folder itself may be a symlink
                found.append(name.decode("utf-8", "surrogateescape"))
            elif name > prefix:
                break           # sorted by bytes: every case of the prefix sorts at or before it
            pos += (end - pos + 8) & ~7        # entries are padded with NULs to 8 bytes
        return found
