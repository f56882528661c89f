"""Which commits changed a path (the rules' history, DESIGN §9), read with as little of Git's memory as a
walk of the whole history allows."""
from __future__ import annotations

from . import LEAN, git


def path_commits(root: str, path: str, since: str | None = None, head: str = "HEAD") -> list[tuple[str, str]] | None:
    """(sha, committer date) of the commits that changed `path`, oldest first. With `since`: only those after
    it (`head` then a full commit id), read in one pass over the commits since (each with its parents and
    files), and only when they lead from `since` to `head` in a straight line of at most PIECE commits; else
    None (read it all: a merge, a branch that moved back or aside, or a long way on)."""
    if since is None:
        shas = _changed_in_pieces(root, path, head)
        return _dated(root, git(root, *LEAN, "rev-list", head, "--", path).split() if shas is None else shas)
    out = git(root, *LEAN, "log", "--reverse", "--no-renames", "--name-only", "-z", "--format=%x1e%H %cI %P",
              f"--max-count={PIECE}", f"{since}..{head}")     # more: `since` is not reached, all is read in pieces
    found, last = [], since
    for chunk in out.split("\x1e")[1:]:
        first, _, files = chunk.partition("\0")
        sha, when, *parents = first.split()
        if parents != [last]:
            return None
        last = sha
        if any(f == path or f.startswith(path + "/") for f in files.strip("\n\0").split("\0") if f):
            found.append((sha, when))
    return found if last == head else None       # `head` (a full id here) not reached: it went back or aside


# A walk of the whole history holds every commit it has read (about 200 bytes each) and, in a clone, maps
# the pack's index whole and as much of the pack as it is allowed: at 600,000 commits `git log -- rules` peaks
# at 1 GB. So it reads the pack through small windows (gitio.LEAN) and walks a long line of commits in pieces.
PIECE = 50_000


def _changed_in_pieces(root: str, path: str, head: str) -> list[str] | None:
    """The commits that changed `path`, newest first, as `git rev-list head -- path` gives them, walked
    PIECE commits at a time; None where the history holds a merge (then only one walk follows git's own
    choice of parent)."""
    top, found = head, []
    while True:
        out = git(root, *LEAN, "rev-list", "--first-parent", "--parents", f"--max-count={PIECE + 1}", top)
        chain = [row.split() for row in out.splitlines()]
        if any(len(row) > 2 for row in chain):
            return None
        bottom = chain[PIECE][0] if len(chain) > PIECE else None      # None: the piece reaches the first commit
        found += git(root, *LEAN, "rev-list", top, *(["^" + bottom] if bottom else []), "--", path).split()
        if bottom is None:
            return found
        top = bottom


def _dated(root: str, shas: list[str]) -> list[tuple[str, str]]:
    """(sha, committer date) of `shas` (newest first), oldest first."""
    if not shas:
        return []
    out = git(root, "log", "--no-walk=unsorted", "--stdin", "--format=%H %cI", input="\n".join(shas).encode())
    return [tuple(line.split()) for line in reversed(out.splitlines()) if line.strip()]
