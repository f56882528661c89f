"""What one write costs a desk: the command's own module only, the rules from their cache, and no more git
processes than the commit needs (issue 15: a clerk's `note` at the speed of `git add && git commit`)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from shouwen.core import safeyaml
from shouwen.repo import loader


def test_a_command_loads_only_its_own_module():
    probe = ("import sys\nfrom shouwen.cli import cli\n"
             "try:\n    cli.main(['note', '--help'], prog_name='shouwen')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('shouwen.cli.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "['context', 'desk', 'zh_click']", out.stdout + out.stderr


def _age(root):
    """Rules files as a clone has them some time after checkout (the cache trusts no file changed just now)."""
    for dirpath, _, names in os.walk(os.path.join(root, "rules")):
        for n in names:
            os.utime(os.path.join(dirpath, n), (1_700_000_000, 1_700_000_000))


def test_rules_come_from_their_cache_until_a_rules_file_changes(agency, monkeypatch):
    monkeypatch.setattr(loader, "RACY_SECONDS", -10**10)    # ctime is "now" for every file a test writes
    first = loader.load_rules(agency.path)
    assert os.path.exists(os.path.join(agency.path, loader.RULES_CACHE))

    def no_parse(*a, **k):
        raise AssertionError("parsed the rules again although nothing changed")
    monkeypatch.setattr(safeyaml, "load", no_parse)
    again = loader.load_rules(agency.path)
    assert again.staff.keys() == first.staff.keys() and again.fingerprint == first.fingerprint
    monkeypatch.undo()
    monkeypatch.setattr(loader, "RACY_SECONDS", -10**10)

    staff = os.path.join(agency.path, "rules", "staff.yml")
    text = open(staff, encoding="utf-8").read()
    name = first.staff["J005"].name
    with open(staff, "w", encoding="utf-8") as fh:
        fh.write(text.replace(name, "赵改名", 1))
    _age(agency.path)           # even with its old time back the file is another (ctime, size)
    assert loader.load_rules(agency.path).staff["J005"].name == "赵改名"
    with open(staff, "w", encoding="utf-8") as fh:
        fh.write(text + "\n  - {badge: [broken\n")
    broken = loader.load_rules(agency.path)
    assert any(p.path == "rules/staff.yml" for p in broken.problems)
    assert [p.code for p in loader.load_rules(agency.path).problems] == [p.code for p in broken.problems]


def test_a_rules_file_changed_just_now_is_never_served_from_the_cache(agency, monkeypatch):
    monkeypatch.setattr(loader, "RACY_SECONDS", 3600)      # "just now": within the hour, whatever the load
    rules = loader.load_rules(agency.path)
    assert not os.path.exists(os.path.join(agency.path, loader.RULES_CACHE))
    assert rules.staff


def _counting_git(tmp_path):
    """A `git` first on PATH that logs each call's subcommand, then runs the real one."""
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    log = tmp_path / "git-calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return bin_dir, log


def _subcommands(log):
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        words = line.split()
        i = 0
        while i < len(words) and words[i] in ("-C", "-c", "--no-optional-locks"):
            i += 1 if words[i] == "--no-optional-locks" else 2
        out.append(words[i])
    return out


def test_an_event_costs_three_git_processes_and_a_registration_four(agency, tmp_path):
    rid = agency.new("2026-11-02T09:30")
    bin_dir, log = _counting_git(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("SHOUWEN_SIGNING_KEY", None)
    run = [sys.executable, "-m", "shouwen", "--repo", agency.path, "--as", "J005"]
    r = subprocess.run(run + ["note", rid, "--text", "补记", "--at", "2026-11-02T10:00"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _subcommands(log) == ["config", "status", "commit"]
    log.unlink()
    r = subprocess.run(run + ["new", "--name", "李四", "--matter", "咨询", "--at", "2026-11-02T11:00"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _subcommands(log) == ["config", "status", "add", "commit"]
    assert agency.status() == ""
    assert "补记" in agency.git("show", f"HEAD~1:records/inquiries/2026/11/{rid}.md")
