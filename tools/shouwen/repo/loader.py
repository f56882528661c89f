"""Reading the agency's rules from disk or from a commit: the I/O edge around `core.rules`."""
from __future__ import annotations

import bisect
import hashlib
import json
import os
import pickle
import stat
import time
from datetime import datetime
from dataclasses import replace

from ..core import safeyaml
from ..core.problems import ERROR, Problem
from ..core.record import Record
from ..core.roles import check_references
from ..core.record import local_day
from ..core.record import parse as parse_document
from ..core.rules_schema import CALENDAR, INSTITUTION, POLICY, SERVICE, STAFF, cross_checks
from ..core.schema import DROP, clean, unsafe_text
from ..core.rules import (Rules, Service, _p, parse_calendar, parse_departments, parse_policy,
                          parse_service, parse_staff)
from ..core.synonyms import SEARCH_FILE, parse_synonyms
from . import gitio


def _read_yaml(root, rel, problems, required=True):
    p = os.path.join(root, rel)
    if not os.path.exists(p):
        if required:
            problems.append(_p(rel, None, "文件不存在"))
        return {}
    try:
        data = _read_bounded(p)
        data = safeyaml.load(data.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem("encoding", "文件不是 UTF-8 编码", path=rel))
        return {}
    except (safeyaml.LoadError, OSError) as e:
        problems.append(Problem("yaml-invalid", str(e) if isinstance(e, safeyaml.LoadError) else f"无法读取：{e}",
                                path=rel))
        return {}
    if data is not None and not isinstance(data, dict):
        problems.append(_p(rel, None, "顶层应为键值映射"))
        return {}
    return data or {}


def _read_bounded(path: str) -> bytes:
    """A rules file's bytes, refusing what is not a regular file or is far too large to be one."""
    if not stat.S_ISREG(os.stat(path).st_mode):     # a FIFO or device would block or never end
        raise safeyaml.LoadError("不是普通文件")
    with open(path, "rb") as fh:
        data = fh.read(safeyaml.MAX_BYTES + 1)
    if len(data) > safeyaml.MAX_BYTES:
        raise safeyaml.LoadError(f"文件过大（上限 {safeyaml.MAX_BYTES} 字节）")
    return data


RULES_CACHE = os.path.join(".shouwen", "cache", "rules-v1.pickle")
RACY_SECONDS = 2.0      # a file changed this recently may change again within its timestamp: not cached yet


