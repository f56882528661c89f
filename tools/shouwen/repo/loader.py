"""Reading the agency's rules from disk or from a commit: the I/O edge around `core.rules`."""
from __future__ import annotations

import bisect
import hashlib
import os
import tempfile
from datetime import datetime
from dataclasses import replace

import yaml

from ..core.problems import Problem
from ..core.roles import check_references
from ..core.record import local_day
from ..core.record import parse as parse_document
from ..core.rules import (Rules, Service, _p, parse_calendar, parse_departments, parse_policy,
                          parse_service, parse_staff, yaml_message)
from ..core.synonyms import SEARCH_FILE, parse_synonyms
from . import gitio


def _read_yaml(root, rel, problems, required=True):
    p = os.path.join(root, rel)
    if not os.path.exists(p):
        if required:
            problems.append(_p(rel, None, "文件不存在"))
        return {}
    try:
        with open(p, encoding="utf-8") as fh:
            data = yaml.load(fh.read(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        problems.append(Problem("encoding", "文件不是 UTF-8 编码", path=rel))
        return {}
    except yaml.YAMLError as e:
        problems.append(Problem("yaml-invalid", f"YAML 格式错误：{yaml_message(e)}", path=rel))
        return {}
    if data is not None and not isinstance(data, dict):
        problems.append(_p(rel, None, "顶层应为键值映射"))
        return {}
    return data or {}


def load_rules(root: str) -> Rules:
    problems: list[Problem] = []
    inst = _read_yaml(root, "rules/institution.yml", problems)
    departments = parse_departments(inst, "rules/institution.yml", problems)
    staff = parse_staff(_read_yaml(root, "rules/staff.yml", problems), "rules/staff.yml", departments, problems)
    policy = parse_policy(_read_yaml(root, "rules/policy.yml", problems), "rules/policy.yml", problems)
    problems.extend(check_references(policy.permissions, departments, staff, "rules/policy.yml"))
    cal = parse_calendar(_read_yaml(root, "rules/calendar.yml", problems, required=False),
                         "rules/calendar.yml", problems)
    services: dict[str, Service] = {}
    sdir = os.path.join(root, "rules", "services")
    for name in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        if not name.endswith(".md"):
            continue
        rel = f"rules/services/{name}"
        with open(os.path.join(sdir, name), "rb") as fh:
            doc = parse_document(rel, fh.read())   # same front-matter reader as the records
        if doc.problems:
            problems.extend(replace(p, record=None) for p in doc.problems)
            continue
        svc = parse_service(name[:-3], doc.meta, doc.body, rel, departments, problems)
        if svc:
            services[svc.id] = svc
    synonyms, wrong = parse_synonyms(_read_yaml(root, SEARCH_FILE, problems, required=False), services)
    problems.extend(wrong)
    rules = Rules(root, inst, departments, staff, services, policy, cal, problems, synonyms)
    rules.fingerprint = fingerprint(root)      # what the index's judgements were made under
    return rules


def fingerprint(root: str) -> str:
    """A digest of every file under rules/ (its path and bytes), symlinked folders followed."""
    h = hashlib.sha1()
    base = os.path.join(root, "rules")
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            h.update(os.path.relpath(full, base).encode("utf-8", "surrogateescape") + b"\0")
            try:
                with open(full, "rb") as fh:
                    h.update(fh.read())
            except OSError:
                h.update(b"\1unreadable")
    return h.hexdigest()


def load_rules_at(root: str, rev: str) -> Rules:
    """The rules as they are in a commit or tree (the index too, via `git write-tree`), named by their
    usual paths; `root` stays the repository so relative files resolve there."""
    with tempfile.TemporaryDirectory() as tmp:
        gitio.export_path(root, rev, "rules", os.path.join(tmp, "rules"))
        rules = load_rules(tmp)
    rules.root = root
    return rules


class RulesInTime:
    """The rules as they stood on a day (DESIGN §9: judgements that depend on the roster use it as it
    stood): each commit that changed `rules/` applies from its own day on; before the first, the
    first; after the last, the rules in the work tree. Each version is read once."""

    def __init__(self, root: str, current: Rules):
        self.root, self.current = root, current
        self._days: list | None = None
        self._shas: list = []
        self._loaded: dict = {}

    def _versions(self):
        if self._days is None:
            try:
                out = gitio.git(self.root, "log", "--reverse", "--format=%H %cI", "--", "rules")
            except gitio.GitError:
                out = ""
            rows = [(local_day(datetime.fromisoformat(when)), sha) for sha, when in
                    (line.split() for line in out.splitlines() if line.strip())]
            self._days, self._shas = [], [s for _, s in rows]
            for day, _ in rows:      # in commit order; a clock that ran behind never reorders versions
                self._days.append(max(day, self._days[-1]) if self._days else day)
        return self._days

    def key(self) -> str:
        """Which versions of the rules there are: part of what a judgement depends on."""
        self._versions()
        return hashlib.sha1(" ".join(self._shas).encode()).hexdigest()[:16]

    def on(self, day) -> Rules:
        days = self._versions()
        if len(days) < 2:
            return self.current
        i = max(bisect.bisect_right(days, day) - 1, 0)
        if i == len(days) - 1:
            return self.current
        sha = self._shas[i]
        if sha not in self._loaded:
            self._loaded[sha] = load_rules_at(self.root, sha)
        return self._loaded[sha]
