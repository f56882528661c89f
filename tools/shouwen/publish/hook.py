"""The thin MkDocs hook: a plain `mkdocs build` gets the generated pages and the privacy guard.

All the work is in shouwen.publish.disclosure (pages) and .privacy (the guard); this file only
hands their results to MkDocs. Agency repositories point `hooks:` at a two-line copy of it.
"""
from __future__ import annotations

import logging
import os
import shutil

from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from shouwen.core.problems import InputError
from shouwen.publish import sitebuild
from shouwen.publish.offline import is_theme_bundle, neutralise
from shouwen.publish.shard_files import Shard

log = logging.getLogger("mkdocs.hooks.shouwen")
OVERRIDES_URI = "overrides/"

_state: dict = {}


def on_config(config):
    try:
        import jieba  # noqa: F401  (Material's search segments Chinese only when jieba is importable)
    except ImportError:
        raise PluginError("站内搜索需要 jieba 才能切分中文：pip install jieba")
    root = os.path.dirname(os.path.abspath(config.config_file_path))
    try:
        job = sitebuild.prepare(root)
    except (sitebuild.RulesBroken, InputError) as e:     # broken rules, a cache committed into Git
        raise Abort(str(e))
    _state["job"] = job
    if job.rules.institution.get("name"):
        config.site_name = job.rules.institution["name"]
    return config


@event_priority(50)     # before the privacy plugin looks for external assets
def on_files(files, config):
    for f in files.media_files():
        if is_theme_bundle(f.src_uri):
            text = f.content_string
            if neutralise(text) != text:
                f.content_string = neutralise(text)
    for f in list(files):       # the agency's page templates and another engine's staging are no pages
        if f.src_uri.startswith((OVERRIDES_URI, "_generated/")):
            files.remove(f)
    job = _state["job"]
    for path in job.site.overrides:
        log.info(f"{sitebuild.OVERRIDE_NOTE}{path}")
    for note in job.site.notes:
        log.info(f"{sitebuild.NOTE}{note}")
    for path, content in job.site.files.items():
        if files.get_file_from_path(path) is not None:      # a hand-written page of the same name wins
            continue
        if isinstance(content, Shard):      # a kept lookup shard: put in place after the build, not copied
            job.placing[path] = content
        else:
            files.append(File.generated(config, path, content=content))
    return files


def on_post_build(config):
    sitebuild.chinese_404(config.site_dir, config.site_url or "/")
    sitebuild.place(_state["job"], config.site_dir)
    problems = sitebuild.guard(_state["job"], config.site_dir)
    if problems:
        # a leaking site must not be left lying around for somebody to publish by mistake
        shutil.rmtree(config.site_dir, ignore_errors=True)
        raise Abort("\n".join(p.line() for p in problems) + f"\n已删除输出目录 {config.site_dir}")
