"""Which files of a commit the audit reads, and what they are: records, the office's configuration, a clone's own
state, and paths that only look like one of these (pure)."""
from __future__ import annotations

from ..core.ids import KINDS

# what runs code or rules on the office's behalf: rules, site configuration, hooks, any forge's CI
CONFIG_PREFIXES = ("rules/", "hooks/", ".gitea/", ".github/", ".forgejo/", ".ci/", ".githooks/", ".woodpecker/",
                   ".circleci/", "site/overrides/")     # the theme's and the pages' templates
CONFIG_FILES = {"mkdocs.yml", ".gitlab-ci.yml", ".gitattributes", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
                ".woodpecker.yml", ".drone.yml", ".travis.yml", "Jenkinsfile", "azure-pipelines.yml",
                "bitbucket-pipelines.yml", "zensical.toml"}



def is_record(path: str) -> bool:
    return path.startswith("records/") and path.endswith(".md")


# what changes how Git itself shows, merges or checks out the history, wherever it lies
GIT_CONTROL = (".gitattributes", ".mailmap", ".gitmodules")


def is_config(path: str) -> bool:
    return path in CONFIG_FILES or path.startswith(CONFIG_PREFIXES) or path.rsplit("/", 1)[-1] in GIT_CONTROL


_KINDS = set(KINDS.values())
# the first folder or file name of everything the audit reads, by its lower case
_TOPS = {t.lower(): t for t in {"records", "rules", "site", ".shouwen"} | CONFIG_FILES |
         {p.split("/", 1)[0] for p in CONFIG_PREFIXES}}


# what a desktop leaves in every folder it shows: over no record, read by nothing
JUNK = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini"}


def lookalike(path: str) -> str | None:
    """Why `path` is not an audited file although a desk whose file system ignores case (Windows, macOS) would
    check it out over one (`Records/…`, `….MD`, `records/Inquiries/…`); None for any other path (a desktop's junk
    included)."""
    parts = path.split("/")
    if parts[-1].lower() in JUNK:
        return None
    top = _TOPS.get(parts[0].lower())
    if top is not None and parts[0] != top:
        return f"与 {top}{path[len(top):]} 只差大小写"
    if top != "records" or len(parts) < 2:
        return None
    if parts[1] not in _KINDS and parts[1].lower() in _KINDS:
        return f"与 records/{parts[1].lower()}/… 只差大小写"
    name = parts[-1]
    if name.lower().endswith(".md") and not name.endswith(".md"):
        return f"与 {path[:-3]}.md 只差大小写"
    if not name.endswith(".md") and name != ".gitkeep" and name not in GIT_CONTROL:     # those are configuration
        return "records/ 下只能有记录（.md）文件"
    return None


def is_state(path: str) -> bool:
    """shouwen's local state (store.STATE), or the folder's own name (a symlink in its place)."""
    return path == ".shouwen" or path.startswith(".shouwen/")


def record_of(path: str | None) -> str | None:
    if path and is_record(path):
        return path.rsplit("/", 1)[-1][:-3].split(".")[0]
    return None
