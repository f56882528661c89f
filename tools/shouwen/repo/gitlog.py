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


@dataclass
class Status:
    """`git status --porcelain=v2 --branch -z`: HEAD's commit, and each path that differs from HEAD or Git's
    index: `changed` path -> (XY, HEAD's mode, the work tree's mode, HEAD's blob, the index's blob), a blob
    None where there is none; `untracked` and `unmerged` paths apart."""
    head: str | None
    changed: dict
    untracked: set
    unmerged: set

    @property
    def dirty(self) -> set:
        """The paths whose work-tree bytes may differ from Git's index (what `--porcelain=v1` names with a
        second letter), untracked ones included."""
        return {p for p, c in self.changed.items() if c[0][1] != "."} | self.untracked | self.unmerged


def _blob(sha: str) -> str | None:
    return None if sha == ZERO else sha


def parse_status(out: bytes) -> Status:
    st = Status(None, {}, set(), set())
    for entry in out.split(b"\0"):
        line = entry.decode("utf-8", "surrogateescape")
        if line.startswith("# branch.oid "):
            oid = line[len("# branch.oid "):]
            st.head = oid if len(oid) == 40 else None          # "(initial)": no commit yet
        elif line.startswith("1 "):
            _, xy, _, m_head, _, m_tree, h_head, h_index, path = line.split(" ", 8)
            st.changed[path] = (xy, m_head, m_tree, _blob(h_head), _blob(h_index))
        elif line.startswith("u "):
            st.unmerged.add(line.split(" ", 10)[10])
        elif line.startswith("? "):
            st.untracked.add(line[2:])
    return st


def parse_tree_changes(out: bytes) -> list[tuple]:
    """(path, old mode, new mode, old blob, new blob) of `git diff-tree -r -z` (no renames); a blob None where
    the side has no file."""
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    found = []
    for meta, path in zip(tokens[0::2], tokens[1::2]):
        m_old, m_new, b_old, b_new, _ = meta.lstrip(":").split(" ")
        found.append((path, m_old, m_new, _blob(b_old), _blob(b_new)))
    return found
