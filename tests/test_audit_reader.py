"""The audit reads each record version of the history through a shortcut (a version that appends one line
is read as its old version plus that line's event) and keeps only each file's latest one: every version
a commit is judged on must read exactly as the one reader reads its bytes."""
import os
import subprocess

from shouwen.repo import gitio, store
import pytest

from shouwen.repo import versions
from shouwen.repo.versions import History

ZERO = "0" * 40

LINES = [
    "  - {at: 2026-11-02T10:00:00+08:00, by: J005, action: note, text: 已告知}\n",           # the writer's own
    "  - {by: J005, at: 2026-11-02T10:05:00+08:00, action: note, text: 顺序}\n",             # keys reordered
    "  -  {at: 2026-11-02T10:10:00+08:00, by: J005, action: note, text: 两个空格}\n",
    "  - {at: 2026-11-02T10:15:00-00:00, by: J005, action: note, text: 时区}\n",             # reads as +00:00
    "  - {at: 2026-11-02T10:20:00+08:00, by: J005, action: note, text: '引号'}\n",           # needless quotes
    "  - {at: 2026-11-02T10:25:00+08:00, by: J005, action: note, text: 已办结}\n",
]


def _append(agency, rel, line: bytes):
    full = os.path.join(agency.path, rel)
    with open(full, "rb") as fh:
        data = fh.read()
    with open(full, "wb") as fh:
        fh.write(data.replace(b"\n---\n", b"\n" + line + b"---\n", 1))
    subprocess.run(["git", "-C", agency.path, "commit", "-qa", "--no-verify", "-m", "hand"], check=True)


def test_every_version_reads_as_the_one_reader_reads_its_bytes(agency):
    ids, rels = [], []
    for i, line in enumerate(LINES + [LINES[0].replace("已告知", "坏")]):
        ids.append(agency.new(f"2026-11-02T09:{30 + i}", name=f"来访人{i}"))
        rels.append(f"records/inquiries/2026/11/{ids[-1]}.md")
        _append(agency, rels[-1], line.encode().replace("坏".encode(), b"\xff"))
        _append(agency, rels[-1], LINES[-1].encode())      # the writer's line on whatever came before
    agency.ok("--as", "J005", "note", ids[0], "--text", "再记", "--at", "2026-11-02T12:00")
    agency.ok("--as", "J005", "forward", ids[0], "--to", "family", "--at", "2026-11-02T12:10")

    commits = gitio.log_changes(agency.path, "HEAD")
    changes = [(p, o, n) for c in commits for p, o, n in c.changes if p in rels]
    pairs = sorted({(p, b) for p, o, n in changes for b in (o, n) if b != ZERO})
    blobs = gitio.cat_files(agency.path, [b for _, b in pairs])
    want = {(p, b): store.parse_checked(p, blobs[b]) for p, b in pairs}
    assert sum(r.noncanonical is not None for r in want.values()) >= 4       # the hand-made versions
    assert sum(bool(r.problems) for r in want.values()) == 2      # the version not UTF-8, and the next on top of it
    judged = []             # as the audit reads them: each commit with its versions, while the log is read
    history = History(agency.path, lambda c, chs, read: judged.append((c, chs, read)))
    for c in commits:
        chs = [[x for x in c.changes if x[0] in rels]]
        if chs[0]:
            history.send(c, chs)
    history.close()
    got = {}
    for c, chs, read in judged:
        assert set(read) == {(p, b) for p, o, n in chs[0] for b in (o, n) if b != ZERO}, c.sha
        got.update(read)
    assert set(got) == set(want)
    for key in pairs:
        assert got[key] == want[key], key
    assert len(history.latest) == len(rels)         # what it keeps: one version a file


def _judged(root, wanted):
    """Every commit as the audit judges it: with its sides for a merge, and the versions it was read with."""
    commits = gitio.log_changes(root, "HEAD")
    merges = gitio.merge_changes(root, gitio.merges(root, "HEAD"))
    judged = []
    history = History(root, lambda c, chs, read: judged.append((c, chs, read)))
    for c in commits:
        chs = merges[c.sha] if len(c.parents) > 1 else [c.changes]
        chs = [[x for x in ch if wanted(x[0])] for ch in chs]
        if any(chs):
            history.send(c, chs)
    history.close()
    return judged


