"""The site with Zensical, Material's successor: the same pages, guard and offline promise as
the MkDocs build, without MkDocs hooks (Zensical runs none).

Zensical reads mkdocs.yml but wants docs_dir and site_dir inside the folder of its
configuration, and it can't be handed generated pages. So the build stages one folder under
.shouwen/ (git-ignored): the hand-written pages of site/ with the generated ones beside them (a
hand-written page of the same name wins, as in the hook), and a copy of mkdocs.yml with the
hook removed and the folders pointed there. After Zensical, the theme bundle's on-demand CDN
names are neutralised, the privacy guard scans the output (a leak deletes it), and only then is
it moved to the output folder.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import yaml

from .offline import is_theme_bundle, neutralise

PINNED = "0.0.73"            # the version the tests run; pyproject.toml pins the same
STAGE = os.path.join(".shouwen", "zensical")
# What Zensical's privacy plugin may leave to us: the theme bundle's on-demand scripts, which
# offline.neutralise empties after the build. Anything else from another host fails --strict.
BUNDLE_ON_DEMAND = ["unpkg.com/pyodide@*", "unpkg.com/ace-builds@*", "unpkg.com/glightbox@*", "unpkg.com/mermaid@*",
                    "unpkg.com/resize-observer-polyfill*", "cdn.jsdelivr.net/pyodide/*"]
SEARCH_OPTIONS = {"enabled", "separator"}       # Zensical's search refuses the others (lang, jieba_dict…)
# What the pinned version's search dialog says in English whatever the site's language, in its bundle's own
# spelling, and what the public reads instead. Its names and placeholder are put into Chinese by shouwen.js
# as it draws them; these texts it keeps in a node of its own, so they are put into the bundle itself.
SEARCH_TEXTS = [
    (re.compile(r'`\$\{new Intl\.NumberFormat\("en-US"\)\.format\((\w+)\)\} \$\{\1===1\?"result":"results"\}`'),
     r'`找到 ${new Intl.NumberFormat("zh-CN").format(\1)} 个符合条件的结果`'),
    (re.compile(re.escape('"No results"')), '"没有找到符合条件的结果"'),
    (re.compile(re.escape('"Loading search\\u2026"')), '"正在加载搜索……"'),
    (re.compile(re.escape('"Search is unavailable. Reload the page to try again."')), '"搜索暂时不可用，请刷新页面后再试。"'),
]


class ConfigUnreadable(Exception):
    pass


def available() -> bool:
    return importlib.util.find_spec("zensical") is not None


def load_config(root: str, loader=yaml.SafeLoader) -> dict:
    """mkdocs.yml as data; `loader` may know MkDocs' own tags (sitebuild's does)."""
    path = os.path.join(root, "mkdocs.yml")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ConfigUnreadable(f"mkdocs.yml 无法读取：{str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigUnreadable("mkdocs.yml 应为一个映射（site_name、theme、plugins 等）")
    return data


def stage_config(config: dict, site_name: str | None, root: str) -> dict:
    """mkdocs.yml for Zensical in the staging folder (`root` is the agency's repository, where a
    theme's custom_dir still lies). Pure."""
    cfg = dict(config)
    cfg.pop("hooks", None)
    cfg.update(docs_dir="docs", site_dir="public", strict=True)
    theme = cfg.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        cfg["theme"] = {**theme, "custom_dir": os.path.join(root, str(theme["custom_dir"]))}
    if site_name:
        cfg["site_name"] = site_name
    plugins = []
    for p in cfg.get("plugins") or []:
        name, opts = (p, {}) if isinstance(p, str) else next(iter(p.items()))
        opts = dict(opts or {})
        if name == "search":
            opts = {k: v for k, v in opts.items() if k in SEARCH_OPTIONS}
        elif name in ("privacy", "material/privacy"):
            opts["assets_exclude"] = list(opts.get("assets_exclude") or []) + BUNDLE_ON_DEMAND
        plugins.append({name: opts})
    cfg["plugins"] = plugins
    return cfg


def stage(root: str, files: dict, docs_dir: str, config: dict) -> str:
    """The staging folder, filled afresh: Zensical's own cache is left out on purpose, since a
    cached build once reported pages missing that were there."""
    where = os.path.join(root, STAGE)
    shutil.rmtree(where, ignore_errors=True)
    docs = os.path.join(where, "docs")
    src = os.path.join(root, docs_dir)
    if os.path.isdir(src):
        shutil.copytree(src, docs, ignore=shutil.ignore_patterns("overrides", "_generated"))
    os.makedirs(docs, exist_ok=True)
    for path, content in files.items():
        full = os.path.join(docs, path)
        if os.path.exists(full):            # a hand-written page of the same name wins
            continue
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(content, bytes):
            with open(full, "wb") as fh:
                fh.write(content)
        else:
            with open(full, "w", encoding="utf-8") as fh:
                fh.write(content)
    with open(os.path.join(where, "mkdocs.yml"), "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True, sort_keys=False)
    return where


def run(where: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", os.path.join(where, "mkdocs.yml")],
                          capture_output=True, text=True, cwd=where, env=env)


def in_chinese(bundle: str) -> str:
    """The search dialog's own texts of the theme bundle in Chinese (SEARCH_TEXTS)."""
    for english, chinese in SEARCH_TEXTS:
        bundle = english.sub(chinese, bundle)
    return bundle


def finish(where: str) -> str:
    """Neutralise the theme bundle's CDN names in the output and put its search texts into Chinese; returns
    the output folder."""
    out = os.path.join(where, "public")
    for dirpath, _, names in os.walk(out):
        for name in names:
            full = os.path.join(dirpath, name)
            if is_theme_bundle(os.path.relpath(full, out)):
                with open(full, encoding="utf-8") as fh:
                    text = fh.read()
                with open(full, "w", encoding="utf-8") as fh:
                    fh.write(in_chinese(neutralise(text)))
    return out
