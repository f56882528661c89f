"""Reading the agency's rules from disk or from a commit: the I/O edge around `core.rules`."""
from __future__ import annotations

import os
import stat
import time
from dataclasses import replace

from ..core import safeyaml
from ..core.problems import ERROR, Problem
from ..core.record import Record
from ..core.role_settle import settle_roles
from ..core.roles import check_references
from ..core.record import parse as parse_document
from ..core.rules_schema import CALENDAR, INSTITUTION, POLICY, SERVICE, STAFF, cross_checks
from ..core.schema import DROP, clean, unsafe_text
from ..core.rules import (Rules, Service, _p, parse_calendar, parse_departments, parse_policy,
                          parse_service, parse_staff)
from ..core.synonyms import SEARCH_FILE, parse_synonyms
from . import gitio
from .answers import MISSING, fingerprint, keep, read_kept


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
    now = time.time()
    key, newest = _stat_key(root)
    rules = read_kept(file, key)        # MISSING when absent, torn, or kept for other files or code
    if rules is not MISSING:
        rules.root = root
        return rules
    rules = _load_rules(root)
    year = time.localtime().tm_year       # the years a write's deadlines fall in, decided once with the rules
    rules.calendar.prepare((year - 1, year, year + 1))
    if newest < now - RACY_SECONDS:
        keep(file, key, rules)
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

    def dropped(rel, key):
        """The file's one list was of the wrong type (reported, dropped): what names it would only echo that."""
        return any(p.path == rel and p.field == key and p.severity == ERROR for p in problems)

    inst = read("rules/institution.yml", INSTITUTION)
    departments = parse_departments(inst or {}, "rules/institution.yml", problems)
    known = departments if inst is not None and not dropped("rules/institution.yml", "departments") else None
    staff_data = read("rules/staff.yml", STAFF)
    if staff_data is not None and dropped("rules/staff.yml", "staff"):
        staff_data = None
    staff = parse_staff(staff_data, "rules/staff.yml", known, problems)
    pol_data = read("rules/policy.yml", POLICY)
    policy = parse_policy(pol_data or {}, "rules/policy.yml", problems)
    cal = parse_calendar(read("rules/calendar.yml", CALENDAR, required=False) or {}, "rules/calendar.yml", problems)
    settle_roles(staff, (staff_data or {}).get("staff") or [], policy, problems)
    problems.extend(check_references(policy.permissions, known, staff if staff_data is not None else None,
                                     "rules/policy.yml"))
    services: dict[str, Service] = {}
    skipped = False        # a guide that did not load (or lost its header): a word of search.yml may name it
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
            skipped = True
            continue
        meta = clean(doc.meta, SERVICE, rel, problems)
        svc = parse_service(name[:-3], {} if meta is DROP else meta, doc.body, rel, known, problems)
        why = unsafe_text(doc.body)
        if why:
            problems.append(Problem("field-invalid", f"正文{why}", path=rel, field="正文"))
        skipped = skipped or svc is None or meta is DROP
        if svc:
            svc.body = "" if why else svc.body
            services[svc.id] = svc
    synonyms, wrong = parse_synonyms(_read_yaml(root, SEARCH_FILE, problems, required=False), services, skipped)
    problems.extend(wrong)
    if known is not None and staff_data is not None and pol_data is not None:
        problems.extend(cross_checks(inst, staff, pol_data, services, departments))
    inst = inst or {}
    unreadable |= {p.path for p in problems if p.severity == ERROR and p.path}
    rules = Rules(root, inst, departments, staff, services, policy, cal, problems, synonyms, frozenset(unreadable))
    rules.fingerprint = fingerprint(root)      # what the index's judgements were made under
    return rules


def load_rules_at(root: str, rev: str) -> Rules:
    """The rules as they are in a commit or tree (the index too, via `git write-tree`), named by their
    usual paths; `root` stays the repository so relative files resolve there."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in gitio.tree_files(root, rev, "rules"):
            full = os.path.join(tmp, "rules", name)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as fh:
                fh.write(data)
        os.makedirs(os.path.join(tmp, "rules"), exist_ok=True)
        rules = load_rules(tmp, cache=False)
    rules.root = root
    return rules
