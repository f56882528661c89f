"""The penalty ladder (pure): what the scheme prescribes for substantiated complaints.

Three kinds, as the seed's schemes use them (policy.yml `ladder.kind`):

- `count`: per staff member per calendar year, substantiated complaints counted in order of verdict
  date; the nth gets step n (the last step for every later one), with a share of the year's bonus
  deducted from the person and from the head of their department (municipal bureau);
- `severity`: each substantiated complaint's severity names its measures (county bureau: 待岗, 下岗, 辞退);
- `discretionary`: the office chooses among the listed measures (company: 批评教育, 通报, 扣发奖金).

Deductions are fractions of the year's bonus, summed per person and per head and capped at the whole
bonus (第三次: 扣罚当事人全年综合奖金).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .clock import zh_day
from .problems import Problem
from .quote import quoted

KINDS = ("count", "severity", "discretionary")


@dataclass
class Step:
    nth: int
    measures: list
    bonus_deduction: float = 0.0
    head_deduction: float = 0.0
    rating: list = field(default_factory=list)      # eligibility consequences: 不得评为优秀, 不称职


@dataclass
class Ladder:
    kind: str = "count"
    name: str = ""
    applies_to: list = field(default_factory=list)  # complaint categories (推诿扯皮…); empty: every complaint
    steps: list = field(default_factory=list)       # count: Step per nth
    levels: dict = field(default_factory=dict)      # severity: name -> Step (nth unused)
    measures: list = field(default_factory=list)    # discretionary: what may be chosen


@dataclass
class Prescription:
    """What the ladder says for one liable person on one substantiated complaint."""
    complaint: str
    badge: str
    verdict_day: object
    nth: int
    step: Step | None
    head: str | None = None


def _frac(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1


def parse_ladder(raw, path: str = "rules/policy.yml") -> tuple[Ladder | None, list[Problem]]:
    if raw is None:
        return None, []
    probs: list[Problem] = []

    def bad(f, msg):
        probs.append(Problem("ladder-invalid", msg, path=path, field=f"ladder{f}"))

    if not isinstance(raw, dict):
        bad("", "ladder 应为映射（kind、steps 等）")
        return None, probs
    kind = raw.get("kind", "count")
    if kind not in KINDS:
        bad(".kind", f"未知的追究方式{quoted(kind)}；可用：{'、'.join(KINDS)}")
        return None, probs
    lad = Ladder(kind)

    def step_of(s, where, nth):
        if not isinstance(s, dict):
            bad(where, "每一档应为映射（measures、bonus_deduction……）")
            return None
        measures = s.get("measures")
        if isinstance(measures, str):
            measures = [measures]
        if not measures or not all(isinstance(m, str) and m for m in measures):
            bad(f"{where}.measures", "每一档须列出至少一项处理措施")
            return None
        for k in ("bonus_deduction", "head_deduction"):
            if s.get(k) is not None and not _frac(s.get(k)):
                bad(f"{where}.{k}", f"{k} 应为 0 到 1 之间的比例（如 0.2 表示 20%），实为{quoted(s.get(k))}")
                return None
        rating = s.get("rating") or []
        return Step(nth, list(measures), float(s.get("bonus_deduction") or 0), float(s.get("head_deduction") or 0),
                    [rating] if isinstance(rating, str) else list(rating))

    if kind == "count":
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps:
            bad(".steps", "按次数追究须有 steps 列表")
            return None, probs
        prev = None
        for i, s in enumerate(steps):
            st = step_of(s, f".steps[{i}]", (s or {}).get("nth", i + 1) if isinstance(s, dict) else i + 1)
            if st is None:
                continue
            if st.nth != i + 1:
                bad(f".steps[{i}].nth", f"第 {i + 1} 档的 nth 应为 {i + 1}，实为{quoted(st.nth)}")
            if prev is not None:
                # a later offence is never treated more lightly than an earlier one
                for k, label in (("bonus_deduction", "扣罚本人奖金"), ("head_deduction", "扣罚科室负责人奖金")):
                    if getattr(st, k) < getattr(prev, k):
                        bad(f".steps[{i}].{k}", f"第 {i + 1} 次的{label} {getattr(st, k):g} 少于第 {i} 次的 {getattr(prev, k):g}；"
                            "追究须逐次加重")
            lad.steps.append(st)
            prev = st
    elif kind == "severity":
        levels = raw.get("levels")
        if not isinstance(levels, list) or not levels:
            bad(".levels", "按情节追究须有 levels 列表（severity 与 measures）")
            return None, probs
        for i, s in enumerate(levels):
            name = s.get("severity") if isinstance(s, dict) else None
            if not name:
                bad(f".levels[{i}].severity", "每一档须有 severity（情节）名称")
                continue
            if name in lad.levels:
                bad(f".levels[{i}].severity", f"情节{quoted(name)}重复")
                continue
            st = step_of(s, f".levels[{i}]", i + 1)
            if st is not None:
                lad.levels[str(name)] = st
    else:
        measures = raw.get("measures")
        if not isinstance(measures, list) or not measures:
            bad(".measures", "酌情追究须列出可选的处理措施")
            return None, probs
        lad.measures = [str(m) for m in measures]
    return (lad if not probs else None), probs


def parse_ladders(single, several, path: str = "rules/policy.yml") -> tuple[list[Ladder], list[Problem]]:
    """`ladder:` (one rule for every complaint) or `ladders:` (several, each with `applies_to`: the
    categories of complaint it governs, as the county bureau's 推诿扯皮 and 吃拿卡要 rules)."""
    if several is None:
        lad, probs = parse_ladder(single, path)
        return ([lad] if lad else []), probs
    probs: list[Problem] = []
    if single is not None:
        probs.append(Problem("ladder-invalid", "ladder 与 ladders 只能写一个", path=path, field="ladder"))
    if not isinstance(several, list) or not several:
        probs.append(Problem("ladder-invalid", "ladders 应为列表，每项一条追究规定", path=path, field="ladders"))
        return [], probs
    out, seen = [], {}
    for i, raw in enumerate(several):
        lad, more = parse_ladder(raw, path)
        probs.extend(Problem(p.code, p.message, path=p.path, field=f"ladders[{i}]" + (p.field or "")[len("ladder"):])
                     for p in more)
        if lad is None:
            continue
        cats = raw.get("applies_to") if isinstance(raw, dict) else None
        cats = [cats] if isinstance(cats, str) else cats
        if not isinstance(cats, list) or not cats or not all(isinstance(c, str) and c for c in cats):
            probs.append(Problem("ladder-invalid", "多条追究规定时，每条须用 applies_to 列出所管的投诉类别",
                                 path=path, field=f"ladders[{i}].applies_to"))
            continue
        for c in cats:
            if c in seen:
                probs.append(Problem("ladder-invalid", f"投诉类别{quoted(c)}同时属于第 {seen[c] + 1} 条和第 {i + 1} 条追究规定",
                                     path=path, field=f"ladders[{i}].applies_to"))
            seen[c] = i
        lad.name, lad.applies_to = str(raw.get("name") or "、".join(cats)), list(cats)
        out.append(lad)
    return (out if not probs else []), probs


def ladder_for(ladders: list, category: str | None) -> Ladder | None:
    """The rule that governs a complaint of this category (the only rule, where there is one)."""
    for lad in ladders:
        if not lad.applies_to or (category is not None and category in lad.applies_to):
            return lad
    return None


def categories(ladders: list) -> list:
    return [c for lad in ladders for c in lad.applies_to]


def step_for(lad: Ladder, nth: int) -> Step | None:
    if not lad.steps:
        return None
    return lad.steps[min(nth, len(lad.steps)) - 1]


def head_of(rules, badge: str) -> str | None:
    """The head of the liable person's department; for a head, the head above (科室负责人 is someone else)."""
    s = rules.staff.get(badge)
    dept = rules.departments.get(s.department) if s else None
    while dept is not None:
        if dept.head and dept.head != badge:
            return dept.head
        dept = rules.departments.get(dept.parent) if dept.parent else None
    return None


def prescriptions(lad: Ladder, complaints: list, rules, year: int | None = None, rules_on=None) -> list[Prescription]:
    """Every (complaint, liable person) pair the ladder applies to, in verdict order.

    `complaints` are accountability.Complaint; only substantiated verdicts count, each liable person
    separately, a year's count by verdict date (December's verdict counts in its own year). The head
    who shares a deduction is the head on the verdict's day (`rules_on(day)`): a later move of the
    person or of the head never moves a deduction already decided.
    """
    rules_on = rules_on or (lambda day: rules)
    rows = []
    for c in complaints:
        if lad.applies_to and getattr(c, "category", None) not in lad.applies_to:
            continue
        v = c.verdict
        if v is None or v.finding != "substantiated" or v.day is None:
            continue
        if year is not None and v.day.year != year:
            continue
        for badge in v.liable:
            rows.append((v.day, c.id, badge, v))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    counts: dict = {}
    out = []
    for day, cid, badge, v in rows:
        key = (badge, day.year)
        counts[key] = counts.get(key, 0) + 1
        nth = counts[key]
        if lad.kind == "count":
            step = step_for(lad, nth)
        elif lad.kind == "severity":
            step = lad.levels.get(v.severity or "")
        else:
            step = None
        out.append(Prescription(cid, badge, day, nth, step, head_of(rules_on(day), badge)))
    return out


@dataclass
class PersonYear:
    badge: str
    count: int = 0
    step: int = 0
    bonus_deduction: float = 0.0
    measures: list = field(default_factory=list)     # [(measure, complaint id)] in order
    complaints: list = field(default_factory=list)
    rating: list = field(default_factory=list)       # consequences for the year's assessment


@dataclass
class HeadYear:
    badge: str
    bonus_deduction: float = 0.0
    sources: list = field(default_factory=list)      # [(staff badge, complaint id, deduction)]


def year_outcome(lad: Ladder, complaints: list, rules, year: int, rules_on=None) -> tuple[list[PersonYear], list[HeadYear]]:
    """What the ladder gives each person and head in one year. Where the office chooses at discretion
    (company), what it chose is what was recorded: the `sanctioned` events, not a prescription."""
    people: dict[str, PersonYear] = {}
    heads: dict[str, HeadYear] = {}
    recorded: dict = {}
    for c in complaints:
        for s in c.sanctions:
            recorded.setdefault((c.id, s.staff), []).append(s)
    for p in prescriptions(lad, complaints, rules, year, rules_on):
        py = people.setdefault(p.badge, PersonYear(p.badge))
        py.count += 1
        py.complaints.append(p.complaint)
        step = p.step
        if lad.kind == "discretionary":
            decided = recorded.get((p.complaint, p.badge))
            step = decided and Step(p.nth, [m for d in decided for m in d.measures],
                                    min(1.0, sum(d.bonus_deduction or 0.0 for d in decided)))
        if step is None:
            continue
        py.step = max(py.step, step.nth)
        py.bonus_deduction = min(1.0, py.bonus_deduction + step.bonus_deduction)
        py.measures += [(m, p.complaint) for m in step.measures]
        for r in step.rating:
            if r not in py.rating:
                py.rating.append(r)
        if p.head and step.head_deduction:
            hy = heads.setdefault(p.head, HeadYear(p.head))
            hy.bonus_deduction = min(1.0, hy.bonus_deduction + step.head_deduction)
            hy.sources.append((p.badge, p.complaint, step.head_deduction))
    order = lambda x: x.badge
    return sorted(people.values(), key=order), sorted(heads.values(), key=order)


def year_outcomes(ladders: list, complaints: list, rules, year: int, rules_on=None) -> tuple[list[PersonYear], list[HeadYear]]:
    """Every ladder's year together: a person's count, deductions and measures summed over the rules."""
    people: dict[str, PersonYear] = {}
    heads: dict[str, HeadYear] = {}
    for lad in ladders:
        ps, hs = year_outcome(lad, complaints, rules, year, rules_on)
        for p in ps:
            py = people.setdefault(p.badge, PersonYear(p.badge))
            py.count += p.count
            if lad.kind == "count":     # a step (档) is the counted rule's; a severity level is no step of it
                py.step = max(py.step, p.step)
            py.bonus_deduction = min(1.0, py.bonus_deduction + p.bonus_deduction)
            py.measures += p.measures
            py.complaints += p.complaints
            py.rating += [r for r in p.rating if r not in py.rating]
        for h in hs:
            hy = heads.setdefault(h.badge, HeadYear(h.badge))
            hy.bonus_deduction = min(1.0, hy.bonus_deduction + h.bonus_deduction)
            hy.sources += h.sources
    order = lambda x: x.badge
    return sorted(people.values(), key=order), sorted(heads.values(), key=order)


def check_sanctions(ladders: list, complaints: list, rules, rules_on=None) -> list[Problem]:
    """`sanction-mismatch`: a recorded decision that differs from the prescription. A recorded reason
    for deviating (`deviation`) keeps it visible as a warning."""
    out = []
    by_pair = {(p.complaint, p.badge): p for lad in ladders
               for p in prescriptions(lad, complaints, rules, rules_on=rules_on)}
    for c in complaints:
        lad = ladder_for(ladders, getattr(c, "category", None))
        if lad is None:
            continue
        for s in c.sanctions:
            p = by_pair.get((c.id, s.staff))
            where = dict(path=c.path, record=c.id, field=f"events[{s.index}]")
            if p is None:
                out.append(Problem("sanction-mismatch", f"{s.staff} 不是本投诉查实的责任人，不应据此处理", **where))
                continue
            diffs = []
            if lad.kind == "discretionary":
                extra = [m for m in s.measures if m not in lad.measures]
                if extra:
                    diffs.append(f"措施{'、'.join(map(quoted, extra))}不在规定之内（规定的措施：{'、'.join(lad.measures)}）")
            elif p.step is None:
                diffs.append("规定中找不到对应的处理档次（情节未认定？）")
            else:
                if sorted(s.measures) != sorted(p.step.measures):
                    diffs.append(f"措施为 {'、'.join(s.measures) or '无'}，规定为 {'、'.join(p.step.measures)}")
                if s.bonus_deduction is not None and abs(s.bonus_deduction - p.step.bonus_deduction) > 1e-9:
                    diffs.append(f"扣罚奖金 {s.bonus_deduction:.0%}，规定为 {p.step.bonus_deduction:.0%}")
            if diffs:
                nth = f"第 {p.nth} 次查实，" if lad.kind == "count" else ""
                msg = f"{s.staff} {nth}" + "；".join(diffs)
                if s.deviation:
                    out.append(Problem("sanction-mismatch", msg + f"（已说明理由：{s.deviation}）", severity="warning", **where))
                else:
                    out.append(Problem("sanction-mismatch", msg, **where))
    return out


def missing_sanctions(complaints: list, rules, today) -> list[Problem]:
    """`sanction-missing`: a substantiated complaint with a liable person and no recorded decision;
    a warning at first, an error once the policy's limit after the verdict has passed."""
    out = []
    pol = rules.policy
    for c in complaints:
        v = c.verdict
        if v is None or v.finding != "substantiated":
            continue
        done = {s.staff for s in c.sanctions}
        due = pol.clock.due(rules.calendar, v.at, pol.sanction_limit)
        for badge in v.liable:
            if badge in done:
                continue
            late = due.late(today)
            severity = "error" if late and not due.provisional else "warning"
            when = "已过期限" if late else "请在期限内"
            out.append(Problem("sanction-missing", f"投诉于 {zh_day(v.day)} 查实，{rules.who(badge)}尚无处理决定；"
                               f"最迟 {due.zh()} 作出并登记（shouwen sanction），{when}",
                               path=c.path, record=c.id, field="events", severity=severity))
    return out
