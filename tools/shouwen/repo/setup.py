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
ATTRIBUTES = (("records/**/*.md", ("merge=shouwen", "eol=lf")), ("rules/**", ("text=auto", "eol=lf")))
GITATTRIBUTES = "".join(f"{pattern} {' '.join(attrs)}\n" for pattern, attrs in ATTRIBUTES)


def completed_attributes(text: str) -> str:
    """A .gitattributes text with shouwen's two lines in it: a line for the pattern gains the attributes it lacks
    (one it sets otherwise, as `eol=crlf`, takes ours), a missing line is added; the text as it is when whole."""
    lines = text.split("\n") if text else []
    if lines and lines[-1] == "":
        lines.pop()
    for pattern, attrs in ATTRIBUTES:
        at = next((i for i, ln in enumerate(lines) if ln.split()[:1] == [pattern]), None)
        if at is None:
            lines.append(f"{pattern} {' '.join(attrs)}")
            continue
        tokens = lines[at].split()
        for attr in attrs:
            name = attr.split("=")[0]
            same = [k for k, t in enumerate(tokens) if t.lstrip("-!").split("=")[0] == name]
            if not same:
                tokens.append(attr)
            elif tokens[same[0]] != attr:
                tokens[same[0]] = attr
        if tokens != lines[at].split():
            lines[at] = " ".join(tokens)
    new = "\n".join(lines) + "\n"
    return text if new == (text if text.endswith("\n") else text + "\n") else new


def complete_attributes(root: str, rules, badge: str | None) -> tuple[str, list[str]]:
    """An agency made before a line of GITATTRIBUTES existed (`eol=lf` came later) gets it from `shouwen setup`:
    committed to .gitattributes by someone who may change the configuration (`roster`); for anybody else the
    lines go to this clone's own .git/info/attributes, which Git reads first, so that the clone is protected at
    once with nothing uncommitted for `sync` to trip on. Returns ("complete" | "committed" | "local", the lines
    .gitattributes lacks)."""
    from ..core.roles import may
    from .writer import commit_files
    path = os.path.join(root, ".gitattributes")
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    new = completed_attributes(text)
    if new == text:
        return "complete", []
    lacking = [ln for ln in new.split("\n") if ln and ln not in text.split("\n")]
    if badge and may(rules, badge, "roster"):
        commit_files(root, rules, {".gitattributes": new}, badge, "补全 .gitattributes：记录和规则按 LF 换行检出", {})
        return "committed", lacking
    info = gitio.git(root, "rev-parse", "--git-path", "info/attributes").strip()
    info = info if os.path.isabs(info) else os.path.join(root, info)
    own = open(info, encoding="utf-8").read() if os.path.exists(info) else ""
    if completed_attributes(own) != own:
        os.makedirs(os.path.dirname(info), exist_ok=True)
        with open(info, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(completed_attributes(own))
    return "local", lacking


def install_merge_driver(path: str) -> None:
    """Register the union merge driver for records in this clone (config is per clone, not versioned); where
    the agency's .gitattributes lacks a line, this clone has it in .git/info/attributes (complete_attributes)."""
    py = shlex.quote(sys.executable)
    gitio.git(path, "config", "merge.shouwen.name", "shouwen: union of both desks' events")
    gitio.git(path, "config", "merge.shouwen.driver", f"{py} -m shouwen merge-driver %O %A %B %P")
    complete_attributes(path, None, None)


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
    with open(os.path.join(path, ".gitattributes"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(GITATTRIBUTES)
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
