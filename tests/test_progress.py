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
    assert shown.returncode == 0
    text = out.decode("utf-8", "replace")
    assert "生成示例机构" in text and re.search(r"(\d+)/\1\b", text)        # the bar reaches its end
