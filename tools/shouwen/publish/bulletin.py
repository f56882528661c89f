"""The quarterly bulletin (通报), pure: an assessed quarter in, Markdown, SVG charts and JSON out.

The text depends only on the records and rules at the named commit, on the quarter and on the day
its figures are as of, so `shouwen bulletin 2026Q3 --at COMMIT` gives the committed file byte for
byte. Staff names and badges are published on purpose; nothing of a visitor or complainant is
(complaints appear by id only). Readers read "数据截至 …"; the commit is named in the closing note.
"""
from __future__ import annotations

from ..core.assessment import Quarter
from .charts import bar_chart
from ..core.clock import zh_day
from ..core.record import local_day

Q_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
# The measures the bulletin itself carries out: 通报批评 is done by naming the person here.
PUBLIC_MEASURES = ("通报批评", "通报")


def _pct(v):
    return "—" if v is None else f"{100 * v:.1f}%"


def _num(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}"


def names(q: Quarter) -> dict:
    base = f"{q.year}Q{q.q}"
    return {"page": f"{base}.md", "score": f"{base}-score.svg", "ontime": f"{base}-ontime.svg",
            "satisfaction": f"{base}-satisfaction.svg"}


def ranked(q: Quarter) -> list:
    return [f for f in q.departments if f.ranked]


def apart(q: Quarter) -> list:
    return [f for f in q.departments if not f.ranked]


def charts(q: Quarter) -> dict[str, str]:
    n = names(q)
    rows = ranked(q)
    return {
        n["score"]: bar_chart(f"{q.year}年{Q_ZH[q.q]}各科室考核得分", [(f.name, f.score or 0) for f in rows], " 分", 100),
        n["ontime"]: bar_chart("按时转办、按时办结率", [(f.name, round(100 * (f.on_time_rate or 0), 1)) for f in rows], "%", 100),
        n["satisfaction"]: bar_chart("平均满意度（5 分制）", [(f.name, round(f.satisfaction or 0, 2)) for f in rows], "", 5),
    }


def _person(rules, badge) -> str:
    s = rules.staff.get(badge)
    if s is None:
        return rules.who(badge) or badge
    return f"{s.name}（{badge}，{rules.dept_name(s.department)}）"


def measures_of(q: Quarter) -> dict:
    """(complaint, badge) -> the measures decided for it (recorded `sanctioned` events)."""
    out: dict = {}
    for cid, s in q.sanctions:
        out.setdefault((cid, s.staff), []).extend(s.measures)
    return out


def header(q: Quarter, rules) -> list[str]:
    inst = rules.institution.get("name", "")
    as_of = q.as_of or q.end
    how = (rules.policy.raw.get("assessment") or {}).get("publish")
    return [f"# {q.year}年{Q_ZH[q.q]}首问责任制执行情况通报", "",
            f"{inst}首问责任制办公室" + (f"（{how}）" if how else "") + "  ",
            f"统计期间：{zh_day(q.start)}至{zh_day(q.end)}  ",
            f"数据截至{zh_day(as_of)}" + ("（本季度尚未结束）" if as_of < q.end else ""), ""]


def overview(q: Quarter) -> list[str]:
    t = q.total
    return ["## 一、总体情况", "",
            f"本季度全单位首问登记 {t.registered} 件，其中当场答复 {t.answered} 件；转办 {t.forwarded} 件，"
            f"按时转办 {t.forwarded_on_time} 件；办结 {t.completed} 件，按时办结 {t.completed_on_time} 件；"
            f"截至统计日超期未办结 {t.overdue_open} 件；因补正材料等暂停计时 {t.suspended} 件；重办 {t.reopened} 件。"
            f"收到评价 {t.rated} 件，平均满意度 {_num(t.satisfaction)} 分（5 分制），"
            f"不满意评价 {t.bad} 件，按时回访 {t.bad_followed_up} 件。收到投诉 {t.complaints} 件，查实 {t.substantiated} 件；"
            f"表扬 {t.commendations} 人次；随机检查 {t.inspected_items} 项，不合格 {t.failed_items} 项。", ""]


def tables(q: Quarter) -> list[str]:
    """Two narrow tables (≤ 8 columns each) rather than one wide one: both fit a 1280 px screen and
    an A4 page. Departments with no matters of their own are listed apart, not ranked."""
    rows = ranked(q)
    lines = ["## 二、各科室考核结果", "", "### （一）办理情况", "",
             "| 名次 | 科室 | 登记 | 当场答复 | 按时转办 | 按时办结 | 超期未办结 | 重办 |",
             "|---|---|---|---|---|---|---|---|"]
    for i, f in enumerate(rows, 1):
        lines.append(f"| {i} | {f.name} | {f.registered} | {f.answered} | {f.forwarded_on_time}/{f.forwarded} "
                     f"| {f.completed_on_time}/{f.completed} | {f.overdue_open} | {f.reopened} |")
    lines += ["", "### （二）评价与得分", "",
              "| 名次 | 科室 | 平均满意度 | 不满意/已回访 | 投诉/查实 | 表扬 | 检查不合格 | 得分 |",
              "|---|---|---|---|---|---|---|---|"]
    for i, f in enumerate(rows, 1):
        lines.append(f"| {i} | {f.name} | {_num(f.satisfaction)} | {f.bad}/{f.bad_followed_up} "
                     f"| {f.complaints}/{f.substantiated} | {f.commendations} | {f.failed_items} | {_num(f.score, 1)} |")
    if not rows:
        lines += ["", "本季度各科室均无首问登记，不排名。"]
    rest = apart(q)
    if rest:
        lines += ["", "本季度没有首问登记、不参加排名的科室：" + "、".join(
            f.name + (f"（投诉 {f.complaints} 件，查实 {f.substantiated} 件）" if f.complaints else "") for f in rest) + "。"]
    return lines


