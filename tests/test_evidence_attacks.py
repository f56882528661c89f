"""The audited history attacked with plain git, never through shouwen's writer (issues 5 and 10): each attack
is refused or reported in Chinese, naming the commit, the file and the person."""
import json
import os
import pickle
import subprocess

from click.testing import CliRunner

from shouwen.cli import cli

LI_MING = {"GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "j005@example.gov.cn",
           "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "j005@example.gov.cn"}


def git(path, *args, env=None, check=True):
    """Plain git, as a user runs it (shouwen's own git ignores replace refs and grafts)."""
    plain = {k: v for k, v in os.environ.items() if k not in ("GIT_NO_REPLACE_OBJECTS", "GIT_GRAFT_FILE")}
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=check,
                          env=dict(plain, **(env or {})))


def shouwen(path, *args):
    return CliRunner().invoke(cli, ["--repo", str(path), *args], catch_exceptions=False)


class Marker:
    """A pickle that leaves a file behind when it is loaded: proof that a cache from Git ran code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_cache_committed_into_git_is_never_read_and_the_commit_is_named(agency, tmp_path):
    marker = str(tmp_path / "ran")
    state = os.path.join(agency.path, ".shouwen", "index")
    os.makedirs(state, exist_ok=True)
    for name in ("tracked.pickle", "x.pickle"):
        with open(os.path.join(state, name), "wb") as fh:
            pickle.dump(Marker(marker), fh)
            pickle.dump(Marker(marker), fh)
    with open(os.path.join(agency.path, ".shouwen", "verified.json"), "w", encoding="utf-8") as fh:
        json.dump({}, fh)
    git(agency.path, "add", "-f", ".shouwen")
    # the hook refuses it
    hooked = git(agency.path, "commit", "-qm", "缓存", env=LI_MING, check=False)
    assert hooked.returncode != 0 and ".shouwen/" in hooked.stdout + hooked.stderr
    git(agency.path, "commit", "-qm", "缓存", "--no-verify", env=LI_MING)
    bad = agency.head()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", agency.path, str(clone))
    for cmd in (["check"], ["audit"], ["list"]):
        r = shouwen(clone, *cmd)
        assert r.exit_code == 2, (cmd, r.output)
        assert ".shouwen/" in r.output and "git rm -r" in r.output, r.output
        assert not os.path.exists(marker), cmd
    # removed as the message says, the audit names the commit that brought it in, and its author
    git(clone, "rm", "-r", "-q", ".shouwen")
    git(clone, "commit", "-qm", "删除缓存", "--no-verify", env=LI_MING)
    r = shouwen(clone, "audit", "--format", "json")
    found = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "state-committed"]
    assert [p["commit"] for p in found] == [bad], found
    assert "李明" in found[0]["person"] and found[0]["path"].startswith(".shouwen/")
    assert not os.path.exists(marker)


def _two_desks(agency, tmp_path):
    """A central repository with the agency pushed to it, and a second desk cloned from it and set up: (b, remote)."""
    from tests.conftest import Agency
    remote = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(agency.path, "remote", "add", "origin", str(remote))
    git(agency.path, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(remote), str(tmp_path / "b"))
    b = Agency(tmp_path / "b")
    b.ok("setup")
    return b, remote


def _force_pushed(agency, tmp_path):
    """Desk b synced; then desk a drops a forwarding from the history and force-pushes. (b, the central
    repository, the head b last fetched, the rid)."""
    b, remote = _two_desks(agency, tmp_path)
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J005", "sync")
    b.ok("--as", "J006", "sync")
    seen = b.git("rev-parse", "origin/main").strip()
    git(agency.path, "reset", "-q", "--hard", "HEAD~1")
    agency.ok("--as", "J005", "note", rid, "--text", "当场答复", "--at", "2026-11-02T10:00")
    git(agency.path, "push", "-q", "-f", "origin", "main")
    return b, remote, seen, rid


def test_a_desk_never_merges_a_remote_whose_history_was_rewritten(agency, tmp_path):
    b, remote, seen, _ = _force_pushed(agency, tmp_path)
    before = b.head()
    r = b.run("--as", "J006", "sync")
    assert r.exit_code == 3, r.output
    assert "历史被改写" in r.output and seen[:10] in r.output, r.output
    assert b.head() == before and b.status() == ""
    assert b.git("rev-parse", "origin/main").strip() == seen      # and the next sync says so again
    assert b.run("--as", "J006", "sync").exit_code == 3
    assert git(remote, "rev-parse", "main").stdout.strip() != before     # nothing pushed over it either


def test_the_office_accepts_a_rewrite_it_made_on_purpose_and_that_is_recorded(agency, tmp_path, monkeypatch):
    """`sync --accept-rewrite COMMIT`: only the roster's administrators, only the remote's head as it now is, only
    on a desk with nothing unsynced; the old history kept under a ref, the acceptance committed, named and pushed."""
    b, remote, seen, rid = _force_pushed(agency, tmp_path)
    new = agency.new("2026-11-02T10:30")                 # the rewritten history goes on: a matter b has not seen
    git(agency.path, "push", "-q", "origin", "main")
    now = git(remote, "rev-parse", "main").stdout.strip()
    before = b.head()
    r = b.run("--as", "J006", "sync", "--accept-rewrite", now[:10])
    assert r.exit_code == 2 and "roster" in r.output, r.output                 # a clerk may not
    r = b.run("--as", "J003", "sync", "--accept-rewrite", seen[:10])
    assert r.exit_code == 2 and now[:10] in r.output, r.output                 # only what the remote holds now
    b.ok("--as", "J006", "note", rid, "--text", "本机未同步", "--at", "2026-11-02T11:00")
    r = b.run("--as", "J003", "sync", "--accept-rewrite", now[:10])
    assert r.exit_code == 2 and "尚未同步" in r.output, r.output                # it would drop this desk's work
    assert b.git("rev-parse", "origin/main").strip() == seen
    b.git("reset", "-q", "--hard", before)
    b.write(f"records/inquiries/2026/11/{new}.md", "本机的草稿\n")        # untracked, where the new history has a file
    r = b.run("--as", "J003", "sync", "--accept-rewrite", now[:10])
    assert r.exit_code == 2 and "无法切换" in r.output and b.head() == before, r.output     # git refused: no exit 70
    # what failed, in Chinese: the file in the way, not git's English and not a network reason
    assert f"records/inquiries/2026/11/{new}.md" in r.output and "fatal" not in r.output, r.output
    os.unlink(os.path.join(b.path, f"records/inquiries/2026/11/{new}.md"))
    # the acceptance can't be committed (its signing key is gone): put back, and said so, not as a network failure
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", str(tmp_path / "gone" / "id_ed25519"))
    r = b.run("--as", "J003", "sync", "--accept-rewrite", now[:10])
    assert r.exit_code == 2 and "未能在本机提交" in r.output and "签名密钥" in r.output and "gone" in r.output, r.output
    assert "远程" not in r.output.split("未能在本机提交")[1] and "fatal" not in r.output, r.output
    assert b.head() == before and b.git("rev-parse", "origin/main").strip() == seen and b.status() == ""
    monkeypatch.delenv("SHOUWEN_SIGNING_KEY")
    r = b.run("--as", "J003", "sync", "--accept-rewrite", now[:10])
    assert r.exit_code == 0, r.output
    assert seen[:10] in r.output and now[:10] in r.output and "赵文斌" in r.output and "1 个提交" in r.output, r.output
    assert b.git("rev-parse", "HEAD^").strip() == now and b.status() == ""
    record = b.git("log", "-1", "--format=%an%n%B")
    assert "赵文斌" in record and f"Shouwen-Accepted-Rewrite: {seen} {now}" in record, record
    assert git(remote, "rev-parse", "main").stdout.strip() == b.head()          # the acceptance pushed
    assert b.git("rev-parse", f"refs/shouwen/rewritten/{seen}").strip() == seen  # the old history kept
    b.ok("--as", "J006", "sync")

def test_replace_refs_and_grafts_do_not_change_the_history_the_audit_reads(agency):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    honest = agency.head()
    agency.ok("--as", "J006", "note", rid, "--text", "已电话告知", "--at", "2026-11-02T11:00")
    # a look-alike of the forwarding commit that sent the matter to 法规科 instead, put in its place
    text = git(agency.path, "cat-file", "commit", honest).stdout
    rel = f"records/inquiries/2026/11/{rid}.md"
    blob = git(agency.path, "show", f"{honest}:{rel}").stdout.replace("to: family", "to: law")
    new_blob = subprocess.run(["git", "-C", agency.path, "hash-object", "-w", "--stdin"], input=blob, text=True,
                              capture_output=True, check=True).stdout.strip()
    git(agency.path, "read-tree", honest)
    git(agency.path, "update-index", "--cacheinfo", f"100644,{new_blob},{rel}")
    tree = git(agency.path, "write-tree").stdout.strip()
    git(agency.path, "read-tree", "HEAD")
    forged = subprocess.run(["git", "-C", agency.path, "hash-object", "-t", "commit", "-w", "--stdin"],
                            input="tree " + tree + text[text.index("\n"):], text=True, capture_output=True,
                            check=True).stdout.strip()
    git(agency.path, "replace", honest, forged)
    assert "to: law" in git(agency.path, "show", f"{honest}:{rel}").stdout      # what git shows now
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p["code"] for p in probs] == ["history-replaced"], probs
    assert probs[0]["commit"] == honest and forged[:10] in probs[0]["message"]
    assert "已电话告知" not in json.dumps(probs)         # the innocent next commit is not blamed
    assert "to: family" in agency.file(rel)
    git(agency.path, "replace", "-d", honest)
    # a grafts file that makes the history start at the last commit
    with open(os.path.join(agency.path, ".git", "info", "grafts"), "w") as fh:
        fh.write(agency.head() + "\n")
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p["code"] for p in probs] == ["history-replaced"], probs
    assert "info/grafts" in probs[0]["message"]


def test_a_shallow_clone_is_not_audited_as_if_its_history_began_there(agency, tmp_path):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T10:30")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "file://" + agency.path, str(clone))
    r = shouwen(clone, "audit")
    assert r.exit_code == 2, r.output
    assert "浅克隆" in r.output and "git fetch --unshallow" in r.output, r.output
    git(clone, "fetch", "-q", "--unshallow")
    assert shouwen(clone, "audit").exit_code == 0


def _hand_note(agency, rid, at, when):
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel).replace("\n---\n", f"\n  - {{at: {at}, by: J005, action: note, text: 已电话告知}}\n---\n", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    git(agency.path, "commit", "-qam", "备注", "--no-verify",
        env=dict(LI_MING, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when))
    return agency.head()


def test_a_commit_dated_before_its_parent_or_in_the_future_is_reported(agency):
    from datetime import datetime, timedelta
    rid = agency.new("2026-11-02T09:30")
    # the clerk sets the commit's date back to match the note he slips in days late: no event looks late
    back = _hand_note(agency, rid, "2026-11-02T12:00:00+08:00", "2026-11-02T12:01:00+08:00")
    ahead = (datetime.now().astimezone() + timedelta(days=3)).replace(microsecond=0)
    future = _hand_note(agency, rid, (ahead - timedelta(minutes=1)).isoformat(), ahead.isoformat())
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    found = {(p["code"], p["commit"]) for p in probs}
    assert found == {("commit-misdated", back), ("commit-misdated", future)}, probs
    assert all(p["record"] == rid and "李明" in p["person"] for p in probs)
    # times as a reviewer reads them, in Beijing time
    back_msg = next(p["message"] for p in probs if p["commit"] == back)
    assert "2026年11月2日 12:01" in back_msg and "+08:00" not in back_msg, back_msg


def test_what_changes_how_git_shows_the_history_is_the_offices_alone(agency):
    """`-diff` in a nested .gitattributes shows a reviewer's `git log -p` "Binary files differ" for every record;
    a .mailmap makes `git log` name a colleague as the author of a clerk's commits; .gitmodules plants a
    submodule."""
    files = {"records/.gitattributes": "*.md -diff\n", ".mailmap": "王芳 <j004@example.gov.cn> <j005@example.gov.cn>\n",
             ".gitmodules": '[submodule "x"]\n\tpath = records/x\n\turl = ../x\n'}
    shas = {}
    for rel, text in files.items():
        agency.write(rel, text)
        git(agency.path, "add", rel)
        git(agency.path, "commit", "-qm", rel, "--no-verify", env=LI_MING)
        shas[rel] = agency.head()
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert {(p["code"], p["path"], p["commit"]) for p in probs} == {("role-forbidden", rel, sha) for rel, sha in shas.items()}
    assert all("李明" in p["person"] for p in probs)


def test_a_clerk_committing_under_a_colleagues_name_is_named(agency):
    """`git commit --author` keeps the clerk as the committer: the event and the author agree, the committer
    does not."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel).replace("\n---\n", "\n  - {at: 2026-11-02T10:30:00+08:00, by: J014, action: accepted, "
                                               "late_reason: 补录}\n---\n", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    git(agency.path, "commit", "-qam", "签收", "--no-verify", "--author", "朱立新 <j014@example.gov.cn>", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["commit"], p["record"]) for p in probs] == [("committer-mismatch", agency.head(), rid)], probs
    assert "李明" in probs[0]["person"] and "朱立新" in probs[0]["message"]


