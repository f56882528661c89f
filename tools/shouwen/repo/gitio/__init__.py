"""The git command line, the one way shouwen talks to Git (DESIGN §9: fast, and it can sign)."""
from __future__ import annotations

import os
import subprocess

from .log import (LOG_FORMAT, ZERO, LogCommit, RawLog, merge_entries, blob_id, config_values,  # noqa: F401 (ZERO,
                     listing_entries, plain_commit, stream_commit, WRITE_CONFIG_PATTERN,  # LogCommit, blob_id: for callers)
                     parse_staged, parse_status, parse_tree_changes, tree_entries, git_date)


# Git's objects as they are, for every git shouwen runs: a replace ref (`git replace`, which a mirror clone
# fetches) or an info/grafts file would show the audit, the reader and the writer another history than the one
# the commits hold. (A graft file path under os.devnull can't exist, and git says nothing of a missing one.)
os.environ["GIT_NO_REPLACE_OBJECTS"] = "1"
os.environ["GIT_GRAFT_FILE"] = os.path.join(os.devnull, "no-grafts")


class GitError(Exception):
    pass


_GIT: dict = {}


def git_exe() -> str:
    """The git program, looked up on PATH once per PATH (exec of a bare "git" walks PATH at every spawn)."""
    path = os.environ.get("PATH", os.defpath)
    if path not in _GIT:
        _GIT[path] = next((f for f in (os.path.join(d, "git") for d in path.split(os.pathsep) if d)
                           if os.path.isfile(f) and os.access(f, os.X_OK)), "git")
    return _GIT[path]


