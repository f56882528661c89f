"""An agency repository made by `shouwen init` before the package was laid out by layers still
checks and builds its site: its hook file imports `shouwen.mkdocs_hook`, a path kept as a shim."""
from __future__ import annotations

import os
import shutil
import subprocess

from click.testing import CliRunner

from shouwen.cli import cli

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "agency-0.1")


def _agency(tmp_path):
    path = tmp_path / "agency"
    shutil.copytree(FIXTURE, path)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "v0.1 agency"]):
        subprocess.run(["git", "-C", str(path), *args], check=True, env=env, capture_output=True)
    return path


def test_an_agency_made_before_the_layout_still_checks(tmp_path):
    path = _agency(tmp_path)
    assert "shouwen.mkdocs_hook" in (path / "hooks" / "shouwen_site.py").read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["--repo", str(path), "check", "--today", "2026-11-20", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"records": 1' in r.output


def test_an_agency_made_before_the_layout_still_builds_its_site(tmp_path):
    path = _agency(tmp_path)
    r = CliRunner().invoke(cli, ["--repo", str(path), "site", "build"])
    assert r.exit_code == 0, r.output
    assert (path / "public" / "guide" / "birth-registration" / "index.html").exists()
    assert (path / "public" / "kiosk" / "index.html").exists()


def _attr(path, name, rel):
    return subprocess.run(["git", "-C", str(path), "check-attr", name, "--", rel], capture_output=True,
                          text=True).stdout.strip().rsplit(": ", 1)[-1]


def test_setup_gives_an_agency_made_before_eol_lf_its_gitattributes_lines(tmp_path):
    """An agency made when .gitattributes said only `records/**/*.md merge=shouwen` (this fixture): `shouwen setup`
    by the office commits the missing lines (records and rules checked out with LF on a Windows desk too); run
    again, it changes nothing."""
    path = _agency(tmp_path)
    rec = "records/inquiries/2026/11/x.md"
    assert _attr(path, "eol", rec) == "unspecified"
    head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    r = CliRunner().invoke(cli, ["--repo", str(path), "setup", "--as", "J003"])
    assert r.exit_code == 0 and ".gitattributes" in r.output and "并提交" in r.output, r.output
    text = (path / ".gitattributes").read_text(encoding="utf-8")
    assert text == "records/**/*.md merge=shouwen eol=lf\nrules/** text=auto eol=lf\n", text
    assert _attr(path, "eol", rec) == "lf" and _attr(path, "eol", "rules/staff.yml") == "lf"
    assert _attr(path, "merge", rec) == "shouwen"
    log = subprocess.run(["git", "-C", str(path), "log", "--format=%an %s", f"{head.strip()}.."], capture_output=True,
                         text=True).stdout.splitlines()
    assert len(log) == 1 and log[0].startswith("赵文斌 "), log
    assert subprocess.run(["git", "-C", str(path), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    r = CliRunner().invoke(cli, ["--repo", str(path), "setup", "--as", "J003"])
    assert r.exit_code == 0 and "已齐全" in r.output, r.output
    assert subprocess.run(["git", "-C", str(path), "rev-list", "--count", f"{head.strip()}.."], capture_output=True,
                          text=True).stdout.strip() == "1"


def test_setup_by_a_clerk_protects_the_clone_and_leaves_the_shared_file_to_the_office(tmp_path):
    """Someone who may not change the agency's configuration: this clone gets the lines in .git/info/attributes
    (nothing to commit, nothing for sync to trip on), and is told that the office commits them."""
    path = _agency(tmp_path)
    with open(path / "rules" / "policy.yml", "a", encoding="utf-8") as fh:
        fh.write("permissions:\n  roster: [{department: office}]\n")
    subprocess.run(["git", "-C", str(path), "commit", "-qam", "roster", "--no-verify"], check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
    r = CliRunner().invoke(cli, ["--repo", str(path), "setup", "--as", "J005"])
    assert r.exit_code == 0 and "info/attributes" in r.output and "办公室" in r.output, r.output
    assert (path / ".gitattributes").read_text(encoding="utf-8") == "records/**/*.md merge=shouwen\n"
    assert subprocess.run(["git", "-C", str(path), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    assert _attr(path, "eol", "records/inquiries/2026/11/x.md") == "lf" and _attr(path, "eol", "rules/x.yml") == "lf"
    info = (path / ".git" / "info" / "attributes").read_text(encoding="utf-8")
    CliRunner().invoke(cli, ["--repo", str(path), "setup", "--as", "J005"])
    assert (path / ".git" / "info" / "attributes").read_text(encoding="utf-8") == info      # once


def test_sync_on_a_clone_without_the_lines_leaves_nothing_uncommitted(tmp_path):
    """`sync` registers the merge driver where a clone lacks it; the attributes it needs go to the clone's own
    .git/info/attributes, never into the tracked .gitattributes (an uncommitted change there would stop the
    next merge that brings the office's version)."""
    path = _agency(tmp_path)
    git = lambda *a: subprocess.run(["git", "-C", str(path), *a], capture_output=True, text=True, check=True,
                                    env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                                         "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
    git("rm", "-q", ".gitattributes")
    git("commit", "-qm", "no attributes", "--no-verify")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "central.git")], check=True)
    git("remote", "add", "origin", str(tmp_path / "central.git"))
    r = CliRunner().invoke(cli, ["--repo", str(path), "--as", "J005", "sync"])
    assert r.exit_code == 0, r.output
    assert git("status", "--porcelain").stdout == "" and not (path / ".gitattributes").exists()
    assert _attr(path, "merge", "records/inquiries/2026/11/x.md") == "shouwen"
    assert _attr(path, "eol", "records/inquiries/2026/11/x.md") == "lf"
