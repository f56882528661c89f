"""A desk's fresh clone of an agency works like the repository it was cloned from: nothing the
commands need lives only in the folder `init` made."""
from __future__ import annotations

import shutil
import subprocess

from click.testing import CliRunner

from shouwen.cli import cli


def test_a_fresh_clone_of_a_new_agency_builds_its_site(agency, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", agency.path, str(clone)], check=True, capture_output=True)
    r = CliRunner().invoke(cli, ["--repo", str(clone), "site", "build"])
    assert r.exit_code == 0, r.output
    assert (clone / "public" / "index.html").exists()


def test_an_old_clone_without_the_site_folder_still_builds(agency, tmp_path):
    """Agencies made before `init` committed site/: their clones have no such folder."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", agency.path, str(clone)], check=True, capture_output=True)
    shutil.rmtree(clone / "site")
    assert not (clone / "site").exists()
    r = CliRunner().invoke(cli, ["--repo", str(clone), "site", "build"])
    assert r.exit_code == 0, r.output
