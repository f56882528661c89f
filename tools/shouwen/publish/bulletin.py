"""The quarterly bulletin (通报), pure: an assessed quarter in, Markdown, SVG charts and JSON out.

The text depends only on the records and rules at the named commit and on the quarter, so
`shouwen bulletin 2026Q3 --at COMMIT` gives the committed file byte for byte. Staff names and
badges are published on purpose; nothing of a visitor or complainant is (complaints appear by id only).
"""
from __future__ import annotations

from ..core.assessment import Quarter
from .charts import bar_chart

Q_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def _pct(v):
    return "—" if v is None else f"{100 * v:.1f}%"


def _num(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}"


def names(q: Quarter) -> dict:
    base = f"{q.year}Q{q.q}"
    return {"page": f"{base}.md", "score": f"{base}-score.svg", "ontime": f"{base}-ontime.svg",
            "satisfaction": f"{base}-satisfaction.svg"}


def charts(q: Quarter) -> dict[str, str]:
    n = names(q)
    rows = [f for f in q.departments if f.registered or f.complaints]
    return {
        n["score"]: bar_chart(f"{q.year} 年{Q_ZH[q.q]}各科室考核得分", [(f.name, f.score or 0) for f in rows], " 分", 100),
        n["ontime"]: bar_chart("按时转办、按时办结率", [(f.name, round(100 * (f.on_time_rate or 0), 1)) for f in rows], "%", 100),
        n["satisfaction"]: bar_chart("平均满意度（5 分制）", [(f.name, round(f.satisfaction or 0, 2)) for f in rows], "", 5),
    }


def _person(rules, badge) -> str:
    s = rules.staff.get(badge)
    return f"{s.name if s else badge}（{badge}，{rules.dept_name(s.department) if s else ''}）"


def markdown(q: Quarter, rules, commit: str) -> str:
    t = q.total
    n = names(q)
    inst = rules.institution.get("name", "")
    lines = [f"# {q.year} 年{Q_ZH[q.q]}首问责任制执行情况通报", "",
             f"{inst}首问责任制办公室  ",
             f"统计期间：{q.start} 至 {q.end}  ",
             f"依据：登记簿提交 `{commit}`（用 `shouwen bulletin {q.year}Q{q.q} --at {commit[:12]}` 可逐字复现）", "",
             "## 一、总体情况", "",
             f"本季度全单位首问登记 {t.registered} 件，其中当场答复 {t.answered} 件；转办 {t.forwarded} 件，"
             f"按时转办 {t.forwarded_on_time} 件；办结 {t.completed} 件，按时办结 {t.completed_on_time} 件；"
             f"季度末超期未办结 {t.overdue_open} 件。收到评价 {t.rated} 件，平均满意度 {_num(t.satisfaction)} 分（5 分制），"
             f"不满意评价 {t.bad} 件，按时回访 {t.bad_followed_up} 件。收到投诉 {t.complaints} 件，查实 {t.substantiated} 件；"
             f"表扬 {t.commendations} 人次；随机检查 {t.inspected_items} 项，不合格 {t.failed_items} 项。", "",
             "## 二、各科室考核结果", "",
             "| 名次 | 科室 | 登记 | 当场答复 | 按时转办 | 按时办结 | 超期未办结 | 平均满意度 | 不满意/已回访 | 投诉/查实 | 表扬 | 检查不合格 | 得分 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    rank = 0
    for f in q.departments:
        rank += 1
        lines.append(f"| {rank} | {f.name} | {f.registered} | {f.answered} | {f.forwarded_on_time}/{f.forwarded} "
                     f"| {f.completed_on_time}/{f.completed} | {f.overdue_open} | {_num(f.satisfaction)} | {f.bad}/{f.bad_followed_up} "
                     f"| {f.complaints}/{f.substantiated} | {f.commendations} | {f.failed_items} | {_num(f.score, 1)} |")
    lines += ["", f"![各科室考核得分]({n['score']})", "", f"![按时转办、按时办结率]({n['ontime']})", "",
              f"![平均满意度]({n['satisfaction']})", "", "## 三、表扬", ""]
    lines += [f"- {_person(rules, b)}：受到表扬 {count} 次" for b, count in q.commended] or ["本季度无。"]
    lines += ["", "## 四、通报批评（投诉查实）", ""]
    lines += [f"- {_person(rules, b)}：投诉 {cid} 于 {day} 查实" for cid, b, day in q.criticised] or ["本季度无。"]
    lines += ["", "## 五、本季度处理决定", ""]
    if q.sanctions:
        lines += ["| 投诉 | 被处理人 | 措施 | 扣罚当年奖金 | 文号 |", "|---|---|---|---|---|"]
        for cid, s in q.sanctions:
            lines.append(f"| {cid} | {rules.who(s.staff)} | {'、'.join(s.measures)} | {_pct(s.bonus_deduction)} | {s.decision or '—'} |")
    else:
        lines.append("本季度无。")
    w = rules.policy.weights
    lines += ["", "## 六、评分办法", "",
              "各项满分 100 分，按权重合计：" + "、".join(f"{k} {v:g}" for k, v in w.items()) + "。"
              "制度落实：登记事项中无超时的比例，每个检查不合格项扣 5 分；登记：登记内容完整无误的比例；"
              "接待态度：每件查实投诉扣 20 分、每个检查不合格项扣 5 分、每次表扬加 5 分；"
              "办事效果：按时转办与按时办结的比例；满意度：平均评价折算（1 分为 0，5 分为 100）。"
              "没有数据的项目不计入。", ""]
    return "\n".join(lines)


def as_json(q: Quarter, rules, commit: str) -> dict:
    def dept(f, rank):
        return {"id": f.unit, "name": f.name, "rank": rank, "registered": f.registered, "answered": f.answered,
                "forwarded": f.forwarded, "forwarded_on_time": f.forwarded_on_time, "completed": f.completed,
                "completed_on_time": f.completed_on_time, "overdue_open": f.overdue_open,
                "on_time_rate": None if f.on_time_rate is None else round(f.on_time_rate, 4),
                "satisfaction": None if f.satisfaction is None else round(f.satisfaction, 2),
                "ratings": {str(k): v for k, v in f.distribution.items()}, "bad_ratings": f.bad,
                "bad_followed_up": f.bad_followed_up, "complaints": f.complaints, "substantiated": f.substantiated,
                "commendations": f.commendations, "inspection_failed": f.failed_items, "items": f.items, "score": f.score}
    return {"quarter": f"{q.year}Q{q.q}", "agency": rules.institution.get("name", ""), "commit": commit,
            "period": [q.start.isoformat(), q.end.isoformat()],
            "total": dept(q.total, None),
            "departments": [dept(f, i) for i, f in enumerate(q.departments, 1)],
            "staff": [{**dept(f, None), "badge": f.unit} for f in q.staff if f.registered or f.complaints or f.commendations],
            "commended": [{"badge": b, "count": c} for b, c in q.commended],
            "criticised": [{"complaint": c, "badge": b, "date": d.isoformat()} for c, b, d in q.criticised],
            "sanctions": [{"complaint": c, "badge": s.staff, "measures": s.measures, "bonus_deduction": s.bonus_deduction,
                           "decision": s.decision} for c, s in q.sanctions]}
