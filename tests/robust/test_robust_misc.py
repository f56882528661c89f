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
