"""Shared by the fault and bad-input suite (issue 11): the seed and the printed counts.

One seed drives every sampled choice; it is printed in the run's header and can be replayed with
SHOUWEN_TEST_SEED=N.
"""
import hashlib
import json
import os
import random

from click.testing import CliRunner

from shouwen.cli import cli

SEED = int(os.environ.get("SHOUWEN_TEST_SEED") or random.SystemRandom().randrange(1 << 30))


def report(line: str) -> None:
    """A count the run prints (shown by `make stress`, which runs pytest with -s)."""
    print(f"[robust] {line}", flush=True)


R1, R2 = "20261102-J005-001", "20261102-J005-002"
REC = f"records/inquiries/2026/11/{R1}.md"
OK_EXITS = {0, 1, 2, 3}


def problems_of(r):
    """`check --format json`'s problems; none when it printed no JSON (a crash, counted apart)."""
    try:
        return json.loads(r.stdout)["problems"]
    except (ValueError, KeyError, TypeError):
        return []


class Desk:
    """One agency with two matters, reset to its base commit before every input. Every command it runs that
    crashes (raises, prints a traceback or 内部错误, exits outside 0–3) is kept in `crashes` for the test to assert."""

    def __init__(self, path):
        self.path = str(path)
        self.runner = CliRunner()
        self.crashes: list[str] = []

    def run(self, *args):
        r = self.runner.invoke(cli, ["--repo", self.path, *args])
        what = f"shouwen {' '.join(map(str, args))[:120]}"
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            self.crashes.append(f"{what} raised {r.exception!r}")
        elif "Traceback" in r.output or "内部错误" in r.output:
            self.crashes.append(f"{what}: {r.output[-1500:]}")
        elif r.exit_code not in OK_EXITS:
            self.crashes.append(f"{what} exited {r.exit_code}: {r.output[-500:]}")
        return r

    def git(self, *args, check=True):
        import subprocess
        return subprocess.run(["git", "-C", self.path, *args], capture_output=True, check=check).stdout.decode()

    def snapshot(self):
        """HEAD, the index and every file in the work tree (tracked or not), byte for byte."""
        h = hashlib.sha256()
        for top in sorted(os.listdir(self.path)):
            if top in (".git", ".shouwen"):
                continue
            for dirpath, dirnames, filenames in os.walk(os.path.join(self.path, top)):
                dirnames.sort()
                for n in sorted(filenames):
                    full = os.path.join(dirpath, n)
                    h.update(full.encode())
                    if os.path.islink(full):
                        h.update(os.readlink(full).encode())
                    else:
                        with open(full, "rb") as fh:
                            h.update(fh.read())
        return self.git("rev-parse", "HEAD"), self.git("ls-files", "-s", "--debug"), h.hexdigest()

    def reset(self, base):
        self.git("reset", "-q", "--hard", base)
        self.git("clean", "-fdq")

    def commit_all(self, msg="手工改动"):
        self.git("add", "-A")
        # --allow-empty: a change Git normalises away (CRLF under the agency's eol=lf) is still a trial
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", msg)


def make_desk(path):
    """An agency with two matters (R1 forwarded and accepted, R2 registered), and its base commit."""
    r = CliRunner().invoke(cli, ["init", str(path), "--template", "bureau"])
    assert r.exit_code == 0, r.output
    d = Desk(path)
    for args in (["new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询再生育审批", "--service",
                  "birth-permit", "--at", "2026-11-02T09:30"],
                 ["new", "--name", "李四", "--matter", "咨询", "--at", "2026-11-02T09:40"]):
        assert d.run("--as", "J005", *args).exit_code == 0
    assert d.run("--as", "J005", "forward", R1, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00").exit_code == 0
    assert d.run("--as", "J014", "accept", R1, "--at", "2026-11-02T11:00").exit_code == 0
    # the corpus edits the record's text by pattern: keep it to the fields the patterns name
    text = open(os.path.join(d.path, REC), encoding="utf-8").read()
    late = ", late_reason: " + os.environ.get("SHOUWEN_LATE_REASON", "")
    if late in text:
        text = text.replace(late, "")
        with open(os.path.join(d.path, REC), "w", encoding="utf-8") as fh:
            fh.write(text)
        d.commit_all("语料的基准记录")
    d.code = text.split("code: ", 1)[1].split("\n", 1)[0]
    d.text = text.replace(f"code: {d.code}", "code: CODE")
    d.base = d.git("rev-parse", "HEAD").strip()
    d.known = {(p["code"], p.get("field")) for p in problems_of(d.run("check", "--format", "json"))}   # deadlines
    assert d.crashes == [], d.crashes
    return d


def reset(d):
    """The agency at its base commit, with no crash carried over from another test."""
    d.reset(d.base)
    d.crashes.clear()


def edit(d, rel, old, new):
    """One rules or record file edited from the base commit, and committed."""
    reset(d)
    full = os.path.join(d.path, rel)
    text = open(full, encoding="utf-8").read()
    assert old in text, (rel, old)
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))
    d.commit_all()
