"""`site build` at its edges: where the repository (or only its .shouwen/) can't be written, a clear Chinese
message and exit 2 when the output would go into the read-only repository, a normal build into a writable
output folder; a crash inside MkDocs is relayed by what broke; an interrupted build leaves no half-built site.
Never a traceback. Read-only for real: a read-only bind mount (root), or the folders' write bits (others)."""
import os
import stat
import subprocess
import sys

import pytest


@pytest.fixture
def read_only():
    mounted, chmodded = [], []

    def make(path):
        path = str(path)
        if os.geteuid() != 0:
            for dirpath, dirnames, _ in os.walk(path):
                for d in [dirpath] + [os.path.join(dirpath, n) for n in dirnames]:
                    chmodded.append((d, os.stat(d).st_mode))
                    os.chmod(d, os.stat(d).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            return
        for cmd in (["mount", "--bind", path, path], ["mount", "-o", "remount,bind,ro", path]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                pytest.skip(f"no read-only mount for this trial: {' '.join(cmd)}: {r.stderr.strip()}")
            if cmd[1] == "--bind":
                mounted.append(path)
        probe = os.path.join(path, ".probe")
        with pytest.raises(OSError):
            open(probe, "w").close()

    yield make
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", path], capture_output=True)
    for d, mode in reversed(chmodded):
        os.chmod(d, mode)


def _build(repo, *args):
    r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", str(repo), "site", "build", *args],
                       capture_output=True, text=True, timeout=600)
    assert "Traceback" not in r.stdout + r.stderr and "内部错误" not in r.stderr, r.stderr[-2000:]
    return r


def _listing(root):
    return sorted(os.path.relpath(os.path.join(d, n), root) for d, _, ns in os.walk(root) for n in ns)


def test_site_build_on_a_read_only_repository(agency, read_only, tmp_path):
    agency.new("2026-11-02T09:30")
    agency.run("check")         # .shouwen/ exists, as in any repository in use
    before = _listing(agency.path)
    read_only(agency.path)
    r = _build(agency.path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "网站未生成" in r.stderr and "public" in r.stderr and "-o" in r.stderr, r.stderr
    assert "只读" in r.stderr or "没有权限" in r.stderr, r.stderr
    assert _listing(agency.path) == before
    out = tmp_path / "网站"
    r = _build(agency.path, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert (out / "index.html").is_file() and "网站已生成" in r.stdout
    assert _listing(agency.path) == before


def test_a_crash_inside_the_site_engine_is_relayed_without_its_traceback(agency):
    """Whatever breaks inside MkDocs (here an agency's own hook), the user reads its last line, not its stack."""
    agency.write("hooks/boom.py", "def on_config(config):\n    raise RuntimeError('站点钩子坏了')\n")
    text = agency.file("mkdocs.yml").replace("hooks:\n", "hooks:\n  - hooks/boom.py\n", 1)
    agency.write("mkdocs.yml", text)
    r = _build(agency.path)
    assert r.returncode == 1 and "站点钩子坏了" in r.stderr and "网站未生成" in r.stderr, r.stderr
    assert 'File "' not in r.stderr, r.stderr


def _building(repo):
    return [n for n in os.listdir(repo) if n.startswith("public.building-")]


def _start_build_and_wait(repo):
    """The real `shouwen` command building the site, once its half-built folder exists."""
    import time
    launcher = os.path.join(os.path.dirname(sys.executable), "shouwen")
    proc = subprocess.Popen([launcher, "--repo", str(repo), "site", "build"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 180
    while not _building(repo) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)                                  # MkDocs is writing pages into it now
    assert proc.poll() is None and _building(repo), proc.communicate()
    return proc


def test_an_interrupted_site_build_leaves_no_half_built_site(agency, read_only):
    """A half-built folder has not been through the privacy guard: Ctrl-C removes it; after a kill, the next
    build does (it is named by its dead builder's pid), and that build needs no writable .shouwen/."""
    import signal
    agency.new("2026-11-02T09:30")
    proc = _start_build_and_wait(agency.path)
    os.killpg(proc.pid, signal.SIGINT)              # Ctrl-C at a terminal: the command and its MkDocs
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中断" in err and "Traceback" not in err, err[-800:]
    assert _building(agency.path) == [] and not os.path.exists(os.path.join(agency.path, "public"))
    proc = _start_build_and_wait(agency.path)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert len(_building(agency.path)) == 1
    read_only(os.path.join(agency.path, ".shouwen"))
    r = _build(agency.path)
    assert r.returncode == 0 and "已删除" in r.stderr, r.stderr
    assert _building(agency.path) == [] and os.path.isfile(os.path.join(agency.path, "public", "index.html"))
