"""The pages on the scheme itself: how to complain (监督投诉) and the rules with the penalty
ladders as tables (首问责任制度). Pure: rules in, what the pages show out; the wording is in
the templates complaints.md and scheme.md."""
from __future__ import annotations

from ..core.rules import Rules
from .pages import Pages, zh_date
from .text import Data, as_list

CLOCK_ZH = {"workdays": "按工作日计，遇法定节假日顺延，调休上班日照常计算", "days": "按自然日计",
            "hours": "按服务时间内的小时计"}


def _label(pol):
    return pol.clock.label if getattr(pol, "clock", None) else (lambda n: f"{n:g} 个工作日")


def complaints(pages: Pages, rules: Rules) -> str:
    pol, label = rules.policy, _label(rules.policy)
    return pages.render("complaints.md", sup=Data(rules.institution.get("supervision") or {}),
                        limits={"verdict": label(pol.verdict_limit), "followup": label(pol.followup_limit)})


def _pct(v) -> str:
    return f"{round(float(v) * 100)}%" if isinstance(v, (int, float)) else str(v or "—")


def ladder_table(ladder: dict) -> dict:
    """One penalty rule as the public reads it: counted steps, severity levels or discretionary measures."""
    steps = ladder.get("steps")
    if ladder.get("kind", "count") == "count" and isinstance(steps, list) and steps:
        steps = [s for s in steps if isinstance(s, dict)]
        rows = [{"nth": f"第 {st.get('nth', i + 1)} 次" + ("及以后" if i == len(steps) - 1 else ""),
                 "measures": "、".join(map(str, as_list(st.get("measures")))), "bonus": _pct(st.get("bonus_deduction")),
                 "rating": "、".join(map(str, as_list(st.get("rating")))) or "—", "head": _pct(st.get("head_deduction"))}
                for i, st in enumerate(steps)]
        return {"kind": "count", "rows": rows}
    if ladder.get("kind") == "severity" and isinstance(ladder.get("levels"), list):
        return {"kind": "severity", "rows": [{"severity": str(lv.get("severity", "")),
                                              "measures": "、".join(map(str, as_list(lv.get("measures"))))}
                                             for lv in ladder["levels"] if isinstance(lv, dict)]}
    if ladder.get("kind") == "discretionary":
        return {"kind": "discretionary", "measures": "、".join(map(str, as_list(ladder.get("measures"))))}
    return {"kind": ""}


def ladders(raw: dict) -> list[dict]:
    """`ladder:` (one rule) or `ladders:` (several, each for its kinds of complaint: the county's
    推诿扯皮 counted, 吃拿卡要 by severity). Each: name, applies_to, and its table."""
    several = raw.get("ladders")
    if isinstance(several, list):
        out = []
        for lad in several:
            if isinstance(lad, dict):
                kinds = "、".join(map(str, as_list(lad.get("applies_to"))))
                out.append({"name": str(lad.get("name") or kinds), "applies_to": kinds, **ladder_table(lad)})
        return [t for t in out if t["kind"]]
    one = raw.get("ladder")
    table = {"name": "", "applies_to": "", **ladder_table(one)} if isinstance(one, dict) else {"kind": ""}
    return [table] if table["kind"] else []


def scheme(pages: Pages, rules: Rules) -> str:
    pol, label = rules.policy, _label(rules.policy)
    valid = ""
    if pol.effective:
        valid = f"{zh_date(pol.effective)}起施行" + (f"，有效期至{zh_date(pol.expires)}" if pol.expires else "")
    clock = getattr(pol, "clock", None)
    limits = {"forward": label(pol.forward_limit), "sign_off": label(pol.sign_off_limit),
              "promise": label(pol.promise_limit), "verdict": label(pol.verdict_limit),
              "followup": label(pol.followup_limit),
              "suspend": label(pol.suspend_limit) if getattr(pol, "suspend_limit", None) else ""}
    return pages.render("scheme.md", raw=Data(pol.raw), valid=valid, limits=limits,
                        clock=CLOCK_ZH.get(clock.unit if clock else "workdays", CLOCK_ZH["workdays"]),
                        ladders=ladders(pol.raw))
