"""The whole history oldest first with the blobs each commit changed, as the audit reads it (DESIGN §11).

`git log --reverse --topo-order` lists nothing before it has walked every commit, and then holds every
commit it walked, with its message, while it diffs them: at 616,057 commits, 309 MB of git's own. Here
`git rev-list` puts the commits in that order (it holds no message), and `git log --no-walk=unsorted
--stdin` writes them PIECE at a time, in the order given, each piece a process of its own: git's largest
process 178 MB, the same bytes as the one `git log` (so the same commits, parents before children).
"""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from itertools import islice

from . import LEAN, GitError, git_exe
from .log import LOG_FORMAT, LogCommit, RawLog

PIECE = 50_000      # commits a `git log` writes: its memory follows the piece, not the history


def log_changes(root: str, rev: str, on_commit=None) -> list[LogCommit]:
    """Every commit of `rev` oldest first (parents before children) with the blobs each one changed, read
    as git writes it; `on_commit`: each commit handed on as soon as it is read, so the caller can start on
    its blobs (`BlobStream`) while git still works, and none kept (then the list returned is empty)."""
    log = RawLog(on_commit)
    with _git(root, "rev-list", "--reverse", "--topo-order", rev, "--") as walk:
        while shas := list(islice(walk.stdout, PIECE)):
            with _git(root, "log", "--no-walk=unsorted", "--stdin", "-z", "--raw", "--no-abbrev", "--no-renames",
                      "--diff-merges=off", f"--format={LOG_FORMAT}", stdin=b"".join(shas)) as piece:
                while chunk := piece.stdout.read(1 << 20):
                    log.feed(chunk)
    log.feed(b"")
    return log.commits


@contextmanager
def _git(root: str, *args: str, stdin: bytes | None = None):
    """git's process, its output read by the caller; waited for, and a GitError when it failed (killed when the
    caller failed). Through small pack windows: at 616,057 commits git maps 1 GB of the pack otherwise."""
    proc = subprocess.Popen([git_exe(), "-C", root, *LEAN, *args], stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if stdin:
            try:
                proc.stdin.write(stdin)     # git log --stdin reads every one before it writes (setup_revisions)
                proc.stdin.close()
            except BrokenPipeError:
                pass                        # git stopped early: what it says is read below
        yield proc
    except BaseException:
        proc.kill()
        raise
    finally:
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise GitError(err.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