def test_a_record_committed_as_a_symlink_is_named_by_the_audit(agency):
    rid = agency.new("2026-11-02T09:30")
    folder = os.path.join(agency.path, "records", "inquiries", "2026", "11")
    os.symlink("/etc/passwd", os.path.join(folder, "20261102-J005-009.md"))
    os.symlink(f"{rid}.md", os.path.join(folder, "20261102-J005-008.md"))
    git(agency.path, "add", "-A")
    git(agency.path, "commit", "-qm", "链接", "--no-verify", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert {(p["code"], p["record"], p["commit"]) for p in probs} == {
        ("record-noncanonical", "20261102-J005-009", agency.head()), ("record-noncanonical", "20261102-J005-008", agency.head())}
    assert all("符号链接" in p["message"] and "李明" in p["person"] for p in probs)


def test_a_path_that_differs_from_a_record_only_in_case_is_named(agency):
    """On a desk whose file system ignores case (Windows, macOS) `Records/…` or `….MD` is checked out over the
    real record; on Linux, check and the audit read neither."""
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    forged = agency.file(rel).replace("name: 张三", "name: 李四")
    bad = ["Records/inquiries/2026/11/" + rid + ".md", f"records/inquiries/2026/11/{rid}.MD",
           f"records/Inquiries/2026/11/{rid}.md", "Rules/staff.yml", "records/inquiries/2026/11/notes.txt"]
    for b in bad:
        agency.write(b, forged)
    git(agency.path, "add", "-A")
    git(agency.path, "commit", "-qm", "大小写", "--no-verify", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    named = {p["path"] for p in probs if p["code"] == "path-lookalike" and p["commit"] == agency.head()}
    assert named == set(bad), probs


def test_a_lookalike_is_named_once_at_a_merge_and_a_desks_junk_never(agency):
    """A side branch writes `….MD` and a desktop's junk (.DS_Store, Thumbs.db) under records/; merged in, the
    lookalike is named once, at the commit that wrote it, and the junk not at all: it stands over no record."""
    rid = agency.new("2026-11-02T09:30")
    git(agency.path, "checkout", "-qb", "side")
    odd = f"records/inquiries/2026/11/{rid}.MD"
    agency.write(odd, agency.file(f"records/inquiries/2026/11/{rid}.md").replace("name: 张三", "name: 李四"))
    agency.write("records/.DS_Store", "junk")
    agency.write("records/inquiries/2026/11/Thumbs.db", "junk")
    git(agency.path, "add", "-A")
    git(agency.path, "commit", "-qm", "大小写", "--no-verify", env=LI_MING)
    side = agency.head()
    git(agency.path, "checkout", "-q", "main")
    agency.new("2026-11-02T09:40")
    git(agency.path, "merge", "-q", "--no-ff", "--no-edit", "side", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["path"], p["commit"]) for p in probs] == [("path-lookalike", odd, side)], probs

def test_the_hook_refuses_a_lookalike_path(agency):
    rid = agency.new("2026-11-02T09:30")
    agency.write(f"records/inquiries/2026/11/{rid}.MD", agency.file(f"records/inquiries/2026/11/{rid}.md"))
    git(agency.path, "add", "-A")
    r = git(agency.path, "commit", "-qm", "大小写", env=LI_MING, check=False)
    assert r.returncode != 0 and "path-lookalike" in r.stdout + r.stderr and f"{rid}.MD" in r.stdout + r.stderr, r


def test_a_second_history_started_apart_and_merged_in_is_named(agency):
    """`git checkout --orphan` starts a history with no parent to be dated against: a clerk writes a matter
    there, dated weeks back, and merges it in."""
    rid = agency.new("2026-11-02T09:30")
    git(agency.path, "checkout", "-q", "--orphan", "side")
    git(agency.path, "rm", "-rq", "--cached", "records")
    when = "2026-11-02T09:40:00+08:00"
    fake = agency.file(f"records/inquiries/2026/11/{rid}.md").replace(rid, "20261102-J005-002").replace(
        "09:30:00", "09:39:00")
    agency.write("records/inquiries/2026/11/20261102-J005-002.md", fake)
    git(agency.path, "add", "records/inquiries/2026/11/20261102-J005-002.md")
    git(agency.path, "commit", "-qm", "登记", "--no-verify", env=dict(LI_MING, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when))
    root = agency.head()
    git(agency.path, "checkout", "-qf", "main")
    git(agency.path, "merge", "-q", "--allow-unrelated-histories", "--no-edit", "side", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["commit"]) for p in probs] == [("history-orphan", root)], probs
    assert "李明" in probs[0]["person"]
    assert [p["code"] for p in json.loads(agency.run("audit", "--format", "json", "--since", "HEAD~2").stdout)[
        "problems"]] == ["history-orphan"]


