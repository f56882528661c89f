"""Building the public site: the I/O around the pure generator (rules and records in, files out).

Used by the MkDocs hook, by `shouwen site build/serve/pages`, and by the tests.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from . import lookup, shard_files, site_records, verdicts, zensical
from .disclosure import Site, generate
from .pages import OVERRIDES, TemplateBroken
from ..core.problems import Problem
from .privacy import scan
from .site_config import SiteConfig as _SiteConfig, refusal as config_refusal
from ..core.problems import ERROR, InputError
from ..core.record import CST
from ..core.rules import Rules
from ..repo.loader import load_rules
from ..repo.store import refuse_committed_state


class RulesBroken(Exception):
    """The rules can't be read: the build stops with the same coded problem `check` gives."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("网站未生成，规则文件有错误：\n" + "\n".join(p.line() for p in problems))


@dataclass
class Job:
    root: str
    rules: Rules
    site: Site
    values: dict        # privacy.personal_values of every record: what the guard looks for in the output
    placing: dict = field(default_factory=dict)     # the kept shards the engine leaves to us: path -> Shard
    linked: dict = field(default_factory=dict)      # those put in the output as the kept file itself


def _now():
    from datetime import datetime
    return datetime.now(CST).replace(second=0, microsecond=0)


def derive_keys(root: str, progress) -> None:
    """Derive the lookup keys of records written before the writer kept them (`lookup` in the record) that the
    key cache lacks, saying how far it has got (`progress(done, total)`), so that the build, in MkDocs'
    process or Zensical's, finds them all; nothing to do when none is missing."""
    rules = load_rules(root)
    if any(p.severity == ERROR for p in rules.problems):
        return          # the build itself says what is wrong
    iterations = rules.policy.lookup_rounds
    today = _now().date()
    tree = site_records.shown_tree(root)
    key = site_records.memo_key(root, rules, today, tree)
    if key and site_records.holds(root, key):
        return          # the ledger has not changed since a build found every key
    ledger = site_records.shown_ledger(root, rules, today, tree)
    keys, kept = site_records.read_keys(root), lookup.stored_keys(ledger, iterations)
    todo = [(rid, code) for rid, code, _ in lookup.entries(ledger, rules)
            if (rid, code) not in kept and f"{rid}:{code}:{iterations}" not in keys]
    for n, (rid, code) in enumerate(todo, 1):
        keys[f"{rid}:{code}:{iterations}"] = lookup.derive(rid, code, iterations).hex()
        progress(n, len(todo))
    if todo:
        site_records.save_keys(root, keys, site_records.live_ids(ledger))


def prepare(root: str, today=None) -> Job:
    refuse_committed_state(root)        # no cache checked out from Git is read by the build
    tree = site_records.shown_tree(root)        # (before any commit: Git answers while the rules are read)
    rules = load_rules(root)
    broken = [p for p in rules.problems if p.severity == ERROR]
    if broken:
        if tree is not None:
            tree.status()       # its git is waited for, not left behind
        raise RulesBroken(broken)
    now = _now()
    today = today or now.date()
    records, values = site_records.records(root, rules, today, tree)
    site_records.note_shown(root, tree)
    try:
        site = generate(root, rules, None, today, iterations=rules.policy.lookup_rounds, now=now, records=records)
    except TemplateBroken as e:
        raise RulesBroken([Problem("rules-invalid", str(e), path=OVERRIDES)])
    _load_words(root, site.words)
    return Job(root, rules, site, values)


def _load_words(root: str, words: str):
    try:
        import jieba
    except ImportError:
        return
    path = os.path.join(root, ".shouwen", "cache", "jieba_user.txt")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(words)
        jieba.setLogLevel(60)
        jieba.load_userdict(path)
    except OSError:
        pass


def place(job: Job, site_dir: str) -> None:
    """The kept shards into the built site (publish.shard_files), after the engine wrote the rest."""
    job.linked = shard_files.place(site_dir, job.placing)