@pytest.mark.parametrize("parsed", [versions.PARSED, 1])
def test_versions_of_branches_and_merges_read_as_the_one_reader_reads_them(agency, monkeypatch, parsed):
    """Two branches append to the same records (so a commit's old version is often not the one read last) and
    are merged; a third record is deleted on one side: every version each commit is judged on, merges too;
    also when only the file changed last is kept parsed (the others parsed again from their bytes)."""
    monkeypatch.setattr(versions, "PARSED", parsed)
    a = agency.new("2026-11-02T09:30")
    b = agency.new("2026-11-02T09:40")
    c = agency.new("2026-11-02T09:50")
    agency.git("checkout", "-qb", "side")
    agency.ok("--as", "J005", "note", a, "--text", "旁支一", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J005", "note", b, "--text", "旁支二", "--at", "2026-11-02T10:01")
    agency.git("rm", "-q", f"records/inquiries/2026/11/{c}.md")
    agency.git("commit", "-qm", "drop")
    agency.git("checkout", "-q", "main")
    agency.ok("--as", "J005", "note", a, "--text", "主干一", "--at", "2026-11-02T10:05")
    agency.ok("--as", "J005", "note", b, "--text", "主干二", "--at", "2026-11-02T10:06")
    agency.git("merge", "-q", "--no-edit", "side")
    agency.ok("--as", "J005", "note", a, "--text", "合并后", "--at", "2026-11-02T10:10")
    judged = _judged(agency.path, lambda p: p.startswith("records/") and p.endswith(".md"))
    assert any(len(c.parents) > 1 for c, _, _ in judged)
    seen = 0
    for c, chs, read in judged:
        assert set(read) == {(p, x) for ch in chs for p, o, n in ch for x in (o, n) if x != ZERO}, c.sha
        blobs = gitio.cat_files(agency.path, [b for _, b in read])
        for (p, blob), rec in read.items():
            assert rec == store.parse_checked(p, blobs[blob]), (c.sha, p)
            seen += 1
    assert seen >= 12


def test_each_commits_date_is_found_for_its_children_however_long_ago_it_was_read(monkeypatch):
    """The audit keeps the last commits' dates at hand and the rest compactly: a merge's parent read long
    before (a branch kept apart for months) is dated as the one read last."""
    from shouwen.repo import audit
    monkeypatch.setattr(audit._Times, "RECENT", 4)
    times, dates = audit._Times(), {}
    for i in range(50):
        key = (i * 7919) % 1000003 << 40      # 60-bit keys, as audit._key makes them
        times.add(key, 1_790_000_000 + 60 * i)
        dates[key] = 1_790_000_000 + 60 * i
    for key in [*dates, 12345]:
        assert times.get(key) == dates.get(key)


def test_the_history_read_a_piece_at_a_time_is_the_one_git_log_writes(agency, monkeypatch):
    """gitio.log_changes puts the commits in order with `git rev-list` and has `git log` write them a piece at a
    time: the same commits, parents before children, with the same changes as one `git log --reverse
    --topo-order` gives, across branches and a merge, whole and from a commit on."""
    from shouwen.repo.gitio import log, walk
    a = agency.new("2026-11-02T09:30")
    agency.git("checkout", "-qb", "side")
    agency.ok("--as", "J005", "note", a, "--text", "旁支", "--at", "2026-11-02T10:00")
    agency.new("2026-11-02T10:02")
    agency.git("checkout", "-q", "main")
    agency.ok("--as", "J005", "note", a, "--text", "主干", "--at", "2026-11-02T10:05")
    agency.git("merge", "-q", "--no-edit", "side")
    agency.new("2026-11-02T10:20")
    first = subprocess.run(["git", "-C", agency.path, "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.split()[0]
    for rev in ("HEAD", f"{first}..HEAD"):
        whole = log.RawLog(None)
        out = subprocess.run(["git", "-C", agency.path, "log", "-z", "--reverse", "--topo-order", "--raw", "--no-abbrev",
                              "--no-renames", "--diff-merges=off", f"--format={log.LOG_FORMAT}", rev, "--"],
                             capture_output=True, check=True).stdout
        whole.feed(out)
        whole.feed(b"")
        monkeypatch.setattr(walk, "PIECE", 2)
        pieces = gitio.log_changes(agency.path, rev)
        assert len(pieces) >= 5 and any(len(c.parents) > 1 for c in pieces)
        assert [(c.sha, c.parents, c.changes, c.when, c.trailers) for c in pieces] == \
            [(c.sha, c.parents, c.changes, c.when, c.trailers) for c in whole.commits]
    with pytest.raises(gitio.GitError):
        gitio.log_changes(agency.path, "no-such-branch")