def _orphan_joined_first(agency, rid, commits):
    """An orphan history of `commits` matters, into which the office's history is merged (the orphan the merge's
    first parent), main then fast-forwarded to that merge: the orphan's root comes first in the log."""
    git(agency.path, "checkout", "-q", "--orphan", "side")
    git(agency.path, "rm", "-rq", "--cached", "records")
    for n in range(commits):
        when = f"2026-11-02T09:4{n}:00+08:00"
        fake = agency.file(f"records/inquiries/2026/11/{rid}.md").replace(rid, f"20261102-J005-00{n + 2}").replace(
            "09:30:00", f"09:3{n + 1}:00")
        rel = f"records/inquiries/2026/11/20261102-J005-00{n + 2}.md"
        agency.write(rel, fake)
        git(agency.path, "add", rel)
        git(agency.path, "commit", "-qm", "登记", "--no-verify", env=dict(LI_MING, GIT_AUTHOR_DATE=when,
                                                                           GIT_COMMITTER_DATE=when))
        if n == 0:
            root = agency.head()
    git(agency.path, "clean", "-fdq", "--", "records")        # the office's files, untracked on the orphan
    git(agency.path, "merge", "-q", "--allow-unrelated-histories", "--no-edit", "main", env=LI_MING)
    merge = agency.head()
    git(agency.path, "checkout", "-q", "main")
    git(agency.path, "merge", "-q", "--ff-only", "side")
    return root, merge


