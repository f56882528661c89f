"""What `git log --raw -z` and `git diff-tree --raw -z` write, read into commits and changes (pure: the
git processes themselves are run by gitio, the one way shouwen talks to Git)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LogCommit:
    sha: str
    author: str
    email: str
    when: datetime
    parents: list
    trailers: dict            # Shouwen-* trailers (last value of each key)
    actions: tuple            # every Shouwen-Action value
    changes: list = field(default_factory=list)    # (path, old blob, new blob); empty for a merge

    @property
    def new_records(self) -> int:
        """Record files the whole commit creates (an import's row count), whatever one audit looks at."""
        return sum(1 for p, old, new in self.changes if p.startswith("records/") and p.endswith(".md")
                   and old == "0" * 40 and new != "0" * 40)


LOG_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%cI%x1f%P%x1f%(trailers:only,unfold,separator=%x1d)"
ZERO = "0" * 40


def raw_entries(tokens, i):
    """(path, old, new) entries of `--raw -z` output from tokens[i]; returns them and the next index."""
    out = []
    while i < len(tokens) and tokens[i].lstrip("\n").startswith(":"):
        meta = tokens[i].lstrip("\n")[1:].split()
        out.append((tokens[i + 1], meta[2], meta[3]))
        i += 2
    return out, i


def commit_of(tok: str) -> LogCommit:
    """A commit from its `LOG_FORMAT` header (the token that starts with \\x1e)."""
    sha, an, ae, ci, parents, trailers = tok[1:].split("\x1f", 5)
    pairs = [(k.strip(), v.strip()) for k, _, v in (t.partition(":") for t in trailers.split("\x1d"))]
    return LogCommit(sha, an, ae, datetime.fromisoformat(ci), parents.split(),
                     {k: v for k, v in pairs if k.startswith("Shouwen-")}, tuple(v for k, v in pairs if k == "Shouwen-Action"))