def guard(job: Job, site_dir: str):
    """The privacy guard over the built site: every file, save the linked shards it can judge from what it kept
    of them (publish.verdicts)."""
    if not job.linked:
        return scan(site_dir, job.values)
    plan = verdicts.Plan(job.root, site_dir, job.linked, job.values)
    problems = scan(site_dir, job.values, plan)
    plan.remember({p.path for p in problems})
    return problems


def write_pages(root: str, out_dir: str) -> int:
    """The generated pages into a folder, for an engine without MkDocs hooks (e.g. Zensical)."""
    job = prepare(root)
    for path, content in job.site.files.items():
        full = os.path.join(out_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(shard_files.content(content))
    return len(job.site.files)


ENGINES = ("mkdocs", "zensical")
# Lines `shouwen site build` shows from the engine's log (it hides the rest of INFO).
OVERRIDE_NOTE = "使用了自定义页面模板："
NOTE = "注意："


def default_engine() -> str | None:
    """MkDocs first while Material lives (end of life 2027-05-05), then Zensical."""
    if importlib.util.find_spec("mkdocs") and importlib.util.find_spec("material"):
        return "mkdocs"
    return "zensical" if zensical.available() else None


class BuildFailed(Exception):
    """The engine refused, or the guard found personal data: the lines say why."""

    def __init__(self, lines: list[str], leak: bool = False):
        self.lines, self.leak = lines, leak
        super().__init__("\n".join(lines))


NOT_FOUND = ("<h1>404 - Not found</h1>",
             "<h1>404：页面不存在</h1><p>您要找的页面不存在或已移动。请回到<a href=\"{home}\">首页</a>，"
             "或用页面上方的搜索查找。</p>")


def chinese_404(site_dir: str, home: str):
    """Both themes' 404 page says 'Not found' in English whatever the language: say it in Chinese."""
    path = os.path.join(site_dir, "404.html")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace(NOT_FOUND[0], NOT_FOUND[1].format(home=home)))


def zensical_build(root: str, out: str) -> Job:
    """The whole site with Zensical into `out` (see publish/zensical.py); RulesBroken for bad
    rules, BuildFailed when Zensical refuses or the output would leak."""
    why = config_refusal(root)
    if why:
        raise InputError(f"网站未生成：{why}")
    try:
        config = zensical.load_config(root, _SiteConfig)
    except zensical.ConfigUnreadable as e:
        raise RulesBroken([Problem("rules-invalid", str(e), path="mkdocs.yml")])
    job = prepare(root)
    cfg = zensical.stage_config(config, job.rules.institution.get("name"), root)
    files = {p: c for p, c in job.site.files.items() if not isinstance(c, shard_files.Shard)}
    where = zensical.stage(root, files, str(config.get("docs_dir") or "docs"), cfg)
    job.placing = {p: c for p, c in job.site.files.items()      # a hand-written page of the same name wins
                   if p not in files and not os.path.exists(os.path.join(where, "docs", p))}
    proc = zensical.run(where)
    if proc.returncode != 0:
        lines = [l for l in (proc.stdout + proc.stderr).splitlines()
                 if l.strip() and not l.startswith(("Traceback", "  ", "RuntimeError", "Build started"))]
        raise BuildFailed(lines + ["Zensical 未能生成网站（--strict：任何警告都使构建失败）"])
    built = zensical.finish(where)
    chinese_404(built, config.get("site_url") or "/")
    place(job, built)
    problems = guard(job, built)
    if problems:
        shutil.rmtree(where, ignore_errors=True)     # a leaking site must not be left for somebody to publish
        raise BuildFailed([p.line() for p in problems], leak=True)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    shutil.move(built, out)
    return job


def mkdocs(root: str, *args: str) -> subprocess.CompletedProcess:
    why = config_refusal(root)
    if why:
        raise InputError(f"网站未生成：{why}")
    cfg = os.path.join(root, "mkdocs.yml")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")   # the banner is for authors, not for desk staff
    return subprocess.run([sys.executable, "-m", "mkdocs", *args, "-f", cfg], capture_output=True, text=True, cwd=root, env=env)