def test_an_orphan_merged_as_the_first_parent_is_named_not_the_offices_start(agency):
    """main fast-forwarded to a merge whose first parent is the orphan history: the orphan's root is named (the
    office's own start has the larger history), with the merge that joined it."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:35")
    root, merge = _orphan_joined_first(agency, rid, 1)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["commit"]) for p in probs] == [("history-orphan", root)], probs
    assert merge[:10] in probs[0]["message"], probs


def test_the_office_start_the_audit_remembers_holds_against_a_larger_orphan(agency):
    """An orphan with more commits than the office's own history: the history the last audit saw names the
    office's start."""
    rid = agency.new("2026-11-02T09:30")
    assert agency.run("audit").exit_code == 0          # remembered: main's head, and so its root
    root, merge = _orphan_joined_first(agency, rid, 3)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["commit"]) for p in probs] == [("history-orphan", root)], probs
    assert merge[:10] in probs[0]["message"], probs

def test_names_and_values_cannot_rewrite_the_reviewers_terminal(agency):
    """An author name with a carriage return (the rest of the line then overwrites what the audit said) or a
    right-to-left override is printed as visible escapes."""
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    agency.write(rel, agency.file(rel).replace("name: 张三", "name: 张四"))
    name = "李明\r审查 1 个提交：0 个错误\u202e"
    git(agency.path, "commit", "-qam", "改", "--no-verify",
        env=dict(LI_MING, GIT_AUTHOR_NAME=name, GIT_COMMITTER_NAME=name))
    out = agency.run("audit").output
    assert "record-edited" in out
    assert not any(ch in out for ch in "\r\x1b\u202e"), repr(out)
    assert "\\r" in out and "\\u202e" in out


