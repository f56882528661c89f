"""The agency's rules (DESIGN §4): institution, staff, services, policy, calendar.

Pure: `parse_*` functions take plain data and return objects and problems; reading the
files is `shouwen.repo.loader`'s job.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date


from .names import Vocabulary
from .yaml_zh import explain
from .roles import Permissions, parse_permissions
from .problems import Problem
from .clock import parse_clock
from .workdays import WorkCalendar, YearSchedule
from .synonyms import Synonyms
from .ids import BADGE_RE
from .lookup_key import ITERATIONS
from .quote import quoted

IMMEDIATE = "即办件"
PROMISED = "承诺件"


@dataclass
class Department:
    id: str
    name: str
    parent: str | None = None
    head: str | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class Staff:
    badge: str
    name: str
    title: str = ""
    department: str = ""
    role: str = "staff"
    emails: list = field(default_factory=list)
    public: bool = True
    raw: dict = field(default_factory=dict)
    left: date | None = None    # the last day they worked (`离职、调离`): known for history, given nothing after


@dataclass
class Service:
    id: str
    name: str
    kind: str                 # 即办件 | 承诺件
    legal_days: int           # 法定办结时限, working days
    promised_days: int        # 承诺办结时限, working days
    department: str | None
    materials: list
    raw: dict
    body: str = ""
    clock: object = None      # clock.Clock when the service counts its own way, else the scheme's


# The seed's assessment items (每个季度考核: 制度落实、登记、接待态度、办事效果、满意度), equal by default.
DEFAULT_WEIGHTS = {"制度落实": 0.2, "登记": 0.2, "接待态度": 0.2, "办事效果": 0.2, "满意度": 0.2}


@dataclass
class Policy:
    forward_limit: int = 2        # working days from registration to forwarding
    sign_off_limit: int = 1       # working days from forwarding to acceptance
    promise_limit: int = 0        # working days from acceptance to the promise
    verdict_limit: int = 10       # working days from complaint to verdict
    followup_limit: int = 5       # working days from a bad rating to its follow-up
    escalation_limit: float | None = None   # from 上报 to the superior's answer (None: sign_off_limit)
    sanction_limit: int = 10      # from a substantiated verdict to the recorded sanction
    suspend_limit: float = 20     # at most this long may the clock stand still per matter (补正)
    suspend_reasons: tuple = ("补正材料",)
    clock: object = None          # clock.Clock: workdays (default), days, or hours within service hours
    department_liability: str = "head"   # who answers for a complaint against a department: head | none
    late_entry_grace_hours: int = 24
    effective: date | None = None
    expires: date | None = None
    calendar_strict: bool = False
    signing_required: bool = False
    satisfaction: dict = field(default_factory=lambda: {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"})
    bad_ratings: tuple = (1, 2)
    escalation_chain: list = field(default_factory=list)
    ladder: object = None                     # ladder.Ladder, or None where the scheme has none
    ladders: list = field(default_factory=list)   # every ladder, each for its kinds of complaint
    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))   # quarterly assessment items
    inspection_items: list = field(default_factory=list)
    permissions: Permissions = field(default_factory=Permissions)   # who may do what (core.roles)
    correctable: tuple = ()          # header fields `correct` may mend; empty: core.corrections' default
    lookup_rounds: int = ITERATIONS  # PBKDF2 rounds of the lookup keys (`lookup.rounds`; fewer only for a demo)
    raw: dict = field(default_factory=dict)


@dataclass
class Rules:
    root: str
    institution: dict
    departments: dict[str, Department]
    staff: dict[str, Staff]
    services: dict[str, Service]
    policy: Policy
    calendar: WorkCalendar
    problems: list[Problem] = field(default_factory=list)
    synonyms: Synonyms = field(default_factory=Synonyms)     # rules/search.yml: the words people type
    unreadable: frozenset = frozenset()     # rules files that could not be read, or read with errors

    def echoes(self) -> set[str]:
        """Record problem codes that only repeat a broken rules file (every badge unknown when staff.yml has
        a missing brace, or a badge written as a list): the file's own problem is the one root cause to
        report; once it is fixed, any record that really names an unknown badge shows again."""
        out = set()
        if "rules/staff.yml" in self.unreadable:
            out.add("staff-unknown")
        if "rules/institution.yml" in self.unreadable:
            out.add("department-unknown")
        if any(f.startswith("rules/services/") for f in self.unreadable):
            out.add("service-unknown")
        return out

    @functools.cached_property
    def leavers(self) -> frozenset:
        """The badges with a last day (`left:`): none in most offices, so the per-event check is skipped."""
        return frozenset(b for b, s in self.staff.items() if s.left is not None)

    def staff_by_email(self, email: str) -> Staff | None:
        email = (email or "").strip().lower()
        for s in self.staff.values():
            if email in (e.lower() for e in s.emails):
                return s
        return None

    def department_of(self, badge: str) -> str | None:
        s = self.staff.get(badge) if isinstance(badge, str) else None
        return s.department if s else None

    def dept_name(self, dept_id: str | None) -> str:
        d = self.departments.get(dept_id) if isinstance(dept_id, str) else None
        return d.name if d else (dept_id or "")

    def service_for(self, sid) -> "Service | None":
        """The service a record names; None for none, an unknown id, or a malformed value (a list …)."""
        return self.services.get(sid) if isinstance(sid, str) else None

    def who(self, ref: str | None) -> str:
        """A badge or a department id, spelled for a person."""
        if not ref:
            return ""
        if not isinstance(ref, str):
            return str(ref)
        if ref == "agency":                 # a complaint against the agency itself
            return f"本机关（{self.institution.get('name', '')}）"
        if ref in self.staff:
            s = self.staff[ref]
            return f"{s.name}（{ref}）"
        return self.dept_name(ref)


def _p(path, field_, msg):
    return Problem("rules-invalid", msg, path=path, field=field_)


def _int(v, path, name, problems, default, hours=False):
    if v is None:
        return default
    ok = (int, float) if hours else int
    if isinstance(v, bool) or not isinstance(v, ok) or v < 0:
        problems.append(_p(path, name, f"应为非负数（小时），实为{quoted(v)}" if hours else f"应为非负整数（工作日数），实为{quoted(v)}"))
        return default
    return v


def _date(v, path, name, problems):
    if v is None:
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        problems.append(_p(path, name, f"日期格式应为 YYYY-MM-DD，实为{quoted(v)}"))
        return None


def parse_departments(inst: dict, path: str, problems: list) -> dict[str, Department]:
    out: dict[str, Department] = {}

    def walk(items, parent, where):
        if not isinstance(items, list):
            problems.append(_p(path, where, "应为部门列表"))
            return
        for i, d in enumerate(items):
            f = f"{where}[{i}]"
            if not isinstance(d, dict) or not d.get("id") or not d.get("name"):
                problems.append(_p(path, f, "每个部门须有 id 和 name"))
                continue
            if d["id"] in out:
                problems.append(_p(path, f"{f}.id", f"部门 id 重复：{d['id']}"))
            out[d["id"]] = Department(d["id"], d["name"], parent, d.get("head"), d)
            if d.get("children"):
                walk(d["children"], d["id"], f"{f}.children")

    walk(inst.get("departments") or [], None, "departments")
    return out


def parse_staff(data: dict, path: str, departments, problems) -> dict[str, Staff]:
    out: dict[str, Staff] = {}
    owners: dict[str, str] = {}         # e-mail (lower case) -> the badge it first belongs to
    if data is not None and not (data or {}).get("staff"):
        problems.append(_p(path, "staff", "名册中没有任何工作人员（staff: 列表）"))
    for i, s in enumerate((data or {}).get("staff") or []):
        f = f"staff[{i}]"
        if not isinstance(s, dict) or not s.get("badge") or not s.get("name"):
            problems.append(_p(path, f, "每位工作人员须有 badge（工号）和 name"))
            continue
        badge = str(s["badge"])
        if not BADGE_RE.match(badge):
            problems.append(_p(path, f"{f}.badge", f"工号格式不对：{quoted(badge)}（应为大写字母开头，如 J017）"))
            continue
        if badge in out:
            problems.append(_p(path, f"{f}.badge", f"工号重复：{badge}"))
        dept = s.get("department")
        if departments is not None and dept not in departments:
            # a clerk may write the department's Chinese name (综合受理科) instead of its id
            names = Vocabulary("部门", {d.id: (d.name,) for d in departments.values()}, "institution.yml")
            found = names.find(dept) if isinstance(dept, str) else None
            if found:
                dept = found
            else:
                problems.append(_p(path, f"{f}.department", names.refusal(dept, "department")))
        emails = s.get("emails") or []
        for j, e in enumerate(emails):
            # a Git identity is mapped to one person: an address on two badges would sign for both
            other = owners.setdefault(str(e).strip().lower(), badge)
            if other != badge:
                problems.append(_p(path, f"{f}.emails[{j}]", f"电子邮箱 {e} 已登记为 {other} 的 Git 身份，"
                                   "同一身份不能属于两人（提交者无法确定是谁）"))
        out[badge] = Staff(badge, s["name"], s.get("title", ""), dept or "",
                           s.get("role", "staff"), list(emails), bool(s.get("public", True)), s, s.get("left"))
    for d in (departments or {}).values() if data is not None else ():
        if d.head and d.head not in out:
            problems.append(_p(path, "departments", f"部门 {d.id} 的负责人 {d.head} 不在 staff.yml 中"))
    return out


SERVICE_REQUIRED = ("事项名称", "事项编码", "办件类型", "实施主体", "法定办结时限", "承诺办结时限",
                    "受理条件", "申请材料", "办理流程", "收费", "办理地点", "办理时间",
                    "咨询电话", "监督投诉电话", "设定依据")


def parse_service(sid: str, meta: dict, body: str, path: str, departments, problems) -> Service | None:
    if not isinstance(meta, dict):
        problems.append(_p(path, None, "办事指南须以 YAML 头信息开头"))
        return None
    for k in SERVICE_REQUIRED:
        if meta.get(k) in (None, "", []):
            problems.append(_p(path, k, f"办事指南缺少必填字段 {k}"))
    kind = meta.get("办件类型")
    if kind not in (IMMEDIATE, PROMISED):
        problems.append(_p(path, "办件类型", f"应为 即办件 或 承诺件，实为{quoted(kind)}"))
    legal = _int(meta.get("法定办结时限"), path, "法定办结时限", problems, 0)
    promised = _int(meta.get("承诺办结时限"), path, "承诺办结时限", problems, 0)
    if promised > legal:
        problems.append(_p(path, "承诺办结时限", f"承诺时限 {promised} 个工作日超过法定时限 {legal} 个工作日"))
    if meta.get("收费") == "无":
        problems.append(_p(path, "收费", "收费一栏应写“不收费”，不要写“无”"))
    dept = meta.get("承办科室")
    if dept is not None and departments is not None and dept not in departments:   # None: institution.yml unread
        problems.append(_p(path, "承办科室", f"部门{quoted(dept)}不在 institution.yml 中"))
    materials = meta.get("申请材料") or []
    for i, m in enumerate(materials if isinstance(materials, list) else []):
        if not isinstance(m, dict) or not m.get("名称"):
            problems.append(_p(path, f"申请材料[{i}]", "每项材料须有 名称"))
    clock = parse_clock(meta["clock"], path, "clock", problems) if meta.get("clock") is not None else None
    return Service(sid, str(meta.get("事项名称", sid)), kind or IMMEDIATE, legal, promised, dept,
                   materials if isinstance(materials, list) else [], meta, body, clock)


def parse_policy(data: dict, path: str, problems) -> Policy:
    data = data or {}
    lim = data.get("limits") or {}
    pol = Policy(raw=data)
    pol.clock = parse_clock(data.get("clock"), path, "clock", problems)
    hours = pol.clock.unit == "hours"
    for name in ("forward_limit", "sign_off_limit", "promise_limit", "verdict_limit", "followup_limit",
                 "escalation_limit", "sanction_limit", "late_entry_grace_hours"):
        setattr(pol, name, _int(lim.get(name), path, f"limits.{name}", problems, getattr(pol, name),
                                hours and name != "late_entry_grace_hours"))
    sus = data.get("suspend") or {}
    pol.suspend_limit = _int(sus.get("limit"), path, "suspend.limit", problems, pol.suspend_limit, hours)
    if sus.get("reasons") is not None:
        if not isinstance(sus["reasons"], list) or not all(isinstance(r, str) and r for r in sus["reasons"]):
            problems.append(_p(path, "suspend.reasons", "暂停计时的理由应为文字列表，如 [补正材料]"))
        else:
            pol.suspend_reasons = tuple(sus["reasons"])
    pol.effective = _date(data.get("effective"), path, "effective", problems)
    pol.expires = _date(data.get("expires"), path, "expires", problems)
    pol.calendar_strict = bool((data.get("calendar") or {}).get("strict", False))
    pol.signing_required = bool((data.get("signing") or {}).get("required", False))
    sat = data.get("satisfaction") or {}
    if sat.get("scale"):
        pol.satisfaction = {int(k): v for k, v in sat["scale"].items()}
    if sat.get("bad"):
        pol.bad_ratings = tuple(sat["bad"])
    pol.escalation_chain = list(data.get("escalation_chain") or [])
    liab = (data.get("liability") or {}).get("department", "head")
    if liab not in ("head", "none"):
        problems.append(_p(path, "liability.department", f"应为 head（由负责人承担）或 none，实为{quoted(liab)}"))
    else:
        pol.department_liability = liab
    from .ladder import parse_ladders
    pol.ladders, lprobs = parse_ladders(data.get("ladder"), data.get("ladders"), path)
    pol.ladder = pol.ladders[0] if len(pol.ladders) == 1 else None
    problems.extend(lprobs)
    weights = (data.get("assessment") or {}).get("weights")
    if weights is not None:
        if not isinstance(weights, dict) or not weights or any(
                k not in DEFAULT_WEIGHTS or isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0
                for k, v in weights.items()) or not sum(weights.values()):
            problems.append(_p(path, "assessment.weights", "考核权重应为 制度落实、登记、接待态度、办事效果、满意度 的非负数"))
        else:
            pol.weights = {k: float(v) for k, v in weights.items()}
    pol.inspection_items = [str(x) for x in (data.get("inspection_items") or [])]
    pol.permissions = parse_permissions(data.get("permissions"), path, problems)
    fields = (data.get("corrections") or {}).get("fields")
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        problems.append(_p(path, "corrections.fields", "可更正的字段应为列表，如 [visitor.phone, matter]"))
    elif fields:
        pol.correctable = tuple(fields)
    _lookup_rounds(pol, data.get("lookup"), path, problems)
    return pol


def _lookup_rounds(pol: Policy, lookup, path: str, problems) -> None:
    rounds = lookup.get("rounds") if isinstance(lookup, dict) else None
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1000:
        return          # the typed layer (rules_schema.POLICY) reports any other value
    pol.lookup_rounds = rounds
    if rounds < ITERATIONS:
        problems.append(Problem("lookup-rounds-weak", f"查询码密钥迭代次数 {rounds:,} 低于 {ITERATIONS:,}：仅适用于演示，"
                                "正式单位请改回（删去 lookup.rounds）", path=path, field="lookup.rounds"))


def _dates(items, path, name, problems) -> frozenset:
    out = set()
    for i, v in enumerate(items or []):
        v = v.get("date") if isinstance(v, dict) else v
        d = _date(v, path, f"{name}[{i}]", problems)
        if d:
            out.add(d)
    return frozenset(out)


def parse_calendar(data: dict, path: str, problems) -> WorkCalendar:
    data = data or {}
    years = {}
    for y, sched in (data.get("years") or {}).items():
        sched = sched or {}
        years[int(y)] = YearSchedule(_dates(sched.get("holidays"), path, f"years.{y}.holidays", problems),
                                     _dates(sched.get("workdays"), path, f"years.{y}.workdays", problems))
    return WorkCalendar(_dates(data.get("holidays"), path, "holidays", problems),
                        _dates(data.get("workdays"), path, "workdays", problems), years)


def yaml_message(e) -> str:
    return explain(e)
