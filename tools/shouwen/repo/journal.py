"""What makes a write all-or-nothing (DESIGN §9): the lock, the write journal and recovery.

A writer takes the lock (flock where the system has it, else a portable `filelock`), keeps a second name for every file it is
about to replace (a hard link under `.shouwen/tmp/`: it costs no space, so it can be put back even on a
full disk) and notes those and the HEAD it started from in `.shouwen/journal.json`. If it dies at any
point (a kill, a power cut, a full disk), the next writer finds the journal under the lock and
puts the old bytes and the index back, unless the commit had landed. A stale `.git/index.lock`
or temp file left by a dead writer is found by its pid and age and cleared, with a message.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager

from . import gitio
from .process import pid_alive

try:
    import fcntl
except ImportError:         # a Windows desk PC: the lock is filelock's (imported only there: it costs 20-90 ms)
    fcntl = None

STALE_SECONDS = 120         # a .git/index.lock this old, with no live writer of ours, is left over
CHILD_GRACE = 10.0          # seconds a dead writer's git child may still hold the index
ORPHAN_WAIT = 60.0          # seconds to wait for a dead writer's git that is still running
LOCK_WAIT = 15.0            # seconds a writer waits for another before it gives up as busy (exit 3)
JOURNAL = "journal.json"
# An OS lock (fcntl, msvcrt) leaves its file behind, empty; a soft lock is that file's existence, with its
# holder's pid inside. The two never share a file, or a soft locker would wait on an OS lock's leftover.
TMP_DIR = "tmp"


class BusyError(Exception):
    """Another writer holds the lock, or the repository is mid-merge: exit 3."""


def notice(message: str) -> None:
    """Tell the person at the desk what was repaired (stderr: never mixed with --format json)."""
    print(message, file=sys.stderr)


def state_dir(root: str) -> str:
    d = os.path.join(root, ".shouwen")
    os.makedirs(d, exist_ok=True)
    return d


def gitdir(root: str) -> str:
    g = gitio.git_dir(root)
    if g is None:
        raise gitio.GitError(f"{root} 不是 Git 仓库")
    return g


class _FlockLock:
    """flock(2) on `.shouwen/lock`, as filelock's UnixFileLock takes it (the two exclude each other), without
    importing filelock on every write: where fcntl exists this is all the lock needs."""

    def __init__(self, path: str, timeout: float):
        self.path, self.timeout, self.fd = path, timeout, None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class _PortableLock:
    """filelock's lock where fcntl is missing (a soft lock, or msvcrt on Windows)."""

    def __init__(self, root: str, timeout: float):
        import warnings
        with warnings.catch_warnings():     # filelock warns that it falls back to a soft lock: that is the plan
            warnings.simplefilter("ignore")
            import filelock
        self.filelock = filelock
        name = "lock.soft" if filelock.FileLock.__name__ == "SoftFileLock" else "lock"
        self.fl = filelock.FileLock(os.path.join(state_dir(root), name), timeout=timeout)

    def acquire(self) -> bool:
        try:
            self.fl.acquire()
        except self.filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        self.fl.release()


@contextmanager
def lock(root: str, wait: float | None = None):
    """Serialise writers in one clone; on entry, repair whatever a dead writer left behind."""
    wait = LOCK_WAIT if wait is None else wait
    fl = _FlockLock(os.path.join(state_dir(root), "lock"), wait) if fcntl is not None else _PortableLock(root, wait)
    if not fl.acquire():
        raise BusyError("仓库正忙：另一个 shouwen 命令正在写入，请稍后再试")
    try:
        g = gitdir(root)
        if os.path.exists(os.path.join(g, "MERGE_HEAD")) or os.path.exists(os.path.join(g, "rebase-merge")):
            raise BusyError("仓库正处于合并或变基中，请先解决冲突（git status 查看）")
        if gitio.current_branch(root) is None and gitio.head(root) is not None:
            # a commit on a detached HEAD (after `git checkout` of an old commit) is on no branch: the next
            # checkout leaves it behind, and the record it wrote seems lost
            raise BusyError("仓库的 HEAD 处于分离状态（detached HEAD，多半是检出了某个旧提交）：此时写入的提交不在任何分支上，"
                            "之后会丢失；未写入任何内容，请先 git switch 回本库的分支（如 git switch main）再写入")
        recover(root, g)
        yield
    finally:
        fl.release()


def _journal_path(root: str) -> str:
    return os.path.join(state_dir(root), JOURNAL)


def _fsync_write(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def tmp_path(root: str, rel: str) -> str:
    """Where a file is written before it is renamed into place: beside nothing the reader or `git add` sees."""
    d = os.path.join(state_dir(root), TMP_DIR)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, f"{rel.replace('/', '__')}.{os.getpid()}.tmp")


