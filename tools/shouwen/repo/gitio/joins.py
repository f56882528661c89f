"""Where histories started apart meet (the audit's `history-orphan`): which one is the office's, and the merge
that joined another to it."""
from __future__ import annotations

from . import git, is_ancestor


def descendants(root: str, sha: str, rev: str = "HEAD") -> int:
    """How many commits of `rev` descend from `sha`."""
    return int(git(root, "rev-list", "--count", "--ancestry-path", f"{sha}..{rev}", "--").strip() or 0)


def joining_merge(root: str, sha: str, rev: str = "HEAD") -> str | None:
    """The first merge of `rev` that brings `sha`'s history together with another (a parent not descended from
    `sha`), None if there is none."""
    for line in git(root, "rev-list", "--reverse", "--topo-order", "--ancestry-path", "--merges", "--parents",
                    f"{sha}..{rev}", "--").splitlines():
        merge, *parents = line.split()
        if any(not is_ancestor(root, sha, p) for p in parents):
            return merge
    return None