def git(root: str, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> str:
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    r = subprocess.run([git_exe(), "-C", root, *args], input=input, capture_output=True, env=full_env)
    if check and r.returncode != 0:
        raise GitError(r.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return r.stdout.decode("utf-8", "replace")


def git_bytes(root: str, *args: str, input: bytes | None = None, later: bool = False):
    """git's output (GitError when it fails); `later`: git is started now, and a function that gives its
    output returned (the caller works meanwhile)."""
    p = subprocess.Popen([git_exe(), "-C", root, *args], stdin=None if input is None else subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def output() -> bytes:
        out, err = p.communicate(input)
        if p.returncode != 0:
            raise GitError(err.decode("utf-8", "replace").strip())
        return out
    return output if later else output()


# --- what the write path asks of every commit, read from the repository's files where they are plain ------
# Each answer below would otherwise be a git process (5-10 ms each, and more on a loaded machine); where the
# layout is anything but the plain one (GIT_DIR set, a reftable, an unborn branch) git itself is asked.

_GITDIRS: dict = {}


def _plain() -> bool:
    return not any(k in os.environ for k in ("GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE"))


def git_dir(root: str) -> str | None:
    """The repository's git directory (absolute), or None outside a repository."""
    if root in _GITDIRS and _plain() and os.path.isfile(os.path.join(_GITDIRS[root], "HEAD")):
        return _GITDIRS[root]
    found = None
    dot = os.path.join(root, ".git")
    if _plain():
        if os.path.isdir(dot) and os.path.isfile(os.path.join(dot, "HEAD")):
            found = os.path.abspath(dot)
        elif os.path.isfile(dot):
            with open(dot, encoding="utf-8", errors="replace") as fh:
                text = fh.read().strip()
            if text.startswith("gitdir:"):
                g = os.path.join(root, text[len("gitdir:"):].strip())
                found = os.path.abspath(g) if os.path.isfile(os.path.join(g, "HEAD")) else None
    if found is None:
        r = subprocess.run([git_exe(), "-C", root, "rev-parse", "--absolute-git-dir"], capture_output=True)
        found = r.stdout.decode("utf-8", "surrogateescape").strip() if r.returncode == 0 else None
    if found is not None and _plain():
        _GITDIRS[root] = found          # never a "no": `init` may make the folder a repository later
    return found


def is_repo(root: str) -> bool:
    return git_dir(root) is not None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _common_dir(g: str) -> str:
    common = _read(os.path.join(g, "commondir"))      # a linked work tree keeps its branches in the main one
    return os.path.normpath(os.path.join(g, common.strip())) if common else g


def current_branch(root: str) -> str | None:
    """The full name of the checked-out branch (refs/heads/…), or None when HEAD is detached."""
    g = git_dir(root)
    text = _read(os.path.join(g, "HEAD")) if g and _plain() else None
    if text is not None:
        text = text.strip()
        return text[len("ref: "):].strip() if text.startswith("ref: ") else None
    return git(root, "symbolic-ref", "-q", "HEAD", check=False).strip() or None


def _head_from_files(g: str) -> str | None:
    text = (_read(os.path.join(g, "HEAD")) or "").strip()
    if len(text) == 40 and all(c in "0123456789abcdef" for c in text):
        return text
    if not text.startswith("ref: "):
        return None
    ref, common = text[5:].strip(), _common_dir(g)
    if os.path.exists(os.path.join(common, "reftable")):
        return None
    loose = (_read(os.path.join(common, ref)) or "").strip()
    if len(loose) == 40:
        return loose
    for line in (_read(os.path.join(common, "packed-refs")) or "").splitlines():
        if line.endswith(" " + ref) and len(line) == 41 + len(ref):
            return line[:40]
    return None         # an unborn branch, or a layout we don't read: git answers


def index_stamp(root: str) -> tuple | None:
    """Git's index file by its stat data (inode, size, change and modification times in ns): the same
    stamp, the same file, so the same staged blobs without listing them. None when it can't be read."""
    gd = git_dir(root)
    if gd is None:
        return None
    try:
        st = os.stat(os.environ.get("GIT_INDEX_FILE") or os.path.join(gd, "index"))
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)



def head(root: str) -> str | None:
    g = git_dir(root) if _plain() else None
    sha = _head_from_files(g) if g else None
    if sha is not None:
        return sha
    r = subprocess.run([git_exe(), "-C", root, "rev-parse", "--verify", "-q", "HEAD"], capture_output=True)
    return r.stdout.decode().strip() or None


def config(root: str, key: str) -> str | None:
    r = subprocess.run([git_exe(), "-C", root, "config", "--get", key], capture_output=True)
    return r.stdout.decode().strip() or None


def write_config(root: str) -> dict[str, str | None]:
    """WRITE_CONFIG's values in one `git config --get-regexp` (the last one of a key wins, as `--get`
    answers); a key set without a value is "true", as git reads it."""
    return config_values(subprocess.run([git_exe(), "-C", root, "config", "-z", "--get-regexp", WRITE_CONFIG_PATTERN],
                                        capture_output=True).stdout)


def commit_only(root: str, paths: list[str], people: bytes, message: bytes, index_env: dict, cfg: dict) -> bool:
    """Commit `paths` as they are in the work tree on top of the branch's HEAD, and nothing else Git's index
    holds (as `git commit --only -- paths`), then bring the index (`index_env`: a private copy) up to them.
    False, with nothing done, where only `git commit` does what is asked: a hook it runs (prepare-commit-msg,
    post-commit), commit.gpgSign, a commit encoding other than UTF-8, a detached or unborn HEAD.
    Why: `git commit -- paths` refreshes every indexed file's stat data and writes the index twice (most of a
    write at 100,000 records). Here: the blobs as `git add` stores them (`hash-object` applies the filters),
    one `fast-import` commit from HEAD (it moves the branch only forward), one `update-index` of the paths,
    and the auto-maintenance `git commit` runs."""
    g, ref, parent, hooks = git_dir(root), current_branch(root), head(root), cfg.get("core.hookspath")
    hooks = os.path.join(root, os.path.expanduser(hooks)) if hooks else os.path.join(_common_dir(g or root), "hooks")
    if not (ref and parent and g and plain_commit(cfg, paths)) or any(
            os.path.exists(os.path.join(hooks, h)) for h in ("prepare-commit-msg", "post-commit")):
        return False
    # every git of the write carries the private index, though only update-index reads it: should the writer
    # die, the next one finds its git by it (repo.journal.recover) and waits for it before judging the commit
    blobs = git(root, "hash-object", "-w", "--", *paths, env=index_env).split()
    changes = b"".join(b"M 100644 %s %s\n" % (b.encode(), p.encode()) for p, b in zip(paths, blobs))
    git(root, "fast-import", "--quiet", "--done", input=stream_commit(ref, people, message, parent, changes) + b"done\n",
        env=index_env)
    git(root, "update-index", "--add", "--", *paths, env=index_env)
    maintain(root)
    return True


def maintain(root: str) -> None:
    """The auto-maintenance `git commit` runs, in a session of its own and waited for, never stopped: a Ctrl-C
    to the writer (its whole process group, as a terminal sends it) neither reaches it nor has it killed
    half-way (subprocess.run kills its child when interrupted), which would leave objects/maintenance.lock
    and no maintenance ever after. Interrupted, the writer stops waiting; git finishes by itself."""
    p = subprocess.Popen([git_exe(), "-C", root, "maintenance", "run", "--auto", "--quiet"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    p.wait()


def cat_files(root: str, shas: list[str]) -> dict[str, bytes]:
    """Blob contents for many ids in one `git cat-file --batch` process."""
    out: dict[str, bytes] = {}
    if shas:
        stream = BlobStream(root, lambda _, answers: out.update((s, a) for s, a in zip(shas, answers) if a is not None))
        stream.send(None, list(shas))
        stream.close()
    return out


def index_blobs(root: str, *prefixes: str) -> dict[str, tuple[str, str]]:
    """path -> (mode, blob id) of every file under the `prefixes` in Git's index (`git ls-files -s`)."""
    return listing_entries(git_bytes(root, "ls-files", "-s", "-z", "--", *prefixes))


def staged_changes(root: str, later: bool = False):
    """path -> (how Git's index changes it against HEAD: A, M, D, T; U: unmerged, its blob id in the index or
    None: deleted, unmerged): what the next commit holds (gitio.log.parse_staged). `later`: as git_bytes."""
    out = git_bytes(root, "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", later=True)
    return (lambda: parse_staged(out())) if later else parse_staged(out())


def status(root: str, prefix: str, later: bool = False):
    """What Git's stat data says differs under `prefix` from HEAD and from Git's index, untracked files included
    (gitio.log.Status), without reading every file; HEAD's commit with it. `later`: as git_bytes."""
    out = git_bytes(root, "--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all",
                    "--no-renames", "--ignore-submodules", "--", prefix, later=True)
    return (lambda: parse_status(out())) if later else parse_status(out())


def tree_changes(root: str, old: str, new: str, prefix: str) -> list[tuple] | None:
    """The files under `prefix` that differ between two commits (gitio.log.parse_tree_changes), or None."""
    r = subprocess.run([git_exe(), "-C", root, "diff-tree", "-r", "-z", "--no-renames", old, new, "--", prefix],
                       capture_output=True)
    return None if r.returncode else parse_tree_changes(r.stdout)


def is_ancestor(root: str, sha: str, rev: str = "HEAD") -> bool:
    """Whether commit `sha` exists and is in `rev`'s history."""
    r = subprocess.run([git_exe(), "-C", root, "merge-base", "--is-ancestor", sha, rev], capture_output=True)
    return r.returncode == 0


# Git reading much of a clone's pack maps it through windows of up to 1 GB, each page touched counted in its
# memory: at 100,000 records and 616,057 commits `ls-tree -r records` peaks at 150 MB so, 59 MB through 1 MB
# windows; `cat-file --batch` of 400,000 blobs 295 MB, 125 MB (and faster, both).
LEAN = ("-c", "core.packedGitWindowSize=1m", "-c", "core.packedGitLimit=16m", "-c", "core.deltaBaseCacheLimit=4m")


def tree_blobs(root: str, rev: str, *prefixes: str) -> list[tuple[str, str]]:
    """(path, blob id) of every file under the `prefixes` in a commit or tree."""
    return tree_entries(git_bytes(root, *LEAN, "ls-tree", "-r", "-z", rev, "--", *prefixes))


def tree_files(root: str, rev: str, path: str) -> list[tuple[str, bytes]]:
    """(path within `path`, bytes) of each regular file under the tree `path` as it was at `rev` (a symlinked
    folder, as this project's own rules/ is, followed). Listed and read by blob id: `git archive` would build
    an index of the whole commit's tree first (227 MB and 0.2 s at 100,000 records, for a dozen files)."""
    entry = git(root, "ls-tree", rev, "--", path).split()
    if not entry:
        raise GitError(f"{path} is not in {rev}")      # as `git archive` refused it
    if entry[0] == "120000":          # a symlink: its blob is the target path
        target = git(root, "cat-file", "blob", entry[2]).strip()
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    # regular files only: no symlink inside (a submodule is no blob)
    files = tree_entries(git_bytes(root, "ls-tree", "-r", "-z", rev, "--", path), (b"100644", b"100755"))
    data = cat_files(root, [sha for _, sha in files])
    if len(data) < len({sha for _, sha in files}):
        raise GitError(f"{path} in {rev}: a file's blob is missing")
    return [(name[len(path) + 1:], data[sha]) for name, sha in files]


# --- history as blob ids, for the audit ----------------------------------------------------------

class BlobStream:
    """One `git cat-file --batch --buffer`, asked on the caller's thread and answered on a thread of its own, so git,
    the caller and what is done with the answers work at once: `send(job, shas)` asks for the blobs, and
    `handle(job, [bytes or None for a missing blob, …])` runs on the answering thread, job by job in the order
    sent. `close()` waits for the last answer and raises what `handle` raised (the answers are still read,
    so git never waits on a full pipe)."""

    def __init__(self, root: str, handle):
        import queue
        import threading
        self.handle, self.error = handle, None
        self.proc = subprocess.Popen([git_exe(), "-C", root, *LEAN, "cat-file", "--batch", "--buffer"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._answer_all, daemon=True)
        self.thread.start()

    def send(self, job, shas: list):
        self.queue.put((job, len(shas)))
        self.proc.stdin.write("".join(f"{sha}\n" for sha in shas).encode())

    @staticmethod
    def _answer(out) -> bytes | None:
        header = out.readline().split()
        return None if len(header) < 3 or header[-1] == b"missing" else out.read(int(header[2]) + 1)[:-1]

    def _answer_all(self):
        out = self.proc.stdout
        for job, n in iter(self.queue.get, None):
            answers = [self._answer(out) for _ in range(n)]
            if self.error is None:
                try:
                    self.handle(job, answers)
                except BaseException as e:      # raised again by close(), on the caller's thread
                    self.error = e

    def close(self):
        self.queue.put(None)
        self.proc.stdin.close()
        self.thread.join()          # every answer read before git is waited for
        self.proc.wait()
        if self.error is not None:
            raise self.error


class BlobReader:
    """Blobs one at a time from one `git cat-file --batch`, as they are asked for (the index's reader)."""

    def __init__(self, root: str):
        self.root, self.proc = root, None

    def read(self, sha: str) -> bytes:
        if self.proc is None:
            self.proc = subprocess.Popen([git_exe(), "-C", self.root, *LEAN, "cat-file", "--batch"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        data = BlobStream._answer(self.proc.stdout)
        if data is None:
            raise GitError(f"blob {sha} missing")
        return data

    def close(self):
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait()
            self.proc = None


def merge_changes(root: str, merges: list) -> dict[str, list[list]]:
    """merge sha -> one list of (path, parent blob, merge blob) per parent, in parent order; `merges`: (sha,
    parents) pairs."""
    lines = [f"{sha} {p}" for sha, parents in merges for p in parents]
    if not lines:
        return {}
    return merge_entries(git(root, "diff-tree", "-z", "--stdin", "-r", "--raw", "--no-abbrev", "--no-renames",
                             "--always", input=("\n".join(lines) + "\n").encode()))


def merges(root: str, rev: str) -> list[tuple[str, list]]:
    """(sha, parents) of every merge commit of `rev`."""
    return [(line[0], line[1:]) for line in map(str.split, git(root, *LEAN, "rev-list", "--merges", "--parents", rev,
                                                               "--").splitlines()) if line]


def commit_count(root: str, rev: str):
    """A function that gives how many commits `rev` has; git counts them meanwhile."""
    out = git_bytes(root, *LEAN, "rev-list", "--count", rev, "--", later=True)     # 407 -> 236 MB at 616,057
    return lambda: int(out() or 0)


from .lookalikes import is_shallow, replacements  # noqa: E402,F401 (they use git() above)
from .joins import descendants, joining_merge  # noqa: E402,F401 (likewise)
from .paths import path_commits  # noqa: E402,F401 (likewise)
from .walk import log_changes  # noqa: E402,F401 (likewise)
