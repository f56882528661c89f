"""What `shouwen init` gives an agency beyond its rules: site config, hooks, CI for its remote."""
import os
import re
import shlex

import yaml
from click.testing import CliRunner

from shouwen.cli import cli


def _shouwen_calls(text):
    """Every `shouwen …` command line a CI file runs, with shell variables given dummy values."""
    calls = []
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    for m in re.finditer(r"shouwen ([^\n;]+?)(?:;|\n|$| fi)", text):
        line = re.sub(r'"?\$\{?[A-Za-z_]+\}?[^" ]*"?', "anchor.pub", m.group(1)).strip()
        if line and not line.startswith(("check\"", "-")) and "'" not in line:
            calls.append(shlex.split(line))
    return calls


def test_ci_templates_run_real_commands(agency):
    gitea = agency.file(".gitea/workflows/shouwen.yml")
    gitlab = agency.file(".gitlab-ci.yml")
    for text in (gitea, gitlab):
        yaml.safe_load(text)
        calls = _shouwen_calls(text)
        assert {c[0] for c in calls} >= {"check", "audit", "site"}
        for call in calls:
            # every option a CI file passes exists: --help after them must succeed
            r = CliRunner().invoke(cli, ["--repo", agency.path, *call, "--help"])
            assert r.exit_code == 0, (call, r.output)
    assert "fetch-depth: 0" in gitea and "GIT_DEPTH: 0" in gitlab      # the audit needs the whole history
    # the kept .shouwen/ (pickles, vouched signatures) never travels from one branch's pipeline to another's:
    # whoever may push a branch could otherwise hand main's audit a cache of his making
    lab = yaml.safe_load(gitlab)["default"]["cache"]
    assert "$CI_COMMIT_REF_SLUG" in lab["key"]
    step = next(s for job in yaml.safe_load(gitea)["jobs"].values() for s in job["steps"]
                if "cache" in str(s.get("uses", "")))
    assert "github.ref" in step["with"]["key"] and "github.ref" in step["with"]["restore-keys"]


def test_pre_commit_framework_hook_is_declared():
    here = os.path.join(os.path.dirname(__file__), "..", ".pre-commit-hooks.yaml")
    hooks = yaml.safe_load(open(here, encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "shouwen-check")
    assert hook["entry"] == "shouwen check --staged" and hook["language"] == "python"
    assert hook["pass_filenames"] is False


def test_init_installs_the_plain_pre_commit_hook_and_setup_keeps_a_foreign_one(agency):
    hook = os.path.join(agency.path, ".git", "hooks", "pre-commit")
    assert "shouwen.precommit" in open(hook, encoding="utf-8").read() and os.access(hook, os.X_OK)
    with open(hook, "w", encoding="utf-8") as fh:
        fh.write("#!/bin/sh\necho mine\n")
    r = agency.run("setup")
    assert r.exit_code == 0 and "未覆盖" in r.output
    assert open(hook, encoding="utf-8").read() == "#!/bin/sh\necho mine\n"


def test_setup_on_a_fresh_clone_installs_the_hook_when_a_rule_has_an_error(agency, tmp_path, monkeypatch):
    """A service guide with an error (`收费: 无`) must not stop `setup` from protecting a fresh clone: the hook is
    installed; .gitattributes lacking a line then goes to the clone's own info/attributes, never an exit 2."""
    import subprocess
    from conftest import Agency
    guide = os.path.join(agency.path, "rules", "services", "birth-permit.md")
    text = open(guide, encoding="utf-8").read()
    open(guide, "w", encoding="utf-8").write(text.replace("收费: 不收费", "收费: 无", 1))
    agency.git("commit", "-q", "--no-verify", "-am", "guide")
    monkeypatch.setenv("SHOUWEN_BADGE", "J005")
    for lacking in (False, True):
        if lacking:
            open(os.path.join(agency.path, ".gitattributes"), "w", encoding="utf-8").write("records/**/*.md merge=shouwen\n")
            agency.git("commit", "-q", "--no-verify", "-am", "old attributes")
        clone = tmp_path / f"clone{lacking}"
        subprocess.run(["git", "clone", "-q", agency.path, str(clone)], check=True)
        r = Agency(clone).run("setup")
        assert r.exit_code == 0, r.output
        assert os.path.exists(clone / ".git" / "hooks" / "pre-commit")
        assert ("info/attributes" in r.output) == lacking and Agency(clone).status() == "", r.output
