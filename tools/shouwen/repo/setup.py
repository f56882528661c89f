"""Creating an agency repository (`shouwen init`)."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from importlib import resources

from . import gitio, signing
from ..core.problems import InputError

GITIGNORE = """.shouwen/
site/_generated/
/public/
__pycache__/
"""


# eol=lf: records and rules are checked out as the writer writes them, also where Git for Windows converts
# line ends (core.autocrlf=true): a CRLF record is not the writer's form, and the desk could append nothing.
# text=auto under rules/: a staff photo (rules/photos/) is binary, and eol=lf alone would make Git convert it
GITATTRIBUTES = "records/**/*.md merge=shouwen eol=lf\nrules/** text=auto eol=lf\n"


def install_merge_driver(path: str) -> None:
    """Register the union merge driver for records in this clone (config is per clone, not versioned)."""
    py = shlex.quote(sys.executable)
    gitio.git(path, "config", "merge.shouwen.name", "shouwen: union of both desks' events")
    gitio.git(path, "config", "merge.shouwen.driver", f"{py} -m shouwen merge-driver %O %A %B %P")
    attrs = os.path.join(path, ".gitattributes")
    text = open(attrs, encoding="utf-8").read() if os.path.exists(attrs) else ""
    if "merge=shouwen" not in text:
        with open(attrs, "a", encoding="utf-8") as fh:
            fh.write(GITATTRIBUTES)


HOOK_MARK = "# installed by shouwen setup"
HOOK_SHIM = '''"""MkDocs hook of the public site: all the work is in the shouwen package."""
from shouwen.publish.hook import on_config, on_files, on_post_build  # noqa: F401
'''


def install_pre_commit(path: str) -> str | None:
    """A plain git pre-commit hook running `check --staged` (through its lean entry point, shouwen.precommit:
    no command-line imports, and no `git rev-parse`, since git runs a hook at the top of the work tree),
    for clones without the pre-commit framework.

    Returns the hook's path, or None where another hook is already installed (never overwritten).
    """
    hooks = gitio.git(path, "rev-parse", "--git-path", "hooks").strip()
    hooks = hooks if os.path.isabs(hooks) else os.path.join(path, hooks)
    hook = os.path.join(hooks, "pre-commit")
    if os.path.exists(hook) and HOOK_MARK not in open(hook, encoding="utf-8", errors="replace").read():
        return None
    os.makedirs(hooks, exist_ok=True)
    with open(hook, "w", encoding="utf-8") as fh:
        py = shlex.quote(sys.executable)
        # Ctrl-C held back (blocked, still pending) until the package's quiet handler is in place, as the
        # launcher does (tools/bin/shouwen): git starts the hook, so a Ctrl-C during `git commit` never
        # shows a traceback from Python's own start-up
        fh.write(f"#!/bin/sh\n{HOOK_MARK}: refuse a commit whose records or rules are malformed\n"
                 f"if env --block-signal=INT true 2>/dev/null; then\n"
                 f"    exec env --block-signal=INT {py} -m shouwen.precommit\nfi\n"
                 f"exec {py} -m shouwen.precommit\n")
    os.chmod(hook, 0o755)
    return hook


def template_dir(name: str) -> str:
    return str(resources.files("shouwen") / "templates" / name)


def _office_key(anchor: str) -> str:
    """The key that signs the first commit: it must be the anchor's own, checked before anything is made."""
    fps = signing.read_anchor(anchor)
    key = signing.signing_key(os.getcwd())
    pub = signing.public_key(key) if key else None
    if pub is None or signing.fingerprint(pub) not in fps:
        raise InputError("要求签名的机构须由持信任锚私钥的办公室建立：请把 SHOUWEN_SIGNING_KEY 设为 "
                         f"{anchor} 对应的私钥")
    return key