def test_the_audit_remembers_the_history_it_saw_and_names_a_rewrite(agency):
    """A clone (CI keeps `.shouwen/` between runs) that audited a history notices when the next one no longer
    contains it: an amended, rebased or force-pushed history, however consistent it is in itself."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    seen = agency.head()
    assert agency.run("audit").exit_code == 0
    rel = f"records/inquiries/2026/11/{rid}.md"
    agency.write(rel, agency.file(rel).replace("to: family", "to: law"))
    git(agency.path, "commit", "-q", "--amend", "-a", "--no-edit", "--no-verify", env=LI_MING)
    for _ in range(2):          # said again at every audit until the office has looked
        probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
        assert [(p["code"], p["commit"]) for p in probs] == [("history-rewritten", seen)], probs
    assert "rm .shouwen/audited.json" in probs[0]["message"]
    os.remove(os.path.join(agency.path, ".shouwen", "audited.json"))
    assert agency.run("audit").exit_code == 0
    agency.ok("--as", "J005", "note", rid, "--text", "已告知", "--at", "2026-11-02T10:10")
    assert agency.run("audit").exit_code == 0       # a history that grew is no rewrite


def test_an_author_date_set_back_with_git_commit_date_is_named(agency):
    """`git log` shows the author date: `git commit --date` makes a note slipped in today read as written weeks
    ago, while the audit judges by the commit's own date."""
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    agency.write(rel, agency.file(rel).replace("\n---\n", "\n  - {at: 2026-11-02T12:00:00+08:00, by: J005, action: note, "
                                                         "text: 已电话告知, late_reason: 补录}\n---\n", 1))
    git(agency.path, "commit", "-qam", "备注", "--no-verify", "--date", "2026-11-02T12:01:00+08:00", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["commit"]) for p in probs] == [("commit-misdated", agency.head())], probs
    assert "git commit --date" in probs[0]["message"] and "李明" in probs[0]["person"]


