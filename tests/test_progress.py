"""Long work says how far it has got on stderr when that is a terminal, and nothing when it is not."""
import os
import pty
import re
import subprocess
import sys


def _demo(target, stderr):
    return subprocess.run([sys.executable, "-m", "shouwen", "demo", "--size", "4", "--since", "2026-11-02",
                           "--until", "2026-11-06", str(target)], stdout=subprocess.PIPE, stderr=stderr, timeout=300)


def test_a_progress_bar_on_a_terminal_only(tmp_path):
    piped = _demo(tmp_path / "a", subprocess.PIPE)
    assert piped.returncode == 0 and piped.stderr == b""              # cron, CI, a pipe: silent
    master, slave = pty.openpty()
    shown = _demo(tmp_path / "b", slave)
    os.close(slave)
    out = _drain(master)
    assert shown.returncode == 0
    text = out.decode("utf-8", "replace")
    assert "生成示例机构" in text and re.search(r"(\d+)/\1\b", text)        # the bar reaches its end


def _drain(master: int) -> bytes:
    """Everything the terminal showed, until the other side closes (EIO on Linux), then the pty closed."""
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return out


def _on_a_terminal(args, cwd=None, env=None):
    """Run `shouwen ARGS` with stderr on a pseudo-terminal: (exit code, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "shouwen", *map(str, args)], stdout=subprocess.PIPE, stderr=slave,
                            cwd=cwd, env=env)
    os.close(slave)
    out = _drain(master)
    proc.stdout.read()
    return proc.wait(timeout=300), out.decode("utf-8", "replace")


def _piped(args, cwd=None, env=None):
    r = subprocess.run([sys.executable, "-m", "shouwen", *map(str, args)], capture_output=True, cwd=cwd, env=env,
                       timeout=300)
    return r.returncode, r.stderr.decode("utf-8", "replace")


def test_long_commands_show_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    """import, export, audit over many commits, sync, and site build while it derives lookup keys."""
    demo = tmp_path / "demo"           # one agency with over 200 commits (the audit's bar starts there)
    subprocess.run([sys.executable, "-m", "shouwen", "demo", "--size", "36", "--since", "2026-09-01", "--until",
                    "2026-10-30", str(demo)], check=True, capture_output=True, timeout=300)
    env = dict(os.environ, SHOUWEN_LATE_REASON="测试用例补录")
    sheet = tmp_path / "登记簿.csv"
    for args, label in ((["--repo", demo, "export", "-o", sheet], "导出登记簿"), (["--repo", demo, "audit"], "审查提交")):
        code, shown = _on_a_terminal(args, env=env)
        assert code == 0 and label in shown and re.search(r"(\d+)/\1\b", shown), (args, shown)
        code, shown = _piped(args, env=env)
        assert code == 0 and label not in shown, (args, shown)        # cron, CI, a pipe: no bar

    # site build derives the keys of records written before the writer kept them in the record
    for f in (demo / "records").rglob("*.md"):
        f.write_text("".join(l for l in f.read_text(encoding="utf-8").splitlines(True) if not l.startswith("lookup:")),
                     encoding="utf-8")
    # committed (the site shows what the history holds), and taken back below
    subprocess.run(["git", "-C", str(demo), "commit", "-qam", "旧记录", "--no-verify"], check=True, capture_output=True)
    args = ["--repo", demo, "site", "build", "-o", tmp_path / "site"]
    code, shown = _piped(args, env=env)
    assert code == 0 and "派生查询密钥" not in shown, shown
    # the piped build kept them, and the shards sealed with them (for an unchanged ledger): forget both
    for kept in ("lookup-keys.json", "site-records.pickle"):
        (demo / ".shouwen" / "cache" / kept).unlink()
    code, shown = _on_a_terminal(args, env=env)
    assert code == 0 and "派生查询密钥" in shown and re.search(r"(\d+)/\1\b", shown), shown
    subprocess.run(["git", "-C", str(demo), "reset", "-q", "--hard", "HEAD~1"], check=True)

    # import: a fresh agency takes the exported sheet, row by row
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "shouwen", "init", fresh], check=True, capture_output=True)
    code, shown = _on_a_terminal(["--repo", fresh, "import", sheet, "--as", "J003", "--dry-run"], env=env)
    assert code == 0 and "检查登记簿" in shown, shown
    code, shown = _piped(["--repo", fresh, "import", sheet, "--as", "J003", "--dry-run"], env=env)
    assert code == 0 and "检查登记簿" not in shown

    # sync: fetch, merge, push, each step said
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo), str(remote)], check=True)
    subprocess.run(["git", "-C", str(demo), "remote", "add", "origin", str(remote)], check=True)
    code, shown = _on_a_terminal(["--repo", demo, "sync", "--as", "J005"], env=env)
    assert code == 0 and "同步" in shown and "3/3" in shown, shown
    code, shown = _piped(["--repo", demo, "sync", "--as", "J005"], env=env)
    assert code == 0 and "3/3" not in shown
