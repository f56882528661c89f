"""Kill and signal trials: a writer killed at a random point loses nothing and leaves nothing behind.

Each trial starts a writer process that appends events in a loop, kills it with SIGKILL, SIGTERM or
SIGINT after a random delay, then lets another person write. Afterwards: every event the killed
writer saw committed is in HEAD, the work tree and index are clean, no lock or temp file remains,
and no commit carries an event by someone other than its author.
"""
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from robust.harness import SEED, report

WORKER = os.path.join(os.path.dirname(__file__), "writer_worker.py")
SIGNALS = [signal.SIGKILL] * 3 + [signal.SIGTERM, signal.SIGINT]


def _registered(agency, n):
    return [agency.new(f"2026-11-0{2 + i}T09:30") for i in range(n)]


def _background_gc_done(agency, timeout=120.0):
    """Git's auto-gc goes on in the background (detached, its own session: no kill of ours reaches it) with
    its locks (gc.log.lock …): wait for it, as its locks are its own and not left over."""
    pidfile = os.path.join(agency.path, ".git", "gc.pid")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            pid = int(open(pidfile).read().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return
        time.sleep(0.1)


def _git_at_work(agency) -> list[str]:
    """Live processes other than ours working in the agency (by their working directory): a killed
    writer's git children, which the kernel does not stop with it, such as the `git maintenance run
    --auto` a commit starts. Their locks are theirs while they run, not left over."""
    root, found = os.path.realpath(agency.path), []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                cwd = os.readlink(f"/proc/{name}/cwd")
                cmd = open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if cwd == root or cwd.startswith(root + os.sep):
                found.append(f"{name}: {cmd.strip()}")
    return found


def _settled(agency, timeout=120.0) -> None:
    deadline = time.time() + timeout
    while _git_at_work(agency) and time.time() < deadline:
        time.sleep(0.1)
    _background_gc_done(agency, max(1.0, deadline - time.time()))


def _leftovers(agency) -> list[str]:
    out = []
    _settled(agency)
    gitdir = os.path.join(agency.path, ".git")
    for dirpath, _, names in os.walk(gitdir):      # any lock of git's: index, HEAD, a branch, a commit's next-index
        out += [os.path.relpath(os.path.join(dirpath, n), agency.path) for n in names if n.endswith(".lock")]
    tmp = os.path.join(agency.path, ".shouwen", "tmp")
    out += [f".shouwen/tmp/{n}" for n in (os.listdir(tmp) if os.path.isdir(tmp) else [])]
    if os.path.exists(os.path.join(agency.path, ".shouwen", "journal.json")):
        out.append(".shouwen/journal.json")
    out += [line for line in agency.status().splitlines()]
    return out


def _foreign_events(agency, since: str) -> list[str]:
    """Events added by a commit whose author is not the event's `by` (swept into someone's commit)."""
    names = {"张明": None}
    bad = []
    log = agency.git("log", "--format=%x00%H %ae", "-p", "--unified=0", f"{since}..HEAD", "--", "records")
    for chunk in log.split("\x00")[1:]:
        head, _, diff = chunk.partition("\n")
        sha, email = head.split()
        badge = email.split("@")[0].upper()
        for line in diff.splitlines():
            m = re.match(r"^\+  - \{at: [^,]+, by: (\w+),", line)
            if m and m.group(1) != badge:
                bad.append(f"{sha[:8]} by {email}: {line}")
    del names
    return bad


def _hung(proc, errors, agency) -> str:
    """What a writer that did not end after its signal was doing: its Python stacks (faulthandler, on
    SIGUSR1), its kernel wait, and who else works in the agency."""
    alive = proc.poll() is None
    wchan = ""
    if alive:
        try:
            wchan = open(f"/proc/{proc.pid}/wchan").read()
        except OSError:
            pass
        proc.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
        proc.kill()
    errors.seek(0)
    return (f"alive={alive} wchan={wchan!r} at work: {_git_at_work(agency)}\n"
            + errors.read().decode("utf-8", "replace")[-6000:])


def run_trials(agency, n_trials: int, seed: int) -> dict:
    rng = random.Random(seed)
    ids = _registered(agency, 3)
    # Git's auto-gc as soon as it can (every ~500 loose objects, not ~6,700): a commit then packs refs in
    # the foreground now and then, and a kill lands in that too
    agency.git("config", "gc.auto", "1")
    base = agency.head()
    committed: list[tuple[str, str]] = []
    stats = {"trials": 0, "lost": 0, "foreign": 0, "repairs": 0, "signals": {}}
    env = dict(os.environ)
    for t in range(n_trials):
        errors = tempfile.TemporaryFile()
        proc = subprocess.Popen([sys.executable, WORKER, agency.path, "J005", str(seed * 1000 + t), *ids],
                                stdout=subprocess.PIPE, stderr=errors, text=True, env=env,
                                start_new_session=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        assert proc.poll() is None, f"trial {t}: the writer stopped by itself: {proc.stdout.read()}"
        sig = rng.choice(SIGNALS)
        group = rng.random() < 0.7      # the whole process group (its git children too), as a terminal or shutdown does
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        name = f"{sig.name}{'-group' if group else ''}"
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"trial {t} (seed {seed}, {name}): the writer did not end: {_hung(proc, errors, agency)}")
        stats["signals"][name] = stats["signals"].get(name, 0) + 1
        for line in out.splitlines():
            kind, rid, text = line.split()
            committed.append((rid, text))
        # the next person writes: whatever the dead writer left must be repaired, never swept in
        r = agency.run("--as", "J014", "note", ids[t % len(ids)], "--text", f"接手-{t}")
        if r.exit_code != 0:
            stats["repairs"] += 1
            pytest.fail(f"trial {t} (seed {seed}, {sig.name}): the next writer failed: {r.output}")
        left = _leftovers(agency)
        assert not left, f"trial {t} (seed {seed}, {name}) left {left}; still at work: {_git_at_work(agency)}"
        stats["trials"] += 1
    head_text = agency.git("grep", "-h", "-e", "-", "HEAD", "--", "records")
    lost = [(rid, text) for rid, text in committed if text not in head_text]
    stats["lost"] = len(lost)
    foreign = _foreign_events(agency, base)
    stats["foreign"] = len(foreign)
    assert not lost, f"seed {seed}: events reported committed but not in HEAD: {lost[:5]}"
    assert not foreign, f"seed {seed}: events committed under another person's name: {foreign[:5]}"
    check = agency.run("check", "--format", "json")
    assert "Traceback" not in check.output
    return stats


def test_killed_writers_lose_nothing_and_leave_nothing(agency):
    stats = run_trials(agency, 12, SEED)
    report(f"kill trials (sample, seed {SEED}): {stats}")
    assert stats["trials"] >= 12 and stats["lost"] == stats["foreign"] == stats["repairs"] == 0


@pytest.mark.stress
def test_killed_writers_stress(agency):
    n = int(os.environ.get("SHOUWEN_KILL_TRIALS", 300))
    stats = run_trials(agency, n, SEED)
    report(f"kill trials (seed {SEED}): {stats}")
    assert stats["trials"] == n


SHOUWEN = os.path.join(os.path.dirname(sys.executable), "shouwen")     # the installed command, as a user runs it


def run_ctrl_c(agency, n_early: int, n_late: int, seed: int) -> dict:
    """Ctrl-C at a random moment of the real `shouwen` command: `n_early` while the interpreter starts and
    imports the package (the first 150 ms), `n_late` at any time in the command. Never a traceback: exit 130
    with one Chinese line, or (before anything of ours has started) a silent end by the signal itself."""
    assert os.access(SHOUWEN, os.X_OK), f"no installed shouwen command next to {sys.executable}"
    with open(SHOUWEN, "rb") as fh:
        assert fh.read(9) == b"#!/bin/sh", f"{SHOUWEN} is not the launcher (tools/bin/shouwen): run `make .venv/.installed`"
    rng = random.Random(seed)
    rid = agency.new("2026-11-02T09:30")
    outcomes: dict = {}
    for t in range(n_early + n_late):
        phase = "early" if t < n_early else "late"
        args = rng.choice([["--as", "J005", "note", rid, "--text", f"中断-{t}"], ["list"], ["check"], ["show", rid]])
        proc = subprocess.Popen([SHOUWEN, "--repo", agency.path, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 0.15 if phase == "early" else 1.2))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err and "内部错误" not in err, f"trial {t} (seed {seed}) {args}: {err[-1500:]}"
        rc = proc.returncode
        assert rc in (0, 1, 130, -signal.SIGINT), f"trial {t} (seed {seed}) {args}: exit {rc}: {err[-800:]}"
        if rc == 130:
            assert "已中断" in err, err
        if rc == -signal.SIGINT:
            assert err == "", f"trial {t}: ended by the signal but printed {err!r}"
        key = f"{phase} exit {rc}"
        outcomes[key] = outcomes.get(key, 0) + 1
        assert not _leftovers(agency) or agency.run("--as", "J014", "note", rid, "--text", f"接手-{t}").exit_code == 0
        assert not _leftovers(agency), _leftovers(agency)
    return outcomes


def test_ctrl_c_never_prints_a_traceback(agency):
    outcomes = run_ctrl_c(agency, 10, 4, SEED)
    report(f"Ctrl-C trials (sample, seed {SEED}): {outcomes}")
    assert sum(outcomes.values()) == 14
    assert sum(v for k, v in outcomes.items() if k.endswith("exit 130")) > 0, "no trial interrupted a command"


@pytest.mark.stress
def test_ctrl_c_stress(agency):
    outcomes = run_ctrl_c(agency, 200, 60, SEED)
    report(f"Ctrl-C trials (seed {SEED}): {outcomes}")
    assert sum(outcomes.values()) == 260
    assert sum(v for k, v in outcomes.items() if k.endswith("exit 130")) > 0, "no trial interrupted a command"


def test_ctrl_c_under_python_dash_m_is_quiet_too(agency):
    """`python -m shouwen` (the command on Windows, `py -m shouwen`) installs the same quiet handler: Ctrl-C
    while it serves the desk page ends it with exit 130 and one Chinese line."""
    import socket
    from shouwen.desk import pins
    pins.set_pin(agency.path, "J005", "2468")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "shouwen", "--repo", agency.path, "desk", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (proc.returncode, err[-800:])
    assert "已中断" in err and "Traceback" not in err, err[-800:]


def test_the_pre_commit_hook_entry_point_is_quiet_on_ctrl_c_from_its_first_import(agency):
    """`python -m shouwen.precommit` (the hook) installs the quiet handler when the package is imported, before
    its own imports: a Ctrl-C pending from the very start (held back by env --block-signal) ends it quietly."""
    agency.new("2026-11-02T09:30")
    # Ctrl-C blocked and already pending when the hook's Python starts (both survive exec): no race with its start
    launch = ("import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}); "
              "os.kill(os.getpid(), signal.SIGINT); os.execv(sys.executable, [sys.executable, '-m', 'shouwen.precommit'])")
    proc = subprocess.Popen([sys.executable, "-c", launch], cwd=agency.path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "已中断" in err and "Traceback" not in err, (proc.returncode, err[-800:])


def test_ctrl_c_while_python_shuts_down_keeps_the_commands_exit_status(agency, tmp_path):
    """Once a command has done its work, Python tears its modules down with its signal handlers already gone:
    a Ctrl-C then turned a finished `show` (or a committed `note`) into "killed by SIGINT". The command holds
    Ctrl-C back from its end on. A module-level object whose __del__ waits marks that moment."""
    rid = agency.new("2026-11-02T09:30")
    marker = tmp_path / "tearing-down"
    (tmp_path / "sitecustomize.py").write_text(
        "import time\n"
        "class _Late:\n"
        "    def __del__(self, open=open, sleep=time.sleep):      # builtins are gone by then\n"
        f"        open({str(marker)!r}, 'w').close()\n"
        "        sleep(1.5)\n"
        "late = _Late()\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([SHOUWEN, "--repo", agency.path, "show", rid], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 120
    while not marker.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert marker.exists(), proc.communicate()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and rid in out and "Traceback" not in err, (proc.returncode, err[-500:])


def test_ctrl_c_in_the_installed_pre_commit_hook_never_prints_a_traceback(agency):
    """The hook `shouwen setup` installs is started by git, not by the launcher: it holds Ctrl-C back the same
    way until the quiet handler is in place, so a Ctrl-C during `git commit` never shows a traceback."""
    from shouwen.repo.setup import install_pre_commit
    hook = install_pre_commit(agency.path)
    assert hook and os.access(hook, os.X_OK)
    rid = agency.new("2026-11-02T09:30")
    rng = random.Random(SEED)
    outcomes: dict = {}
    for t in range(12):
        proc = subprocess.Popen([hook], cwd=agency.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, f"trial {t} (seed {SEED}), {rid}: {err[-1500:]}"
        assert proc.returncode in (0, 130, -signal.SIGINT), (t, proc.returncode, err[-800:])
        if proc.returncode == -signal.SIGINT:
            assert err == "", f"trial {t}: ended by the signal but printed {err!r}"
        outcomes[proc.returncode] = outcomes.get(proc.returncode, 0) + 1
    report(f"Ctrl-C in the pre-commit hook (seed {SEED}): {outcomes}")
    assert sum(outcomes.values()) == 12


def test_a_ctrl_c_during_the_commit_s_maintenance_leaves_it_to_finish(agency, tmp_path):
    """The writer's commit runs git's auto-maintenance, which holds objects/maintenance.lock. A Ctrl-C to the
    writer's process group must not stop it half-way (a lock left behind stops every later maintenance): a
    stand-in maintenance that takes the lock, works a second and lets it go is seen to finish."""
    import shutil
    rid = agency.new("2026-11-02T09:30")
    real = shutil.which("git")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text('#!/bin/sh\ncase " $* " in\n  *" maintenance run "*)\n'
                              '    touch "$2/.git/objects/maintenance.lock"\n    sleep 1\n'
                              '    rm -f "$2/.git/objects/maintenance.lock"\n    echo done > "$2/.git/maintenance-finished"\n'
                              f'    exit 0;;\nesac\nexec {real} "$@"\n', encoding="utf-8")
    (fake / "git").chmod(0o755)
    lock = os.path.join(agency.path, ".git", "objects", "maintenance.lock")
    finished = os.path.join(agency.path, ".git", "maintenance-finished")
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.Popen([SHOUWEN, "--repo", agency.path, "--as", "J005", "note", rid, "--text", "维护中按下中断"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    deadline = time.time() + 60
    while not os.path.exists(lock) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert os.path.exists(lock), f"the maintenance never started: {proc.communicate()}"
    os.killpg(proc.pid, signal.SIGINT)          # as a terminal's Ctrl-C: the whole group
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    deadline = time.time() + 10
    while not os.path.exists(finished) and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(finished) and not os.path.exists(lock)
    assert "维护中按下中断" in agency.git("show", "HEAD")      # the commit was made before the maintenance
