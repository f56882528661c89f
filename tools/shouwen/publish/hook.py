"""The thin MkDocs hook: a plain `mkdocs build` gets the generated pages and the privacy guard.

All the work is in shouwen.disclosure (pages) and shouwen.privacy (the guard); this file only
hands their results to MkDocs. Agency repositories point `hooks:` at a two-line copy of it.
"""
from __future__ import annotations

import os
import shutil

from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from shouwen.publish import sitebuild

_state: dict = {}


def on_config(config):
    try:
        import jieba  # noqa: F401  (Material's search segments Chinese only when jieba is importable)
    except ImportError:
        raise PluginError("站内搜索需要 jieba 才能切分中文：pip install jieba")
    root = os.path.dirname(os.path.abspath(config.config_file_path))
    try:
        job = sitebuild.prepare(root)
    except sitebuild.RulesBroken as e:
        raise Abort(str(e))
    _state["job"] = job
    if job.rules.institution.get("name"):
        config.site_name = job.rules.institution["name"]
    return config


# Material's bundle names two scripts on unpkg.com that it loads only on demand: Mermaid (for
# diagrams, which these pages never have) and a ResizeObserver polyfill (for browsers older than
# any supported one). An empty inline script stands in, so the site names no other host at all.
EXTERNAL_ON_DEMAND = ("https://unpkg.com/mermaid@11/dist/mermaid.min.js", "https://unpkg.com/resize-observer-polyfill")


@event_priority(50)     # before the privacy plugin looks for external assets
def on_files(files, config):
    for f in files.media_files():
        if f.src_uri.startswith("assets/javascripts/bundle.") and f.src_uri.endswith(".js"):
            text = f.content_string
            if any(u in text for u in EXTERNAL_ON_DEMAND):
                for u in EXTERNAL_ON_DEMAND:
                    text = text.replace(u, "data:text/javascript,")
                f.content_string = text
    job = _state["job"]
    for path, content in job.site.files.items():
        if files.get_file_from_path(path) is None:          # a hand-written page of the same name wins
            files.append(File.generated(config, path, content=content))
    return files


NOT_FOUND = ("<h1>404 - Not found</h1>",
             "<h1>404：页面不存在</h1><p>您要找的页面不存在或已移动。请回到<a href=\"{home}\">首页</a>，"
             "或用页面上方的搜索查找。</p>")


def _chinese_404(config):
    """Material's 404 page says 'Not found' in English whatever the language: say it in Chinese."""
    path = os.path.join(config.site_dir, "404.html")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        home = config.site_url or "/"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace(NOT_FOUND[0], NOT_FOUND[1].format(home=home)))


def on_post_build(config):
    _chinese_404(config)
    problems = sitebuild.guard(_state["job"], config.site_dir)
    if problems:
        # a leaking site must not be left lying around for somebody to publish by mistake
        shutil.rmtree(config.site_dir, ignore_errors=True)
        raise Abort("\n".join(p.line() for p in problems) + f"\n已删除输出目录 {config.site_dir}")
