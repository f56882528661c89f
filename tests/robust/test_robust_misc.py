"""Smaller edges: a stale .git/index.lock, an emoji on a GBK console, an imported cell over 1 MB."""
import os
import subprocess
import sys
import time


def test_a_stale_index_lock_is_cleared_with_a_message_and_a_fresh_one_waits(agency):
    rid = agency.new("2026-11-02T09:30")
    lock = os.path.join(agency.path, ".git", "index.lock")
    open(lock, "w").close()
    r = agency.run("--as", "J005", "note", rid, "--text", "有人正在用 git")
    assert r.exit_code == 3 and "index.lock" in r.stderr
    old = time.time() - 600
    os.utime(lock, (old, old))
    r = agency.run("--as", "J005", "note", rid, "--text", "遗留的锁")
    assert r.exit_code == 0, r.output
    assert "已清除" in r.stderr and not os.path.exists(lock)
    assert agency.status() == ""


def test_an_emoji_on_a_gbk_console_is_no_crash(agency):
    rid = agency.new("2026-11-02T09:30", name="张三😀")
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    for args in (["show", rid], ["list"], ["receipt", rid]):
        r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", agency.path, *args], capture_output=True, env=env)
        assert r.returncode == 0, r.stderr.decode("gbk", "replace")
        assert b"Traceback" not in r.stderr


def test_an_imported_cell_over_a_megabyte_is_refused_by_row(agency, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("发问人姓名,发问事由,被问责任人,登记日期\n张三," + "问" * (1 << 20) + ",J005,2026-11-02\n", encoding="utf-8")
    head = agency.head()
    r = agency.run("--as", "J003", "import", str(path))
    assert r.exit_code == 2 and "第 2 行" in r.stderr
    assert agency.head() == head and agency.status() == ""


def test_a_record_touched_but_unchanged_is_not_a_modified_record(agency):
    """Touched (backup tools, `git checkout`, an editor saving without a change): its stat data differ from Git's
    index but its bytes don't. The writer doesn't refuse it as left modified, the index reads it as committed."""
    from shouwen.repo import gitio
    rid = agency.new("2026-11-02T09:30")
    other = agency.new("2026-11-02T09:40")
    rel = f"records/inquiries/2026/11/{rid}.md"
    full = os.path.join(agency.path, rel)
    future = time.time() + 3600
    os.utime(full, (future, future))                      # new mtime, same bytes
    data = open(full, "rb").read()
    with open(full + ".new", "wb") as fh:                  # and a new inode with the same bytes
        fh.write(data)
    os.replace(full + ".new", full)
    index_before = agency.git("ls-files", "--debug", "--", rel)
    assert gitio.status(agency.path, "records").dirty == set()
    assert gitio.status(agency.path, "records").dirty == set()     # asked again: the index was not refreshed by status
    assert agency.git("ls-files", "--debug", "--", rel) == index_before
    listed = agency.run("list", "--format", "json")
    assert listed.exit_code == 0 and rid in listed.stdout and other in listed.stdout
    head = agency.head()
    r = agency.run("--as", "J005", "note", rid, "--text", "碰过但没改")
    assert r.exit_code == 0, r.output
    shown = agency.git("show", "--format=", "HEAD")
    assert agency.git("rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert shown.count("\n+  - ") == 1 and "碰过但没改" in shown, shown
    assert agency.status() == ""
    # a real change, by contrast, is still refused
    with open(os.path.join(agency.path, f"records/inquiries/2026/11/{other}.md"), "a", encoding="utf-8") as fh:
        fh.write("手工加的一行\n")
    assert gitio.status(agency.path, "records").dirty == {f"records/inquiries/2026/11/{other}.md"}
    r = agency.run("--as", "J005", "note", other, "--text", "不该混入")
    assert r.exit_code == 2 and "未提交的改动" in r.stderr


def test_a_killed_writers_housekeeping_locks_are_cleared(agency):
    """A commit runs Git's auto-maintenance, whose gc packs refs in the foreground: a writer killed then leaves
    .git/packed-refs.lock (seen in make stress, seed 522219066, trial 258), which stops every later gc, ref
    deletion and `fetch --prune`; killed in its reflog expiry, .git/logs/HEAD.lock (make stress, seed 1387103776,
    trial 221). The next writer finds the dead writer's journal and clears them."""
    import json
    rid = agency.new("2026-11-02T09:30")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    journal = os.path.join(agency.path, ".shouwen", "journal.json")
    with open(journal, "w") as fh:
        json.dump({"pid": dead.pid, "started": time.time() - 60, "head": agency.head(), "files": {}}, fh)
    branch = agency.git("symbolic-ref", "HEAD").strip()
    names = ("packed-refs.lock", "objects/maintenance.lock", "logs/HEAD.lock", f"logs/{branch}.lock")
    locks = [os.path.join(agency.path, ".git", n) for n in names]
    for lock in locks:
        open(lock, "w").close()
    r = agency.run("--as", "J014", "note", rid, "--text", "接手")
    assert r.exit_code == 0, r.output
    assert [os.path.exists(lock) for lock in locks] == [False] * 4
    assert r.stderr.count("已清除中断的写入") == 4 and agency.status() == ""


def test_recovery_waits_for_a_dead_writers_git_that_is_still_running(agency):
    """Killed alone, a writer's `git commit` goes on without it (make stress, seed 937853585, trial 53).
    Recovery waits for that git (found by the writer's private index in its environment) and then keeps what
    it committed, instead of putting the files back while that commit may still land."""
    import json
    import shutil
    rid = agency.new("2026-11-02T09:30")
    other = agency.new("2026-11-02T09:40")
    rel = f"records/inquiries/2026/11/{rid}.md"
    full = os.path.join(agency.path, rel)
    head = agency.head()
    agency.ok("--as", "J005", "note", rid, "--text", "孤儿进程提交的备注")      # the dead writer's new bytes
    new = agency.file(rel)
    agency.git("reset", "-q", "--hard", head)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    tmp = os.path.join(agency.path, ".shouwen", "tmp")
    os.makedirs(tmp, exist_ok=True)
    backup = os.path.join(tmp, f"{rel.replace('/', '__')}.{dead.pid}.old")
    os.link(full, backup)
    with open(full + ".new", "w", encoding="utf-8") as fh:
        fh.write(new)
    os.replace(full + ".new", full)
    private = os.path.join(tmp, f"index.{dead.pid}.tmp")
    shutil.copyfile(os.path.join(agency.path, ".git", "index"), private)
    with open(os.path.join(agency.path, ".shouwen", "journal.json"), "w") as fh:
        json.dump({"pid": dead.pid, "started": time.time(), "head": head, "files": {rel: backup}}, fh)
    orphan = subprocess.Popen(["sh", "-c", f"sleep 1.5; exec git commit -q --no-verify -m 备注 -- {rel}"],
                              cwd=agency.path, env=dict(os.environ, GIT_INDEX_FILE=private))
    r = agency.run("--as", "J014", "note", other, "--text", "接手")
    assert orphan.wait(timeout=60) == 0
    assert r.exit_code == 0, r.output
    assert "已恢复原样" not in r.stderr                       # it waited, and found the commit landed
    assert "孤儿进程提交的备注" in agency.git("show", f"HEAD~1:{rel}")
    assert agency.status() == "" and os.listdir(tmp) == []