def test_a_windows_desk_with_autocrlf_checks_out_records_in_the_writers_form(agency):
    """Git for Windows sets core.autocrlf=true: without `eol=lf` every record came out with CRLF, `check` called
    each one noncanonical and the desk could append nothing."""
    rid = agency.new("2026-11-02T09:30")
    git(agency.path, "config", "core.autocrlf", "true")
    import shutil
    shutil.rmtree(os.path.join(agency.path, "records"))
    git(agency.path, "checkout", "-q", "--", "records")
    assert b"\r\n" not in open(os.path.join(agency.path, f"records/inquiries/2026/11/{rid}.md"), "rb").read()
    agency.ok("--as", "J005", "note", rid, "--text", "已告知", "--at", "2026-11-02T09:40")
    out = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-02").stdout)
    assert not [p for p in out["problems"] if p["code"] == "record-noncanonical"]


def test_a_merge_that_brings_in_a_symlinked_record_of_its_own_is_named(agency):
    rid = agency.new("2026-11-02T09:30")
    git(agency.path, "checkout", "-qb", "side")
    agency.ok("--as", "J005", "note", rid, "--text", "旁支", "--at", "2026-11-02T09:40")
    git(agency.path, "checkout", "-q", "main")
    git(agency.path, "merge", "-q", "--no-ff", "--no-commit", "side", env=LI_MING)
    os.symlink(f"{rid}.md", os.path.join(agency.path, "records/inquiries/2026/11/20261102-J005-007.md"))
    git(agency.path, "add", "-A")
    git(agency.path, "commit", "-qm", "合并", "--no-verify", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["record"], p["commit"]) for p in probs] == [
        ("record-noncanonical", "20261102-J005-007", agency.head())], probs