def _stat_key(root: str) -> tuple[tuple, float]:
    """What the parsed rules depend on, by stat alone (no file read): every file under rules/ (symlinked
    folders followed) by path, size, mtime, ctime and inode, and the sources that parse them; with the
    newest time among the rules files."""
    rows, newest = [], 0.0
    base = os.path.join(root, "rules")
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:
                rows.append((full, None))
                continue
            rows.append((os.path.relpath(full, base), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            newest = max(newest, st.st_mtime_ns / 1e9, st.st_ctime_ns / 1e9)
    return tuple(rows) + code_stamp(), newest


def code_stamp() -> tuple:
    """The sources that parse the rules, by stat, and the version: a cache of parsed rules made by other
    code is never served."""
    from .. import __version__, core
    here = os.path.dirname(core.__file__)
    rows = []
    for path in [os.path.join(here, n) for n in sorted(os.listdir(here)) if n.endswith(".py")] + [__file__]:
        st = os.stat(path)
        rows.append((path, st.st_size, st.st_mtime_ns))
    return tuple(rows) + (__version__,)


def load_rules(root: str, cache: bool = True) -> Rules:
    """The agency's rules. Parsed once per change of rules/: the result is kept under .shouwen/cache, keyed
    by the files' stat data (as Git trusts its index), so a command that writes one record does not read
    and validate a dozen YAML files again. A cache that can't be read or written only costs time."""
    if not cache:
        return _load_rules(root)
    file = os.path.join(root, RULES_CACHE)
    key, newest = _stat_key(root)
    try:
        with open(file, "rb") as fh:
            kept_key, rules = pickle.load(fh)
        if kept_key == key:
            rules.root = root
            return rules
    except Exception:       # missing, torn, or from other code: read the rules again
        pass
    rules = _load_rules(root)
    if newest < time.time() - RACY_SECONDS:
        try:
            os.makedirs(os.path.dirname(file), exist_ok=True)
            tmp = f"{file}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump((key, rules), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass
    return rules


def _load_rules(root: str) -> Rules:
    problems: list[Problem] = []
    unreadable: set[str] = set()

    def read(rel, spec, required=True):
        n = len(problems)
        data = _read_yaml(root, rel, problems, required)
        if len(problems) > n:
            unreadable.add(rel)
            return None
        data = clean(data, spec, rel, problems)        # a value of the wrong type: reported, then dropped
        return {} if data is DROP else data

    inst = read("rules/institution.yml", INSTITUTION)
    departments = parse_departments(inst or {}, "rules/institution.yml", problems)
    staff_data = read("rules/staff.yml", STAFF)
    staff = parse_staff(staff_data, "rules/staff.yml", departments if inst is not None else None, problems)
    pol_data = read("rules/policy.yml", POLICY)
    policy = parse_policy(pol_data or {}, "rules/policy.yml", problems)
    cal = parse_calendar(read("rules/calendar.yml", CALENDAR, required=False) or {}, "rules/calendar.yml", problems)
    problems.extend(check_references(policy.permissions, departments, staff, "rules/policy.yml"))
    services: dict[str, Service] = {}
    sdir = os.path.join(root, "rules", "services")
    for name in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        if not name.endswith(".md"):
            continue
        rel = f"rules/services/{name}"
        try:
            doc = parse_document(rel, _read_bounded(os.path.join(sdir, name)))   # same reader as the records
        except (safeyaml.LoadError, OSError) as e:
            doc = Record(rel, {}, "", [Problem("yaml-invalid", f"无法读取：{e}", path=rel)])
        if doc.problems:
            problems.extend(replace(p, record=None) for p in doc.problems)
            unreadable.add(rel)
            continue
        meta = clean(doc.meta, SERVICE, rel, problems)
        svc = parse_service(name[:-3], {} if meta is DROP else meta, doc.body, rel, departments, problems)
        why = unsafe_text(doc.body)
        if why:
            problems.append(Problem("field-invalid", f"正文{why}", path=rel, field="正文"))
        if svc:
            svc.body = "" if why else svc.body
            services[svc.id] = svc
    synonyms, wrong = parse_synonyms(_read_yaml(root, SEARCH_FILE, problems, required=False), services)
    problems.extend(wrong)
    if inst is not None and staff_data is not None and pol_data is not None:
        problems.extend(cross_checks(inst, staff, pol_data, services, departments))
    inst = inst or {}
    unreadable |= {p.path for p in problems if p.severity == ERROR and p.path}
    rules = Rules(root, inst, departments, staff, services, policy, cal, problems, synonyms, frozenset(unreadable))
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
                h.update(_read_bounded(full))
            except (OSError, safeyaml.LoadError):
                h.update(b"\1unreadable")
    return h.hexdigest()


def load_rules_at(root: str, rev: str) -> Rules:
    """The rules as they are in a commit or tree (the index too, via `git write-tree`), named by their
    usual paths; `root` stays the repository so relative files resolve there."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        gitio.export_path(root, rev, "rules", os.path.join(tmp, "rules"))
        rules = load_rules(tmp, cache=False)
    rules.root = root
    return rules


RULES_HISTORY = os.path.join(".shouwen", "cache", "rules-history-v1.json")


def rule_commits(root: str) -> list:
    """The commits that changed rules/, oldest first. Reading them is a walk of the whole history (a third
    of a second at 60,000 commits), so they are kept with the HEAD they were read at: the same HEAD has
    the same history, and a HEAD that only added commits in a line adds those it shows."""
    head = gitio.head(root)
    if head is None:
        return []
    file = os.path.join(root, RULES_HISTORY)
    try:
        with open(file, encoding="utf-8") as fh:
            saved = json.load(fh)
        old, rows = saved["head"], [tuple(r) for r in saved["commits"]]
        if not all(len(r) == 2 and all(isinstance(x, str) for x in r) for r in rows):
            raise ValueError("not a list of (sha, date)")
    except (OSError, ValueError, KeyError, TypeError):
        old, rows = None, []
    if old == head:
        return rows
    more = gitio.path_commits(root, "rules", since=old, head=head) if old else None
    rows = rows + more if more is not None else gitio.path_commits(root, "rules", head=head)
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        tmp = f"{file}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"head": head, "commits": rows}, fh)
        os.replace(tmp, file)
    except OSError:
        pass        # only costs time
    return rows


class RulesInTime:
    """The rules as they stood on a day (DESIGN §9: judgements that depend on the roster use it as it
    stood): each commit that changed `rules/` applies from its own day on; before the first, the
    first; after the last, the rules in the work tree (or those of `rev`, as of that commit's history).
    Each version is read once."""

    def __init__(self, root: str, current: Rules, rev: str | None = None):
        self.root, self.current, self.rev = root, current, rev
        self._days: list | None = None
        self._shas: list = []
        self._loaded: dict = {}

    def _versions(self):
        if self._days is None:
            try:
                if self.rev is None or self.rev == gitio.head(self.root):
                    commits = rule_commits(self.root)
                else:
                    commits = gitio.path_commits(self.root, "rules", head=self.rev) or []
            except gitio.GitError:
                commits = []
            rows = [(local_day(datetime.fromisoformat(when)), sha) for sha, when in commits]
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
