"""A full disk, on a small real filesystem (tmpfs): at every level of free space a write either commits or
is refused with exit 2 leaving HEAD, the index and the record as they were; once space is back, the next
person's write commits only its own event."""
import os
import random
import subprocess

import pytest

from robust.harness import SEED, report

SIZE = "24m"
LEVELS = list(range(0, 96 * 1024, 3 * 1024))       # free bytes left on the filesystem before a write


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "fs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"no small filesystem for the full-disk trial: mount tmpfs failed ({r.stderr.strip() or 'not root'})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(mnt, leave: int):
    filler = mnt / "filler"
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(filler, "ab") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave))
        except OSError:
            pass
    return filler


def run_levels(agency, mnt, levels) -> dict:
    from conftest import Agency
    rid = agency.new("2026-11-02T09:30")
    other = agency.new("2026-11-02T09:40")
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", agency.path, str(mnt / "agency")], check=True)
    desk = Agency(mnt / "agency")
    desk.ok("setup")
    rel = f"records/inquiries/2026/11/{rid}.md"
    stats = {"levels": 0, "committed": 0, "refused": 0, "busy": 0}
    for level in levels:
        head, index, record = desk.head(), desk.git("ls-files", "-s"), desk.file(rel)
        filler = _fill(mnt, level)
        r = desk.run("--as", "J005", "note", rid, "--text", f"满盘-{level}")
        assert "Traceback" not in r.output and "内部错误" not in r.output, r.output
        if r.exit_code == 0:
            stats["committed"] += 1
            assert desk.git("rev-list", "--count", f"{head}..HEAD").strip() == "1"
        else:
            assert r.exit_code in (2, 3), (level, r.exit_code, r.output)
            stats["refused" if r.exit_code == 2 else "busy"] += 1
            if r.exit_code == 2:
                assert desk.head() == head and desk.file(rel) == record, f"level {level}: a refused write changed things"
                assert desk.git("ls-files", "-s") == index
        filler.unlink()
        assert desk.status() == "", f"level {level}: left {desk.status()}"
        after = desk.run("--as", "J014", "note", other, "--text", f"腾出空间后-{level}")
        assert after.exit_code == 0, f"level {level}: after freeing space: {after.output}"
        shown = desk.git("show", "--format=", "HEAD")
        assert f"满盘-{level}" not in shown and shown.count("\n+  - ") == 1, shown
        tmp = os.path.join(desk.path, ".shouwen", "tmp")
        assert not os.path.isdir(tmp) or os.listdir(tmp) == [], (level, r.exit_code, r.output, os.listdir(tmp))
        stats["levels"] += 1
    assert stats["refused"] + stats["busy"] > 0, "no level filled the disk: the trial tested nothing"
    return stats


def test_full_disk_sample(agency, small_fs):
    levels = sorted(random.Random(SEED).sample(LEVELS, 8)) + [0]
    stats = run_levels(agency, small_fs, levels)
    report(f"full disk (sample, seed {SEED}): {stats}")
    assert stats["levels"] > 0


@pytest.mark.stress
def test_full_disk_every_level(agency, small_fs):
    stats = run_levels(agency, small_fs, LEVELS)
    report(f"full disk: {stats}")
    assert stats["levels"] > 0