def write_atomic(root: str, rel: str, data: bytes) -> None:
    full = os.path.join(root, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    tmp = tmp_path(root, rel)
    try:
        _fsync_write(tmp, data)
        os.replace(tmp, full)
    except BaseException:
        _unlink(tmp)
        raise


def _copy(src: str, dst: str) -> None:
    """shutil.copyfile without importing shutil (which imports bz2 and lzma for its archives, at every write)."""
    with open(src, "rb") as a, open(dst, "wb") as b:
        while chunk := a.read(1 << 20):
            b.write(chunk)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _backup(root: str, rel: str) -> str | None:
    """A second name for a file's current bytes, kept until the write is done: a hard link, which needs
    no space (so it can be put back on a full disk), or a copy where links are not possible."""
    full = os.path.join(root, rel)
    if not os.path.lexists(full):
        return None
    b = tmp_path(root, rel)[:-len(".tmp")] + ".old"
    _unlink(b)
    try:
        os.link(full, b)
    except OSError:
        try:
            with open(full, "rb") as fh:
                _fsync_write(b, fh.read())
        except BaseException:
            _unlink(b)
            raise
    return b


def _restore(root: str, backups: dict) -> None:
    """Put the old files back: a rename, which needs no space. Git's index was never touched (the writer
    commits through a private copy of it), so nothing else is left to undo."""
    for rel, b in backups.items():
        full = os.path.join(root, rel)
        if b is None:
            _unlink(full)
        elif os.path.exists(b):
            os.replace(b, full)
            _unlink(b)      # rename() between two links of one file does nothing: the file was never replaced
        # else: put back already, by an attempt that stopped half-way


def _drop(backups: dict) -> None:
    for b in backups.values():
        if b:
            _unlink(b)


@contextmanager
def _signals_deferred():
    """While a write is open, SIGINT/SIGTERM/SIGHUP wait until it has committed or been undone; our git
    child is then never killed half-way by Python. A signal sent to the whole process group still reaches
    git, which removes its own lock files and fails, and the write is undone; SIGKILL is left to `recover`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    saved = {}
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            saved[sig] = signal.signal(sig, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        if pending:
            os.kill(os.getpid(), pending[0])     # now delivered with its usual meaning


@contextmanager
def journaled(root: str, files: list[str]):
    """Around writing `files` and committing them. Yields the environment for git to use a private copy
    of the index, which replaces Git's own only once the commit is made: a failed write never touches the
    index. On any failure or signal the old files are put back by rename (no space needed); a kill is
    repaired by the next writer through `recover`."""
    head = gitio.head(root)
    g = gitdir(root)
    jpath = _journal_path(root)
    private = tmp_path(root, "index")
    backups: dict = {}
    with _signals_deferred():
        try:
            for rel in files:
                backups[rel] = _backup(root, rel)
            entry = {"pid": os.getpid(), "started": time.time(), "head": head, "files": backups}
            _fsync_write(jpath + ".new", json.dumps(entry).encode())
            os.replace(jpath + ".new", jpath)
            if os.path.exists(os.path.join(g, "index")):
                _copy(os.path.join(g, "index"), private)
        except BaseException:
            for f in (jpath + ".new", jpath, private):    # nothing written yet (a full disk fails here first)
                _unlink(f)
            _drop(backups)
            raise
        try:
            yield {"GIT_INDEX_FILE": private}
            os.replace(private, os.path.join(g, "index"))
        except BaseException:
            _unlink(private)
            # our git child has exited (subprocess waits for it): any git lock left is its, and stale
            for name in _git_locks(root, g):
                _unlink(os.path.join(g, name))
            if gitio.head(root) == head:
                _restore(root, backups)     # renames only; if even that fails the journal stays for `recover`
            else:
                _drop(backups)
                gitio.git(root, "reset", "-q", "--", *backups, check=False)
            _unlink(jpath)
            raise
        _drop(backups)
        _unlink(jpath)


def recover(root: str, g: str) -> None:
    """Called under the lock: whatever a writer left is from one that died (we hold its lock now)."""
    jpath = _journal_path(root)
    entry = None
    if os.path.exists(jpath):
        try:
            with open(jpath, "rb") as fh:
                entry = json.loads(fh.read().decode())
        except (OSError, ValueError):
            entry = None
            _unlink(jpath)      # torn before it was complete: nothing had been written yet
    if entry is not None:
        # A dead writer's git may outlive it (a writer killed alone): let it finish before deciding whether
        # its commit landed, or it could land after its files were put back (HEAD ahead of the work tree)
        deadline = time.monotonic() + ORPHAN_WAIT
        while _orphans(entry.get("pid")) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _orphans(entry.get("pid")):
            raise BusyError(f"上次中断的写入（进程 {entry.get('pid')}）启动的 git 仍在运行，请稍后再试")
        # a git child of the dead writer may still be finishing its commit: give it a moment (counted from
        # when that writer started: a journal left long ago has no child running)
        started = entry.get("started") if isinstance(entry.get("started"), (int, float)) else time.time()
        deadline = time.monotonic() + min(CHILD_GRACE, max(0.0, started + CHILD_GRACE - time.time()))
        while _git_locks(root, g) and time.monotonic() < deadline:
            time.sleep(0.05)
        for name in _git_locks(root, g):
            _unlink(os.path.join(g, name))
            notice(f"注意：已清除中断的写入（进程 {entry.get('pid')}）留下的 .git/{name}")
        files = entry.get("files") or {}
        if gitio.head(root) == entry.get("head"):
            try:
                _restore(root, files)
            except OSError as e:
                raise BusyError(f"上次中断的写入还不能撤销（{e.strerror}）；请先腾出磁盘空间再试，不会丢失任何内容") from None
            notice(f"注意：上次写入（进程 {entry.get('pid')}）被中断，已恢复原样：{'、'.join(files) or '无文件'}")
        else:       # the commit landed; Git's index may still be the one from before it
            _drop(files)
            gitio.git(root, "reset", "-q", "--", *files, check=False)
        _unlink(jpath)
    for name in _git_locks(root, g):
        try:
            age = time.time() - os.path.getmtime(os.path.join(g, name))
        except OSError:
            continue                    # its git has just finished
        m = _NEXT_INDEX.fullmatch(name)
        if m and not pid_alive(int(m.group(1))):
            pass                        # named by its git's pid, and that git is gone: left over, whatever its age
        elif age < STALE_SECONDS:
            if name in HOUSEKEEPING or name.startswith(REFLOGS):
                continue                # Git tidying up after someone's commit: no reason to hold a write back
            raise BusyError(f"Git 正在使用本仓库（.git/{name} 存在），请稍后再试")
        _unlink(os.path.join(g, name))
        notice(f"注意：已清除 {int(age)} 秒前遗留的 .git/{name}（没有正在运行的写入）")
    _clear_temp(root)


_NEXT_INDEX = re.compile(r"next-index-(\d+)\.lock")    # `git commit -- paths`' temporary index, named by its pid
MAINTENANCE = "objects/maintenance.lock"                # `git maintenance run --auto`, started by every commit
HOUSEKEEPING = (MAINTENANCE, "packed-refs.lock")        # ... whose gc packs the refs before it detaches
REFLOGS = "logs/"                                       # ... and expires the reflogs (each locked as <log>.lock)


def _orphans(pid) -> list[int]:
    """Live processes still working on the private index of writer `pid` (its git, which the kernel does
    not stop when the writer dies): found by GIT_INDEX_FILE in their environment, where /proc shows it."""
    if not isinstance(pid, int) or not os.path.isdir("/proc"):
        return []
    suffix = f"{os.sep}index.{pid}.tmp".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdecimal():
            try:
                with open(f"/proc/{name}/environ", "rb") as fh:
                    env = fh.read().split(b"\0")
            except OSError:
                continue
            if any(v.startswith(b"GIT_INDEX_FILE=") and v.endswith(suffix) for v in env):
                found.append(int(name))
    return found


def _git_locks(root: str, g: str) -> list[str]:
    """Git's own lock files that a commit takes: the index, HEAD, the current branch, the partial commit's
    temporary index and the auto-maintenance it starts (its gc packs the refs and expires the reflogs). Left
    by a killed git, the first ones block every write; the housekeeping ones silently stop Git's gc (and ref
    deletion, `fetch --prune`) for good."""
    names = ["index.lock", "HEAD.lock", *HOUSEKEEPING]
    branch = gitio.current_branch(root)
    if branch:
        names.append(branch + ".lock")
    found = [n for n in names if os.path.exists(os.path.join(g, n))]
    for folder, _, files in os.walk(os.path.join(g, REFLOGS)):       # one log a ref: a handful of files
        found += sorted(os.path.relpath(os.path.join(folder, n), g).replace(os.sep, "/")
                        for n in files if n.endswith(".lock"))
    return found + sorted(n for n in os.listdir(g) if _NEXT_INDEX.fullmatch(n))


_TEMP = re.compile(r"\.(\d+)\.(?:tmp|old)(?:\.lock)?$")    # ours, and git's lock on our private index


def _clear_temp(root: str) -> None:
    d = os.path.join(root, ".shouwen", TMP_DIR)
    if not os.path.isdir(d):
        return
    for name in os.listdir(d):
        m = _TEMP.search(name)
        if m and not pid_alive(int(m.group(1))):
            _unlink(os.path.join(d, name))
            notice(f"注意：已删除中断的写入（进程 {m.group(1)}）留下的临时文件 {name}")
