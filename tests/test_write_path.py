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
    assert out.stdout.strip().splitlines()[-1] == "['context', 'desk', 'no_cache', 'zh_click']", out.stdout + out.stderr


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


def test_an_event_and_a_registration_cost_the_same_six_small_git_processes(agency, tmp_path):
    """No `git commit`: it refreshes the stat data of every file in the index and writes the index twice,
    most of a write at 100,000 records. config (signing, hooks), status (nothing unfinished in the path),
    hash-object, fast-import, update-index of the path, and git's auto-maintenance, as `git commit` runs it."""
    rid = agency.new("2026-11-02T09:30")
    bin_dir, log = _counting_git(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("SHOUWEN_SIGNING_KEY", None)
    run = [sys.executable, "-m", "shouwen", "--repo", agency.path, "--as", "J005"]
    r = subprocess.run(run + ["note", rid, "--text", "补记", "--at", "2026-11-02T10:00"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    plumbing = ["config", "status", "hash-object", "fast-import", "update-index", "maintenance"]
    assert _subcommands(log) == plumbing
    log.unlink()
    r = subprocess.run(run + ["new", "--name", "李四", "--matter", "咨询", "--at", "2026-11-02T11:00"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _subcommands(log) == plumbing
    assert agency.status() == ""
    assert "补记" in agency.git("show", f"HEAD~1:records/inquiries/2026/11/{rid}.md")


def test_a_write_commits_its_record_alone_and_leaves_what_else_is_staged_staged(agency):
    first = agency.new("2026-11-02T09:30")
    other = agency.new("2026-11-02T09:40")
    agency.write("site/notice.md", "本周六照常办公。\n")
    rel = f"records/inquiries/2026/11/{other}.md"
    with open(os.path.join(agency.path, rel), "a", encoding="utf-8") as fh:
        fh.write("手工补记。\n")
    agency.git("add", "site/notice.md", rel)
    agency.ok("--as", "J005", "note", first, "--text", "补记", "--at", "2026-11-02T10:00")
    assert agency.git("show", "--name-only", "--format=", "HEAD").split() == [f"records/inquiries/2026/11/{first}.md"]
    assert sorted(agency.git("diff", "--cached", "--name-only").split()) == [rel, "site/notice.md"]
    assert agency.git("status", "--porcelain", "--", f"records/inquiries/2026/11/{first}.md") == ""


def test_the_writer_makes_the_very_commit_git_commit_makes(agency, tmp_path):
    """The same write in two clones, one of them with a post-commit hook (so the writer leaves it to `git
    commit`): the same commit id, so the same tree, parent, author, committer, dates and message."""
    from datetime import datetime
    from shouwen.core.record import CST
    from shouwen.repo import writer
    from shouwen.repo.loader import load_rules
    rid = agency.new("2026-11-02T09:30")
    clones = []
    for name in ("fast", "commit"):
        path = str(tmp_path / name)
        subprocess.run(["git", "clone", "-q", agency.path, path], check=True)
        clones.append(path)
    hook = os.path.join(clones[1], ".git", "hooks", "post-commit")
    with open(hook, "w", encoding="utf-8") as fh:
        fh.write("#!/bin/sh\nexit 0\n")
    os.chmod(hook, 0o755)
    at = datetime(2026, 11, 2, 10, 0, tzinfo=CST)
    heads = []
    for path in clones:
        rules = load_rules(path)
        writer.append_event(path, rules, rid, {"at": at, "by": "J005", "action": "note", "text": "补记"},
                            commit_at=datetime(2026, 11, 2, 10, 1, tzinfo=CST))
        writer.register(path, rules, "J005", datetime(2026, 11, 2, 10, 5, tzinfo=CST), {"name": "李四"}, "咨询",
                        "visit", rng=__import__("random").Random(7), commit_at=datetime(2026, 11, 2, 10, 6, tzinfo=CST))
        heads.append(subprocess.run(["git", "-C", path, "log", "--format=%H", "-2"], capture_output=True, text=True,
                                    check=True).stdout)
        assert subprocess.run(["git", "-C", path, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    assert heads[0] == heads[1]
    made_by = [subprocess.run(["git", "-C", path, "reflog", "-1", "--format=%gs"], capture_output=True, text=True,
                              check=True).stdout for path in clones]
    assert not made_by[0].startswith("commit") and made_by[1].startswith("commit"), made_by    # both ways were taken


def test_a_write_imports_neither_pyyaml_nor_shutil(agency, monkeypatch):
    """The writer's own form is read and written by core.canonical and the rules come from their cache, so
    a write has no use for PyYAML (about a tenth of its CPU); nor for shutil (bz2 and lzma come with it)."""
    rid = agency.new("2026-11-02T09:30")
    monkeypatch.setattr(loader, "RACY_SECONDS", -10**10)    # ctime is "now" for every file a test writes
    loader.load_rules(agency.path)                          # kept, as a desk's second command finds them
    probe = ("import sys\nfrom shouwen.cli import cli\n"
             "try:\n    cli.main(sys.argv[1:], prog_name='shouwen')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('yaml', 'shutil') if m in sys.modules))")
    base = [sys.executable, "-c", probe, "--repo", agency.path, "--as", "J005"]
    subprocess.run(base + ["note", rid, "--text", "一", "--at", "2026-11-02T10:00"], capture_output=True, check=True)
    for args in (["note", rid, "--text", "二", "--at", "2026-11-02T10:05"],
                 ["new", "--name", "李四", "--matter", "咨询", "--at", "2026-11-02T11:00"]):
        out = subprocess.run(base + args, capture_output=True, text=True)
        assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
    assert agency.status() == ""


def test_dates_set_for_git_in_the_environment_are_kept(agency):
    """GIT_AUTHOR_DATE / GIT_COMMITTER_DATE in the environment date a `git commit`: a write honours them too."""
    rid = agency.new("2026-11-02T09:30")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-11-02T10:00:00+08:00", "GIT_COMMITTER_DATE": "2026-11-02T10:01:00+08:00"}
    r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", agency.path, "--as", "J005", "note", rid, "--text", "补记",
                        "--at", "2026-11-02T10:00"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert agency.git("log", "-1", "--format=%aI %cI").split() == ["2026-11-02T10:00:00+08:00", "2026-11-02T10:01:00+08:00"]
