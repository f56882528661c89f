"""Commits of one changed file each written straight into one Git pack (the fast `shouwen demo`): the
branch moved to the last of them, the work tree's files written directly and Git's index read from the new
tree (`gitio.pack` writes the pack and keeps the trees).

A commit comes as the file's whole new text (`commit`) or as bytes inserted into its last version
(`insert`: a record's next event line, the usual commit), which is then stored as a delta copying the
version before around them, with nothing compared. The work tree is not checked out from the pack (git
resolving every file's delta chain and creating ten thousand files, seconds of system time, after the last
commit): the caller writes the files while the pack is finished, and `git read-tree` and
`git update-index --refresh` make the index; the refresh compares every file with the tree's blob and fails
on any difference.
"""
from __future__ import annotations

import os
import socket
from bisect import bisect_left

from .. import gitio
from .pack import DIR_MODE, Pack, _Folder, object_id, splice_delta, text_delta


class PackedHistory:
    """Commits of one changed file each on the current branch, written into one pack; `close` moves the
    branch to the last of them (and by default writes the work tree and Git's index)."""

    def __init__(self, root: str):
        self.root = root
        self.ref = gitio.git(root, "symbolic-ref", "-q", "HEAD").strip()
        self.start, tree = gitio.git(root, "rev-parse", "HEAD", "HEAD^{tree}").split()
        if len(self.start) != 40:
            raise gitio.GitError("the demo writes SHA-1 repositories only")
        self.parent = self.start.encode()
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
        """A commit of `path` with `data` as its text."""
        last = self.blobs.get(path)
        self._commit(people, message, path, data, last and (lambda: text_delta(last[1], data)))

    def insert(self, people: bytes, message: bytes, path: bytes, at: int, inserted: bytes):
        """A commit of `path` with `inserted` put at byte `at` of its last version."""
        old = self.blobs[path][1]
        self._commit(people, message, path, old[:at] + inserted + old[at:],
                     lambda: splice_delta(len(old), at, 0, inserted))

    def _commit(self, people, message, path, data, delta):
        pack = self.pack
        if pack is None:
            pack = self.pack = Pack(self._pack_dir())
        oid = object_id(b"blob", data)
        offset = pack.objects.get(oid)
        if offset is None:
            last = self.blobs.get(path)
            offset = (pack.delta(last[0], delta(), oid) if last and pack.deltas_on(last[0])
                      else pack.whole(b"blob", data, oid))
        self.blobs[path] = (offset, data)
        *dirs, name = path.split(b"/")
        chain = [self.top]
        for d in dirs:
            chain.append(self._folder(chain[-1], d))
        mode = b"100644"
        for folder in reversed(chain):
            change = folder.set(name, mode, oid)
            oid = folder.object_id()
            known = pack.objects.get(oid)
            if known is not None:
                folder.offset = known
            elif folder.offset is not None and pack.deltas_on(folder.offset):
                folder.offset = pack.delta(folder.offset, change, oid)
            elif (hub := folder.hub_delta()) is not None:
                folder.offset = pack.delta(folder.hub, hub, oid)
            else:
                folder.offset = pack.whole(b"tree", folder.data, oid)
                folder.stored_whole(folder.offset)
            mode, name = DIR_MODE, dirs.pop() if dirs else None
        body = b"tree %s\nparent %s\n%s\n%s" % (oid.hex().encode(), self.parent, people, message)
        oid = object_id(b"commit", body)
        if oid not in pack.objects:
            pack.whole(b"commit", body, oid)
        self.parent = oid.hex().encode()

    def _pack_dir(self) -> str:
        path = gitio.git(self.root, "rev-parse", "--git-path", "objects/pack").strip()
        return path if os.path.isabs(path) else os.path.join(self.root, path)

    def files(self):
        """(path, text) of every file committed, at its last version."""
        return ((path.decode(), data) for path, (_, data) in self.blobs.items())

    def close(self, work_tree: bool = True):
        """The pack finished, the branch moved; with `work_tree`, its files written and the index made."""
        if self.pack is None:
            return
        self.pack.finish()
        self.pack = None
        gitio.git(self.root, "update-ref", self.ref, self.parent.decode(), self.start)
        if work_tree:
            write_files(self.root, self.files())
            index_from_head(self.root)


def write_files(root: str, files):
    """Each (path below root, bytes) written, its folders made as needed."""
    made = set()
    for path, data in files:
        full = os.path.join(root, path)
        folder = os.path.dirname(full)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def index_from_head(root: str):
    """Git's index made from HEAD's tree and the files in the work tree; GitError if any file differs."""
    gitio.git(root, "read-tree", "HEAD")
    out = gitio.git(root, "update-index", "--refresh", check=False)
    if out.strip():
        raise gitio.GitError("the work tree differs from the commits written: " + out.strip()[:500])


def _write_history(root: str, conn):
    """The child's side of `BackgroundHistory`: batches of commits until None, then the outcome sent back."""
    try:
        history = PackedHistory(root)
        commit, insert = history.commit, history.insert
        for batch in iter(conn.recv, None):
            for c in batch:
                if len(c) == 4:
                    commit(*c)
                else:
                    insert(*c)
        history.close(work_tree=False)
        conn.send(None)
    except Exception as e:          # told to the parent, which raises it as its own
        conn.send(f"{type(e).__name__}: {e}")


class BackgroundHistory:
    """A `PackedHistory` written by a process of its own, fed commits in batches, so that the caller plans and
    serialises the next commits on one core while the pack is written on another. `close(files)`: the caller
    writes the work tree's files while the pack is finished."""
    BATCH = 256

    def __init__(self, root: str):
        import multiprocessing
        self.root = root
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        # room for many batches on their way (a socket's own is two): the two sides do not wait for each
        # other in turns, each writer waiting for the other to take or to send the next batch
        with socket.socket(fileno=os.dup(self.conn.fileno())) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
        self.proc = ctx.Process(target=_write_history, args=(root, child), daemon=True)
        self.proc.start()
        child.close()
        self.batch = []

    def commit(self, people: bytes, message: bytes, path: bytes, data: bytes):
        self._add((people, message, path, data))

    def insert(self, people: bytes, message: bytes, path: bytes, at: int, inserted: bytes):
        self._add((people, message, path, at, inserted))

    def _add(self, commit):
        batch = self.batch
        batch.append(commit)
        if len(batch) >= self.BATCH:
            self._send(batch)
            self.batch = []

    def _send(self, message):
        try:
            self.conn.send(message)
        except OSError:             # the writer stopped: its own reason, when it gave one
            told = self.conn.poll(5) and self.conn.recv()
            self.proc.join()
            self.proc = None
            raise gitio.GitError(told or "the history's writer stopped") from None

    def close(self, files=()):
        """The pack finished and the branch moved (by the writer); `files`, (path, bytes) of the last version
        of every file committed, written meanwhile; then Git's index."""
        if self.proc is None:
            return
        if self.batch:
            self._send(self.batch)
        self._send(None)
        write_files(self.root, files)
        try:
            failed = self.conn.recv()
        except EOFError:
            failed = "the history's writer stopped"
        self.proc.join()
        self.proc = None
        if failed:
            raise gitio.GitError(failed)
        index_from_head(self.root)
