"""What makes plain `git log` tell another history than the commits hold: a shallow clone's cut-off start,
replace refs and a grafts file (shouwen's own git reads past the last two: see the package's environment)."""
from __future__ import annotations

import os

from . import _common_dir, _read, git, git_dir


def is_shallow(root: str) -> bool:
    """A shallow clone: its oldest commits stand without their parents, as if the history began there."""
    gd = git_dir(root)
    return bool(gd) and os.path.exists(os.path.join(_common_dir(gd), "shallow"))


def replacements(root: str) -> list[tuple[str, str]]:
    """(commit, what stands in for it) of every replace ref, and ("info/grafts", its first line) for a grafts
    file: what plain `git log` shows in place of the real history (shouwen itself reads past them)."""
    out = [tuple(line.split()) for line in git(root, "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)",
                                              "refs/replace/", check=False).splitlines() if len(line.split()) == 2]
    gd = git_dir(root)
    grafts = _read(os.path.join(_common_dir(gd), "info", "grafts")) if gd else None
    if grafts and grafts.strip():
        out.append(("info/grafts", grafts.strip().splitlines()[0]))
    return out