def test_a_running_desk_page_reads_no_cache_that_a_sync_checked_out(agency, tmp_path):
    """The desk page runs for hours: a `.shouwen/` that a later sync brought in is refused at every request."""
    from shouwen.desk.app import create_app
    app = create_app(agency.path)
    client = app.test_client()
    assert client.get("/login", base_url="http://127.0.0.1").status_code == 200
    marker = str(tmp_path / "ran")
    os.makedirs(os.path.join(agency.path, ".shouwen", "cache"), exist_ok=True)
    for name in os.listdir(os.path.join(agency.path, ".shouwen", "cache")):
        os.remove(os.path.join(agency.path, ".shouwen", "cache", name))
    with open(os.path.join(agency.path, ".shouwen", "cache", "rules-v1.pickle"), "wb") as fh:
        pickle.dump(Marker(marker), fh)
        pickle.dump(Marker(marker), fh)
    git(agency.path, "add", "-f", ".shouwen/cache/rules-v1.pickle")
    r = client.get("/login", base_url="http://127.0.0.1")
    assert r.status_code == 503 and ".shouwen/" in r.get_data(as_text=True)
    assert not os.path.exists(marker)


def test_a_commit_with_a_time_zone_no_clock_has_is_audited_not_a_crash(agency):
    """Git prints what a commit object says: one made by hand with an offset of +9959 (no clock has it) is
    judged like any other, never a traceback that stops the audit of everything else."""
    rid = agency.new("2026-11-02T09:30")
    raw = git(agency.path, "cat-file", "commit", "HEAD").stdout
    lines = raw.split("\n")
    lines = [l.rsplit(" ", 1)[0] + " +9959" if l.startswith(("author ", "committer ")) else l for l in lines]
    forged = subprocess.run(["git", "-C", str(agency.path), "hash-object", "-t", "commit", "-w", "--stdin"],
                            input="\n".join(lines), capture_output=True, text=True, check=True).stdout.strip()
    git(agency.path, "update-ref", "HEAD", forged)
    r = shouwen(agency.path, "audit", "--format", "json")
    assert r.exit_code in (0, 1) and "Traceback" not in r.output and "内部错误" not in r.output, r.output
    json.loads(r.stdout)
    assert shouwen(agency.path, "show", rid).exit_code == 0


def test_state_committed_in_another_case_is_refused_and_the_fix_keeps_the_local_files(agency):
    """`.Shouwen/` is checked out as `.shouwen/` on a Windows or macOS desk: refused as well, and the command the
    message gives takes it out of Git only (--cached), leaving this clone's own caches where they are."""
    os.makedirs(os.path.join(agency.path, ".Shouwen"), exist_ok=True)
    with open(os.path.join(agency.path, ".Shouwen", "verified.json"), "w") as fh:
        fh.write("{}")
    git(agency.path, "add", "-f", ".Shouwen/verified.json")
    git(agency.path, "commit", "-qm", "x", "--no-verify")
    r = shouwen(agency.path, "list")
    assert r.exit_code == 2 and "git rm -r --cached -q .Shouwen" in r.output, r.output


def test_a_staff_photo_under_rules_is_kept_byte_for_byte(agency):
    """rules/ is checked out with LF line ends, but a photo there is binary: not a byte of it converted."""
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n" * 8
    os.makedirs(os.path.join(agency.path, "rules", "photos"), exist_ok=True)
    with open(os.path.join(agency.path, "rules", "photos", "j005.png"), "wb") as fh:
        fh.write(photo)
    git(agency.path, "add", "rules/photos/j005.png")
    blob = subprocess.run(["git", "-C", str(agency.path), "cat-file", "blob", ":rules/photos/j005.png"],
                          capture_output=True, check=True).stdout
    assert blob == photo


