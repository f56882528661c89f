"""The pages on the scheme itself: how to complain (监督投诉) and the rules with the penalty
ladder as a table (首问责任制度). Pure: rules in, page text out."""
from __future__ import annotations

from html import escape

from ..core.rules import Rules
from .text import as_list


def complaints(rules: Rules) -> str:
    sup = rules.institution.get("supervision") or {}
    pol = rules.policy
    label = pol.clock.label if pol.clock else (lambda n: f"{n:g} 个工作日")
    return f"""# 监督投诉

对工作人员推诿扯皮、态度生硬、超时不办、吃拿卡要等问题，可以通过以下方式投诉：

| 渠道 | 说明 |
|---|---|
| 意见箱 | {escape(str(sup.get('suggestion_box', '—')))} |
{f"| 意见簿 | {escape(str(sup['suggestion_book']))} |{chr(10)}" if sup.get('suggestion_book') else ""}| 举报电话 | {escape(str(sup.get('hotline', '—')))}（{escape(str(sup.get('hotline_place', '')))}） |
| 投诉中心 | {escape(str(sup.get('complaint_center', '—')))} |
{f"| 纪检监察机关 | {escape(str(sup['discipline']))} |{chr(10)}" if sup.get('discipline') else ""}| 受理机构 | {escape(str(sup.get('office', '—')))} |

## 投诉怎样处理

{escape(str(sup.get('how', '')))}

按本单位首问责任制规定，投诉登记后 **{label(pol.verdict_limit)}**内作出调查结论；
对办理结果评价为“不满意”或“非常不满意”的，首问责任人在 **{label(pol.followup_limit)}**内回访。
查实的投诉按[首问责任制度](../scheme/index.md)追究责任，并在[季度通报](../bulletins/index.md)中公布。
"""


CLOCK_ZH = {"workdays": "按工作日计，遇法定节假日顺延，调休上班日照常计算", "days": "按自然日计",
            "hours": "按服务时间内的小时计"}
LADDER_COLUMNS = ("第几次", "对本人", "扣减年度奖金", "考核", "对科室负责人")
KIND_INTRO = {"count": "同一工作人员在一个年度内被查实投诉（按结论日期计）：", "severity": "被投诉查实的，按情节轻重处理："}


def ladder_table(ladder: dict) -> str:
    """One penalty rule as the public reads it: counted steps, severity levels or discretionary measures."""
    steps = ladder.get("steps")
    pct = lambda v: f"{round(float(v) * 100)}%" if isinstance(v, (int, float)) else escape(str(v or "—"))
    if ladder.get("kind", "count") == "count" and isinstance(steps, list) and steps:
        rows = []
        for i, st in enumerate(s for s in steps if isinstance(s, dict)):
            nth = f"第 {st.get('nth', i + 1)} 次" + ("及以后" if i == len(steps) - 1 else "")
            rows.append(f"| {nth} | {escape('、'.join(as_list(st.get('measures'))))} | {pct(st.get('bonus_deduction'))} "
                        f"| {escape('、'.join(as_list(st.get('rating'))) or '—')} | {pct(st.get('head_deduction'))} |")
        return (KIND_INTRO["count"] + "\n\n| " + " | ".join(LADDER_COLUMNS) + " |\n|" + "---|" * len(LADDER_COLUMNS)
                + "\n" + "\n".join(rows) + "\n")
    if ladder.get("kind") == "severity" and isinstance(ladder.get("levels"), list):
        rows = [f"| {escape(str(lv.get('severity', '')))} | {escape('、'.join(as_list(lv.get('measures'))))} |"
                for lv in ladder["levels"] if isinstance(lv, dict)]
        return KIND_INTRO["severity"] + "\n\n| 情节 | 处理 |\n|---|---|\n" + "\n".join(rows) + "\n"
    if ladder.get("kind") == "discretionary":
        return ("被投诉查有实据的，视情节给予" + escape("、".join(map(str, as_list(ladder.get("measures")))))
                + "等处理；群众评价好的，予以表扬鼓励。\n")
    return ""


def ladders_section(raw: dict) -> str:
    """`ladder:` (one rule) or `ladders:` (several, each for its kinds of complaint: the county's
    推诿扯皮 counted, 吃拿卡要 by severity)."""
    several = raw.get("ladders")
    if isinstance(several, list):
        parts = []
        for lad in several:
            if isinstance(lad, dict):
                kinds = "、".join(as_list(lad.get("applies_to")))
                parts.append(f"### {escape(str(lad.get('name') or kinds))}\n\n适用于：{escape(kinds)}。\n\n" + ladder_table(lad))
        return "\n## 责任追究\n\n" + "\n".join(parts) if parts else ""
    ladder = raw.get("ladder")
    table = ladder_table(ladder) if isinstance(ladder, dict) else ""
    return "\n## 责任追究\n\n" + table if table else ""


def scheme(rules: Rules) -> str:
    pol = rules.policy
    raw = pol.raw
    table = ladders_section(raw)
    label = pol.clock.label if pol.clock else (lambda n: f"{n:g} 个工作日")
    valid = f"{pol.effective} 起施行" + (f"，有效期至 {pol.expires}" if pol.expires else "") if pol.effective else ""
    return f"""# 首问责任制度

**{escape(str(raw.get('name', '首问责任制实施方案')))}**{'（' + escape(str(raw['document'])) + '）' if raw.get('document') else ''}
{('  ' + chr(10) + valid) if valid else ''}

## 时限（{CLOCK_ZH.get(pol.clock.unit if pol.clock else "workdays")}）

| 环节 | 时限 |
|---|---|
| 当场不能答复的，登记后转送承办科室 | {label(pol.forward_limit)}内 |
| 承办科室签收 | 转送后 {label(pol.sign_off_limit)}内 |
| 承诺件告知办结时限 | 受理后 {label(pol.promise_limit)}内 |
| 等待补正材料，暂停计时 | 每件累计不超过 {label(pol.suspend_limit)} |
| 投诉调查结论 | 登记后 {label(pol.verdict_limit)}内 |
| 不满意评价回访 | {label(pol.followup_limit)}内 |

## 首问责任人的职责

- 对来访、来电、来信咨询或办事的群众，第一个接待的工作人员为首问责任人；
- 属本人职责的，当场答复或办理；不属本人职责的，引导至承办科室或人员；
- 承办人不在的，负责转告；需要转办的，登记后在时限内转送并跟踪办理结果；
- 申请材料不全的，一次性告知需要补正的全部材料；
- 不能办理的，说明理由并指明办理途径。
{table}
"""
