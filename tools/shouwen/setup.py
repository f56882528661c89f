"""Creating an agency repository (`shouwen init`)."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from importlib import resources

from . import gitio
from .problems import InputError

GITIGNORE = """.shouwen/
site/_generated/
/public/
__pycache__/
"""


GITATTRIBUTES = "records/**/*.md merge=shouwen\n"
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


def template_dir(name: str) -> str:
    return str(resources.files("shouwen") / "templates" / name)


def init_repo(directory: str, template: str = "bureau") -> str:
    path = os.path.abspath(directory)
    src = template_dir(template)
    if not os.path.isdir(src):
        raise InputError(f"没有模板 {template}")
    if os.path.exists(path) and os.listdir(path):
        raise InputError(f"{path} 已存在且不为空;请换一个目录")
    os.makedirs(path, exist_ok=True)
    shutil.copytree(os.path.join(src, "rules"), os.path.join(path, "rules"))
    for kind in ("inquiries", "complaints", "inspections", "commendations"):
        os.makedirs(os.path.join(path, "records", kind), exist_ok=True)
        open(os.path.join(path, "records", kind, ".gitkeep"), "w").close()
    os.makedirs(os.path.join(path, "site"), exist_ok=True)
    with open(os.path.join(path, ".gitignore"), "w", encoding="utf-8") as fh:
        fh.write(GITIGNORE)
    gitio.git(path, "init", "-q", "-b", "main")
    install_merge_driver(path)
    gitio.git(path, "add", "-A")
    env = {}
    if not gitio.config(path, "user.email"):
        env = {"GIT_AUTHOR_NAME": "shouwen", "GIT_AUTHOR_EMAIL": "init@shouwen.invalid",
               "GIT_COMMITTER_NAME": "shouwen", "GIT_COMMITTER_EMAIL": "init@shouwen.invalid"}
    gitio.git(path, "commit", "-q", "--no-verify", "-m", f"建立机构仓库(模板 {template})", env=env)
    return path