def _require_signing(path: str, anchor: str, key: str) -> list[str]:
    """Turn on signing in the new agency's policy, keep the anchor outside the tracked tree, and
    return the options that sign the first commit with the office's key."""
    policy = os.path.join(path, "rules", "policy.yml")
    text = open(policy, encoding="utf-8").read()
    if "signing:\n  required: false" not in text:
        raise InputError(f"{policy}：找不到 signing.required 设置")
    with open(policy, "w", encoding="utf-8") as fh:
        fh.write(text.replace("signing:\n  required: false", "signing:\n  required: true"))
    gitdir = os.path.join(path, ".git", "shouwen")
    os.makedirs(gitdir, exist_ok=True)
    kept = os.path.join(gitdir, "trust-anchor.pub")
    shutil.copyfile(os.path.expanduser(anchor), kept)
    gitio.git(path, "config", "shouwen.trustAnchor", kept)
    return signing.sign_options(key)


def init_repo(directory: str, template: str = "bureau", anchor: str | None = None, policy_extra: str = "",
              when=None) -> str:
    """A new agency's repository from a template, committed; `policy_extra`: lines added to its rules/policy.yml;
    `when`: the first commit's date (a demo's history starts months back: no commit may be older than its parent)."""
    path = os.path.abspath(directory)
    src = template_dir(template)
    if not os.path.isdir(src):
        raise InputError(f"没有模板 {template}")
    key = _office_key(anchor) if anchor else None
    if os.path.exists(path) and os.listdir(path):
        raise InputError(f"{path} 已存在且不为空；请换一个目录")
    os.makedirs(path, exist_ok=True)
    shutil.copytree(os.path.join(src, "rules"), os.path.join(path, "rules"))
    if policy_extra:
        with open(os.path.join(path, "rules", "policy.yml"), "a", encoding="utf-8") as fh:
            fh.write(policy_extra)
    for kind in ("inquiries", "complaints", "inspections", "commendations", "reports"):
        os.makedirs(os.path.join(path, "records", kind), exist_ok=True)
        open(os.path.join(path, "records", kind, ".gitkeep"), "w").close()
    os.makedirs(os.path.join(path, "site"), exist_ok=True)
    open(os.path.join(path, "site", ".gitkeep"), "w").close()     # Git keeps no empty folder: clones need it
    # the public site: the same mkdocs.yml as this project's, its hook a two-line import of ours
    site_tpl = template_dir("site")
    shutil.copyfile(os.path.join(site_tpl, "mkdocs.yml"), os.path.join(path, "mkdocs.yml"))
    os.makedirs(os.path.join(path, "hooks"), exist_ok=True)
    with open(os.path.join(path, "hooks", "shouwen_site.py"), "w", encoding="utf-8") as fh:
        fh.write(HOOK_SHIM)
    # CI for the agency's central remote: inert until the repository is pushed to Gitea or GitLab
    ci = os.path.join(template_dir("ci"))
    os.makedirs(os.path.join(path, ".gitea", "workflows"), exist_ok=True)
    shutil.copyfile(os.path.join(ci, "gitea.yml"), os.path.join(path, ".gitea", "workflows", "shouwen.yml"))
    shutil.copyfile(os.path.join(ci, "gitlab.yml"), os.path.join(path, ".gitlab-ci.yml"))
    with open(os.path.join(path, ".gitignore"), "w", encoding="utf-8") as fh:
        fh.write(GITIGNORE)
    gitio.git(path, "init", "-q", "-b", "main")
    install_merge_driver(path)
    install_pre_commit(path)
    sign = _require_signing(path, anchor, key) if anchor else []
    gitio.git(path, "add", "-A")
    env = {}
    if not gitio.config(path, "user.email"):
        env = {"GIT_AUTHOR_NAME": "shouwen", "GIT_AUTHOR_EMAIL": "init@shouwen.invalid",
               "GIT_COMMITTER_NAME": "shouwen", "GIT_COMMITTER_EMAIL": "init@shouwen.invalid"}
    if when is not None:
        env = {**env, "GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    gitio.git(path, *sign, "commit", "-q", "--no-verify", "-m", f"建立机构仓库（模板 {template}）", env=env)
    return path