def markdown(q: Quarter, rules, commit: str) -> str:
    n = names(q)
    decided = measures_of(q)
    lines = header(q, rules) + overview(q) + tables(q)
    if ranked(q):
        lines += ["", f"![各科室考核得分]({n['score']})", "", f"![按时转办、按时办结率]({n['ontime']})", "",
                  f"![平均满意度]({n['satisfaction']})"]
    lines += ["", "## 三、表扬", ""]
    lines += [f"- {_person(rules, b)}：受到表扬 {count} 次" for b, count in q.commended] or ["本季度无。"]
    lines += ["", "## 四、通报批评", ""]
    named = [(cid, s) for cid, s in q.sanctions if any(m in PUBLIC_MEASURES for m in s.measures)]
    lines += [f"- {_person(rules, s.staff)}：投诉 {cid} 查实，{zh_day(local_day(s.at))}决定给予"
              f"{'、'.join(s.measures)}" for cid, s in named] or ["本季度无。"]
    lines += ["", "## 五、投诉查实及处理情况", ""]
    if q.criticised:
        lines += ["| 投诉 | 责任人 | 查实日期 | 处理措施 |", "|---|---|---|---|"]
        for cid, b, day in q.criticised:
            got = decided.get((cid, b))
            lines.append(f"| {cid} | {rules.who(b)} | {zh_day(day)} | {'、'.join(got) if got else '处理决定待作出'} |")
    else:
        lines.append("本季度无。")
    lines += ["", "## 六、本季度处理决定", ""]
    if q.sanctions:
        lines += ["| 投诉 | 被处理人 | 措施 | 扣罚当年奖金 | 文号 |", "|---|---|---|---|---|"]
        for cid, s in q.sanctions:
            lines.append(f"| {cid} | {rules.who(s.staff)} | {'、'.join(s.measures)} | {_pct(s.bonus_deduction)} | {s.decision or '—'} |")
    else:
        lines.append("本季度无。")
    lines += reports_section(q) + scoring(rules) + ["", "---", "", f"注：本通报依据登记簿提交 `{commit}` 计算。", ""]
    return "\n".join(lines)


def reports_section(q: Quarter) -> list[str]:
    got = getattr(q, "reports", None)
    if got is None:
        return []
    done, missing = got
    lines = ["", "## 七、科室书面情况汇报", ""]
    lines += [f"- {name}：{zh_day(day)}报送" for name, day in done] or ["本季度无科室报送。"]
    if missing:
        lines += ["", "未报送书面情况汇报的科室：" + "、".join(missing) + "。"]
    return lines


def scoring(rules) -> list[str]:
    w = rules.policy.weights
    return ["", "## 评分办法", "",
            "各项满分 100 分，按权重合计：" + "，".join(f"{k} {v:g}" for k, v in w.items()) + "。"
            "制度落实：登记事项中无超时的比例，每个检查不合格项扣 5 分；登记：登记内容完整无误的比例；"
            "接待态度：每件查实投诉扣 20 分、每个检查不合格项扣 5 分、每次表扬加 5 分；"
            "办事效果：按时转办与按时办结的比例，重办的事项计为一件未办好；满意度：平均评价折算（1 分为 0，5 分为 100）。"
            "本季度有首问登记的科室参加排名；某一项没有数据的（如无人评价），按参加排名的科室该项的最低分计，"
            "都没有数据的按 0 分计，没有办事不会比办好事得分高。没有首问登记的科室单独列出，不排名。"
            "期限以法定工作日计的，跨越尚未公布节假日安排的年份时为暂定期限，不计超时。"]


def as_json(q: Quarter, rules, commit: str) -> dict:
    def dept(f, rank):
        return {"id": f.unit, "name": f.name, "rank": rank, "ranked": f.ranked, "registered": f.registered,
                "answered": f.answered, "forwarded": f.forwarded, "forwarded_on_time": f.forwarded_on_time,
                "completed": f.completed, "completed_on_time": f.completed_on_time, "overdue_open": f.overdue_open,
                "reopened": f.reopened, "suspended": f.suspended,
                "on_time_rate": None if f.on_time_rate is None else round(f.on_time_rate, 4),
                "satisfaction": None if f.satisfaction is None else round(f.satisfaction, 2),
                "ratings": {str(k): v for k, v in f.distribution.items()}, "bad_ratings": f.bad,
                "bad_followed_up": f.bad_followed_up, "complaints": f.complaints, "substantiated": f.substantiated,
                "commendations": f.commendations, "inspection_failed": f.failed_items, "items": f.items, "score": f.score}
    order = ranked(q)
    return {"quarter": f"{q.year}Q{q.q}", "agency": rules.institution.get("name", ""), "commit": commit,
            "period": [q.start.isoformat(), q.end.isoformat()], "as_of": (q.as_of or q.end).isoformat(),
            "total": dept(q.total, None),
            "departments": [dept(f, i) for i, f in enumerate(order, 1)] + [dept(f, None) for f in apart(q)],
            "staff": [{**dept(f, None), "badge": f.unit} for f in q.staff if f.registered or f.complaints or f.commendations],
            "commended": [{"badge": b, "count": c} for b, c in q.commended],
            "criticised": [{"complaint": c, "badge": b, "date": d.isoformat()} for c, b, d in q.criticised],
            "sanctions": [{"complaint": c, "badge": s.staff, "measures": s.measures, "bonus_deduction": s.bonus_deduction,
                           "decision": s.decision} for c, s in q.sanctions]}
