"""The writer runs where there is no fcntl (a Windows desk PC): the lock is filelock's, and a lock
left by a killed writer does not block the next one."""
import json
import os
import signal
import subprocess
import sys

NO_FCNTL = "import sys; sys.modules['fcntl'] = None\n"


def _shouwen_without_fcntl(agency, *args, env=None):
    code = NO_FCNTL + "from shouwen.cli import main; sys.argv = ['shouwen'] + sys.argv[1:]; main()"
    return subprocess.run([sys.executable, "-c", code, "--repo", agency.path, *args],
                          capture_output=True, text=True, timeout=120, env=env)


def test_fcntl_is_not_importable_in_the_harness():
    r = subprocess.run([sys.executable, "-c", NO_FCNTL + "import fcntl"], capture_output=True, text=True)
    assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr or "ImportError" in r.stderr


def test_writer_registers_and_appends_without_fcntl(agency):
    head = agency.head()
    r = _shouwen_without_fcntl(agency, "--as", "J005", "new", "--name", "张三", "--matter", "咨询",
                               "--at", "2026-11-02T09:30", "--format", "json")
    assert r.returncode == 0, r.stderr
    rid = json.loads(r.stdout)["id"]
    r = _shouwen_without_fcntl(agency, "--as", "J005", "note", rid, "--text", "无 fcntl 也能写")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "soft file lock" not in r.stderr
    assert len(agency.git("rev-list", f"{head}..HEAD").split()) == 2
    assert "无 fcntl 也能写" in agency.git("show", f"HEAD:records/inquiries/2026/11/{rid}.md")
    assert agency.status() == ""


def test_a_killed_holder_of_the_soft_lock_does_not_block_the_next_writer(agency):
    rid = agency.new("2026-11-02T09:30")
    holder = subprocess.Popen(
        [sys.executable, "-c", NO_FCNTL + "from shouwen.repo.journal import lock\n"
         "with lock(sys.argv[1]):\n    print('held', flush=True)\n    import time; time.sleep(600)\n", agency.path],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    r = _shouwen_without_fcntl(agency, "--as", "J005", "note", rid, "--text", "锁的持有者已死")
    assert r.returncode == 0, r.stderr
    assert "锁的持有者已死" in agency.file(f"records/inquiries/2026/11/{rid}.md")
