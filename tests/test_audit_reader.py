"""The audit reads each record version of the history through shortcuts (a version that appends one line
is read as its old version plus that line's event; the blob cache chains such versions): every version
must read exactly as the one reader reads its bytes, cold and from the cache."""
import os
import subprocess

from shouwen.repo import gitio, store
from shouwen.repo.versions import VersionReader

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
    steps = [(p, o, n) for p, o, n in changes if ZERO not in (o, n)]
    pairs = sorted({(p, b) for p, o, n in changes for b in (o, n) if b != ZERO})
    blobs = gitio.cat_files(agency.path, [b for _, b in pairs])
    want = {(p, b): store.parse_checked(p, blobs[b]) for p, b in pairs}
    assert sum(r.noncanonical is not None for r in want.values()) >= 4       # the hand-made versions
    assert sum(bool(r.problems) for r in want.values()) == 2      # the version not UTF-8, and the next on top of it
    def streamed():         # as the audit reads them: while the log is read, then what is left
        reader = VersionReader(agency.path, store.history_cache(agency.path))
        for p, o, n in changes:
            reader.change(p, o, n)
        return reader.records(pairs, steps)
    cache = os.path.join(agency.path, ".shouwen", "cache", f"history-v{store.HISTORY_VERSION}.pickle")
    for run, read in (("cold", lambda: store.load_blobs(agency.path, pairs, steps)), ("cached", streamed),
                      ("streamed cold", streamed), ("streamed cached", streamed)):
        if run == "streamed cold":
            os.remove(cache)
        got = read()
        assert set(got) == set(want)
        for key in pairs:
            assert got[key] == want[key], (run, key)
