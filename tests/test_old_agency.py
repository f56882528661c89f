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
