"""Commits written straight into a pack (repo/gitio/pack.py, the demo's history): git must read them as its own."""
import os
import subprocess

import pytest

from shouwen.repo.gitio import pack as gitpack
from shouwen.repo.gitio.history import PackedHistory


def _git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("mark", [gitpack._Folder.MARK, 64])     # 64: a folder's id hashed on from its marks
def test_a_packed_history_is_the_one_git_makes(tmp_path, monkeypatch, mark):
    monkeypatch.setattr(gitpack._Folder, "MARK", mark)
    hubbed, hub_delta = [], gitpack._Folder.hub_delta      # versions stored as deltas on their folder's hub
    monkeypatch.setattr(gitpack._Folder, "hub_delta", lambda self: hubbed.append(hub_delta(self)) or hubbed[-1])
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "rules").mkdir()
    (root / "rules" / "a.yml").write_text("a: 1\n", encoding="utf-8")
    (root / "records-x").write_text("a file sorted between a folder and its name/\n", encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "init")
    history = PackedHistory(str(root))
    files = {}
    people = b"author T <t@x> 1700000000 +0800\ncommitter T <t@x> 1700000000 +0800\n"
    # a folder growing past what is stored uncompressed (4 KB), one file changed over MAX_DEPTH times (chains
    # of deltas cut), a file beside the records folder, folders made on the way
    steps = [f"records/2026/11/20261105-J{i:03d}-0{i % 7}.md" for i in range(150)]
    steps += ["records/2026/11/20261105-J007-00.md"] * 60 + ["records/2026/12/new.md", "records.md", "top.md"]
    # a new version given whole, or (every other one) as the line put before the body of the last one
    tail = "---\n正文\n"
    for n, path in enumerate(steps):
        line, message = f"  - {{n: {n}, what: 登记}}\n", f"step {n}\n\nShouwen-Record: {path}\n".encode()
        known, old = path in files, files.get(path, "---\nid: x\nevents:\n" + tail)
        files[path] = old[:-len(tail)] + line + tail
        if known and n % 2:
            history.insert(people, message, path.encode(), len(old.encode()) - len(tail.encode()), line.encode())
        else:
            history.commit(people, message, path.encode(), files[path].encode())
    history.close()
    assert len([d for d in hubbed if d]) >= 2          # fsck reads each back to its id: the deltas are right
    fsck = subprocess.run(["git", "-C", str(root), "fsck", "--strict", "--no-dangling"], capture_output=True,
                          text=True)
    assert fsck.returncode == 0 and fsck.stdout + fsck.stderr == "", fsck.stdout + fsck.stderr
    assert _git(root, "rev-list", "--count", "HEAD") == f"{len(steps) + 1}\n"
    assert _git(root, "status", "--porcelain") == ""
    for path, text in files.items():
        assert (root / path).read_text(encoding="utf-8") == text
    old = lambda rev: _git(root, "show", f"{rev}:records/2026/11/20261105-J007-00.md").count("\n  - ")
    assert (old("HEAD~63"), old("HEAD~62"), old("HEAD~3")) == (1, 2, 61)
    # the same files added by git itself give the same tree
    other = tmp_path / "o"
    _git(tmp_path, "clone", "-q", str(root), str(other))
    _git(other, "rm", "-rq", "records", "records.md", "top.md")
    for path, text in files.items():
        os.makedirs(os.path.dirname(other / path), exist_ok=True)
        (other / path).write_text(text, encoding="utf-8")
    _git(other, "add", "-A")
    assert _git(other, "write-tree") == _git(root, "rev-parse", "HEAD^{tree}")
    assert _git(root, "log", "-1", "--format=%an %at%n%B", "HEAD") == f"T 1700000000\nstep {len(steps) - 1}\n\n" \
        "Shouwen-Record: top.md\n\n"


def test_a_history_written_in_the_background_reports_its_failure(tmp_path):
    from shouwen.repo.gitio import GitError
    from shouwen.repo.gitio.history import BackgroundHistory
    history = BackgroundHistory(str(tmp_path))          # no repository here: the writer fails, the caller hears
    history.commit(b"author T <t@x> 1 +0000\ncommitter T <t@x> 1 +0000\n", b"m\n", b"a.md", b"a\n")
    with pytest.raises(GitError, match="GitError"):
        history.close()


def test_a_work_tree_unlike_the_commits_is_refused(tmp_path):
    """The demo writes its work tree's files itself (no checkout): Git's index is made from the new tree and
    the files, and a file unlike its commit is an error, not a silently dirty work tree."""
    from shouwen.repo.gitio import GitError
    from shouwen.repo.gitio.history import index_from_head, write_files
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "--allow-empty", "-m", "init")
    history = PackedHistory(str(root))
    history.commit(b"author T <t@x> 1 +0000\ncommitter T <t@x> 1 +0000\n", b"m\n", b"a/b.md", b"b\n")
    history.close(work_tree=False)
    write_files(str(root), [("a/b.md", b"other\n")])
    with pytest.raises(GitError, match="a/b.md"):
        index_from_head(str(root))
    write_files(str(root), history.files())
    index_from_head(str(root))
    assert _git(root, "status", "--porcelain") == ""
