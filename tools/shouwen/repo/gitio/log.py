"""What `git log --raw -z` and `git diff-tree --raw -z` write, read into commits and changes, and what a
`git fast-import` commit is written as (pure: the git processes themselves are run by gitio, the one way
shouwen talks to Git)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass(slots=True)         # a history holds hundreds of thousands
class LogCommit:
    sha: str
    author: str
    email: str
    when: datetime
    parents: list
    trailers: dict            # Shouwen-* trailers (last value of each key)
    actions: tuple            # every Shouwen-Action value
    changes: list = field(default_factory=list)    # (path, old blob, new blob); empty for a merge
    committer: str = ""       # who made the commit (`git commit --author` names someone else as the author)
    committer_email: str = ""
    links: list | None = None  # (path, mode) of what it writes as a symlink (120000) or a submodule (160000)
    authored: datetime | None = None    # the author date (`git commit --date`), which `git log` shows

    @property
    def new_records(self) -> int:
        """Record files the whole commit creates (an import's row count), whatever one audit looks at."""
        return sum(1 for p, old, new in self.changes if p.startswith("records/") and p.endswith(".md")
                   and old == "0" * 40 and new != "0" * 40)


LOG_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%aI%x1f%cI%x1f%P%x1f%(trailers:only,unfold,separator=%x1d)"
ZERO = "0" * 40


LINK_MODES = ("120000", "160000")        # a symlink, a submodule: never a record


def raw_entries(tokens, i, links=None):
    """(path, old, new) entries of `--raw -z` output from tokens[i]; returns them and the next index; `links`
    (a set) takes the paths written as a symlink or a submodule."""
    out = []
    while i < len(tokens) and tokens[i].lstrip("\n").startswith(":"):
        meta = tokens[i].lstrip("\n")[1:].split()
        out.append((tokens[i + 1], meta[2], meta[3]))
        if links is not None and meta[1] in LINK_MODES:
            links.add((tokens[i + 1], meta[1]))
        i += 2
    return out, i


class MergeChanges(dict):
    """merge sha -> one list of changes per parent; `links[sha]`: what the merge itself (against every parent)
    writes as a symlink or a submodule."""
    links: dict


def git_date(iso: str) -> datetime:
    """A date as git prints it (%aI, %cI). Git prints what the commit object holds: one written by hand may have
    an offset no clock has (+9959); it is read at its wall time in UTC, so the commit is judged, not a crash."""
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        try:
            return datetime.fromisoformat(iso[:19]).replace(tzinfo=timezone.utc)
        except ValueError:
            return datetime.fromtimestamp(0, timezone.utc)


def commit_of(tok: str, one=lambda s, _: s, sha_one=None) -> LogCommit:
    """A commit from its `LOG_FORMAT` header (the token that starts with \\x1e); `one(s, s)` gives the one str
    object kept for what many commits repeat (dict.setdefault of a table, as RawLog keeps); `sha_one` the
    same for commit ids (default `one`)."""
    sha_one = sha_one or one
    sha, an, ae, cn, ce, ai, ci, parents, trailers = tok[1:].split("\x1f", 8)
    pairs = [(one(k, k), one(v, v)) for k, v in ((k.strip(), v.strip()) for k, _, v in
                                                 (t.partition(":") for t in trailers.split("\x1d")))]
    return LogCommit(sha_one(sha, sha), one(an, an), one(ae, ae), git_date(ci), [sha_one(p, p) for p in parents.split()],
                     {k: v for k, v in pairs if k.startswith("Shouwen-")}, tuple(v for k, v in pairs if k == "Shouwen-Action"),
                     committer=one(cn, cn), committer_email=one(ce, ce),
                     authored=None if ai == ci else git_date(ai))


def person(name: str, email: str, when: datetime) -> bytes:
    """`Name <email> seconds +zzzz`, as Git writes an author or committer (`when` with its time zone)."""
    return b"%s <%s> %d %s" % (name.encode(), email.encode(), int(when.timestamp()), when.strftime("%z").encode())


_CRUD = set(".,:;<>\"\\'")      # what git strips from either end of a name or an address (and spaces)


def plain_person(name: str, email: str) -> bool:
    """Whether git would write this name and address as they are (it strips "crud" from their ends and drops
    <, > and line breaks inside): then `person` writes what `git commit` writes."""
    return bool(name) and all(not (v and (v[0] in _CRUD or v[-1] in _CRUD or v[0] <= " " or v[-1] <= " "))
                              and not any(c in v for c in "<>\n") for v in (name, email))


def stream_commit(ref: str, people: bytes, message: bytes, parent: str | None, changes: bytes) -> bytes:
    """One commit of a `git fast-import` stream: `people` its author and committer lines, `parent` the commit
    it continues (None: where the branch already is in this stream), `changes` its file commands."""
    start = b"from %s\n" % parent.encode() if parent else b""
    return b"commit %s\n%sdata %d\n%s\n%s%s" % (ref.encode(), people, len(message), message, start, changes)


def blob_id(data: bytes) -> str:
    """Git's blob id of some bytes, so worktree files and commits share one cache key."""
    import hashlib
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


class RawLog:
    """`git log -z --raw --format=LOG_FORMAT` read as it arrives (`feed` each chunk, b"" at the end) into
    `commits`; `on_commit(commit)`: each commit is handed on once its changes are read, and not kept (a stream)."""

    def __init__(self, on_commit=None):
        self.commits: list[LogCommit] = []
        self.on_commit, self.rest = on_commit, b""
        self.meta = None        # the `:mode mode old new status` token whose path comes next
        self.names: dict = {}   # one str object per path, person, trailer: a history names each many times
        # blob ids too while every commit is kept (a new version's id is the next one's old); not in a stream
        self.blob = self.names.setdefault if on_commit is None else lambda s, _: s

    def feed(self, chunk: bytes) -> None:
        buf = self.rest + chunk
        cut = buf.rfind(b"\0") + 1 if chunk else len(buf)      # decoded whole tokens at a time, once a chunk
        tokens, self.rest = buf[:cut].decode("utf-8", "replace").split("\0"), buf[cut:]
        for tok in tokens[:-1] if chunk else tokens:
            if self.meta is not None:
                change = (self.names.setdefault(tok, tok), self.blob(self.meta[2], self.meta[2]),
                          self.blob(self.meta[3], self.meta[3]))
                self.commits[-1].changes.append(change)
                if self.meta[1] in LINK_MODES:
                    c = self.commits[-1]
                    c.links = (c.links or []) + [(change[0], self.meta[1])]
                self.meta = None
                continue
            tok = tok.lstrip("\n")
            if tok.startswith("\x1e"):
                self._done()
                self.commits.append(commit_of(tok, self.names.setdefault, self.blob))
            elif tok.startswith(":") and self.commits:
                self.meta = tok[1:].split()
        if not chunk:
            self._done()

    def _done(self):
        """The last commit read is complete: hand it on."""
        if self.on_commit is not None and self.commits:
            self.on_commit(self.commits.pop())


def merge_entries(out: str) -> dict[str, list[list]]:
    """`git diff-tree -z --stdin -r --raw` of (merge, parent) pairs: merge sha -> one list of (path, parent
    blob, merge blob) per pair, in the order asked."""
    tokens = out.split("\0")
    result, links = MergeChanges(), {}
    i = 0
    while i < len(tokens):
        tok = tokens[i].strip("\n")
        i += 1
        if len(tok) == 40 and not tok.startswith(":"):
            mine: set = set()
            entries, i = raw_entries(tokens, i, mine)
            links[tok] = mine if tok not in result else links[tok] & mine
            result.setdefault(tok, []).append(entries)
    result.links = {sha: sorted(found) for sha, found in links.items() if found}
    return result


# what a write asks of git config (lower-case, as git names them), in one `git config --get-regexp`
WRITE_CONFIG = ("gpg.format", "user.signingkey", "commit.gpgsign", "core.hookspath", "i18n.commitencoding")
WRITE_CONFIG_PATTERN = "^(" + "|".join(k.replace(".", "\\.") for k in WRITE_CONFIG) + ")$"


def config_values(out: bytes) -> dict[str, str]:
    """`git config -z --get-regexp` output: the last value of each key (as `--get` answers), "true" for a key
    set without a value (as git reads it)."""
    values: dict = {}
    for item in out.decode("utf-8", "replace").split("\0"):
        if item:
            key, newline, value = item.partition("\n")
            values[key] = value if newline else "true"
    return values


def truthy(value: str | None) -> bool:
    """A git config boolean."""
    v = (value or "").strip().lower()
    return v in ("true", "yes", "on") or (v.isdecimal() and int(v) != 0)


def plain_commit(cfg: dict, paths: list[str]) -> bool:
    """Whether a commit of `paths` under this git config (gitio.WRITE_CONFIG) is one fast-import can make as
    `git commit` would: unsigned by git's own commit.gpgSign, in UTF-8, of paths it need not quote."""
    return (not truthy(cfg.get("commit.gpgsign"))
            and (cfg.get("i18n.commitencoding") or "utf-8").lower().replace("-", "") == "utf8"
            and not any("\n" in p or p.startswith('"') for p in paths))


def parse_staged(out: bytes) -> dict[str, tuple[str, str | None]]:
    """`git diff --cached --raw -z --no-abbrev` output: path -> (status letter, its blob id in Git's index, None
    where there is none: deleted, or unmerged)."""
    tokens = out.split(b"\0")
    changes = {}
    for meta, path in zip(tokens[0::2], tokens[1::2]):
        if path:
            fields = meta.split()
            changes[path.decode("utf-8", "surrogateescape")] = (fields[4][:1].decode(), _blob(fields[3].decode()))
    return changes


def listing_entries(out: bytes) -> dict[str, tuple[str, str]]:
    """`git ls-files -s -z` output: path -> (mode, blob id)."""
    entries = {}
    for entry in out.split(b"\0"):
        if entry:
            meta, path = entry.split(b"\t", 1)
            mode, sha, _ = meta.split()
            entries[path.decode("utf-8", "surrogateescape")] = (mode.decode(), sha.decode())
    return entries


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


def tree_entries(out: bytes, modes: tuple = ()) -> list[tuple[str, str]]:
    """(path, blob id) of the files `git ls-tree -r -z` lists; `modes`: only those of these modes (b"100644")."""
    found = []
    for entry in out.split(b"\0"):
        if entry:
            meta, path = entry.split(b"\t", 1)
            mode, typ, sha = meta.split()
            if typ == b"blob" and (not modes or mode in modes):
                found.append((path.decode("utf-8", "surrogateescape"), sha.decode()))
    return found
