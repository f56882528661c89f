"""The pages on the scheme itself: how to complain (监督投诉) and the rules with the penalty
ladder as a table (首问责任制度). Pure: rules in, page text out; the wording is in the templates
complaints.md and scheme.md."""
from __future__ import annotations

from ..core.rules import Rules
from .pages import Pages, zh_date
from .text import Data, as_list


def complaints(pages: Pages, rules: Rules) -> str:
    return pages.render("complaints.md", sup=Data(rules.institution.get("supervision") or {}), policy=rules.policy)


def _pct(v) -> str:
    return f"{round(float(v) * 100)}%" if isinstance(v, (int, float)) else str(v or "—")


def ladder_table(raw: dict) -> dict:
    """The ladder of policy.yml as the rows of a table: by count (steps), by severity, or at discretion."""
    ladder = raw.get("ladder") or {}
    if not isinstance(ladder, dict):
        return {"kind": ""}
    steps = ladder.get("steps")
    if steps:
        rows = []
        for i, st in enumerate(steps, 1):
            rows.append({"nth": f"第 {st.get('nth', i)} 次" + ("及以后" if i == len(steps) else ""),
                         "measures": "、".join(map(str, as_list(st.get("measures")))),
                         "bonus": _pct(st.get("bonus_deduction")),
                         "rating": "、".join(map(str, as_list(st.get("rating")))) or "—",
                         "head": _pct(st.get("head_deduction"))})
        return {"kind": "steps", "rows": rows}
    if ladder.get("kind") == "severity" and isinstance(ladder.get("levels"), list):
        return {"kind": "severity", "rows": [{"severity": str(l.get("severity", "")),
                                              "measures": "、".join(map(str, as_list(l.get("measures"))))}
                                             for l in ladder["levels"] if isinstance(l, dict)]}
    if ladder.get("kind") == "discretionary":
        return {"kind": "discretionary", "measures": "、".join(map(str, as_list(ladder.get("measures"))))}
    return {"kind": ""}


def scheme(pages: Pages, rules: Rules) -> str:
    pol = rules.policy
    valid = ""
    if pol.effective:
        valid = f"{zh_date(pol.effective)}起施行" + (f"，有效期至{zh_date(pol.expires)}" if pol.expires else "")
    return pages.render("scheme.md", raw=Data(pol.raw), policy=pol, valid=valid, ladder=ladder_table(pol.raw))