def test_a_desk_whose_clock_is_behind_another_desks_is_not_called_a_forger(agency):
    """Two desks' clocks are minutes apart: a commit made on top of the other desk's (a sync, a pull) may read as
    older than it. Within the late-entry grace that is a clock, not a date set back; days are still named."""
    from datetime import datetime, timedelta
    rid = agency.new("2026-11-02T09:30")
    now = datetime.now().astimezone().replace(microsecond=0)
    at = lambda minutes: (now - timedelta(minutes=minutes)).isoformat()
    zhu = {"GIT_AUTHOR_NAME": "朱立新", "GIT_AUTHOR_EMAIL": "j014@example.gov.cn",
           "GIT_COMMITTER_NAME": "朱立新", "GIT_COMMITTER_EMAIL": "j014@example.gov.cn"}
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel).replace("\n---\n", f"\n  - {{at: {at(6)}, by: J014, action: note, text: 已阅}}\n---\n", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    git(agency.path, "commit", "-qam", "备注", "--no-verify", env=dict(zhu, GIT_AUTHOR_DATE=at(5), GIT_COMMITTER_DATE=at(5)))
    behind = _hand_note(agency, rid, at(26), at(25))      # this desk's clock, twenty minutes behind the other's
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p for p in probs if p["code"] == "commit-misdated"] == [], probs
    days_back = _hand_note(agency, rid, at(3 * 24 * 60 + 1), at(3 * 24 * 60))
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p["commit"] for p in probs if p["code"] == "commit-misdated"] == [days_back], probs
    assert behind != days_back


def test_an_older_commit_audited_again_and_a_merge_request_are_no_rewrite(agency, monkeypatch):
    """CI runs the pipeline of an older commit again (a retry), or a merge request's pipeline on a merge the forge
    makes anew at every push: neither is a rewritten history, and neither moves what the audit remembers."""
    rid = agency.new("2026-11-02T09:30")
    first = agency.head()
    agency.ok("--as", "J005", "note", rid, "--text", "已告知", "--at", "2026-11-02T10:10")
    assert agency.run("audit").exit_code == 0
    name = git(agency.path, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    git(agency.path, "checkout", "-q", "--detach", first)
    monkeypatch.setenv("CI_COMMIT_REF_NAME", name)
    branch = git(agency.path, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    assert branch == "HEAD"
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert "history-rewritten" not in [p["code"] for p in probs], probs
    # a merge request's pipeline: its ref is the forge's, not a branch anyone keeps
    monkeypatch.delenv("CI_COMMIT_REF_NAME")
    monkeypatch.setenv("GITHUB_REF_NAME", "7/merge")
    git(agency.path, "commit", "-q", "--allow-empty", "-m", "合并请求", "--no-verify", env=LI_MING)
    assert agency.run("audit", "--format", "json").exit_code in (0, 1)
    git(agency.path, "checkout", "-q", "--detach", first)
    git(agency.path, "commit", "-q", "--allow-empty", "-m", "合并请求（重做）", "--no-verify", env=LI_MING)
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert "history-rewritten" not in [p["code"] for p in probs], probs


def test_a_sync_whose_merge_commit_fails_is_put_back_and_the_next_sync_works(agency, tmp_path, monkeypatch):
    """Both desks registered a matter; the second desk's merge commit can't be signed (its key is gone): said in
    Chinese, exit 2, the merge undone (no MERGE_HEAD left to block every later command)."""
    b, remote = _two_desks(agency, tmp_path)
    agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "sync")
    b.new("2026-11-02T09:40", badge="J006")
    before = b.head()
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", str(tmp_path / "gone" / "id_ed25519"))
    r = b.run("--as", "J006", "sync")
    assert r.exit_code == 2 and "未能在本机完成" in r.output and "gone" in r.output, r.output
    assert "fatal" not in r.output and "GitError" not in r.output, r.output
    assert b.head() == before and b.status() == "" and not os.path.exists(os.path.join(b.path, ".git", "MERGE_HEAD"))
    monkeypatch.delenv("SHOUWEN_SIGNING_KEY")
    b.ok("--as", "J006", "sync")
    assert git(remote, "rev-parse", "main").stdout.strip() == b.head()
