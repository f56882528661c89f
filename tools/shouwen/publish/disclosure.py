"""The public disclosure site's pages, generated from rules/ and aggregates of records/ (DESIGN §7).

`generate` returns {path under the docs dir: text or bytes}. It knows nothing of MkDocs: the
MkDocs hook adds these as generated files, `shouwen site pages DIR` writes them to a folder for
any other engine. Per-record data appears only as sealed lookup shards; everything else is
counted. Nothing of a visitor or complainant is read here beyond what the fold needs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from html import escape
from importlib import resources

from . import lookup
from .lobby import kiosk_dept, kiosk_start, lookup_page, open311, service_rows
from .search import jieba_words
from .scheme_pages import complaints, scheme
from .text import as_list, md_list
from .charts import org_chart
from ..core.ledger import Ledger
from ..core.record import CST
from ..core.rules import Rules

ASSETS = ("shouwen.css", "shouwen.js", "sha256.js")


@dataclass
class Site:
    files: dict = field(default_factory=dict)       # path -> str | bytes; the navigation is mkdocs.yml's
    words: str = ""                                 # the search segmenter's domain words (not published)


def _dept_tree(rules: Rules) -> list[tuple[int, object]]:
    out = []

    def walk(parent, depth):
        for d in rules.departments.values():
            if d.parent == parent:
                out.append((depth, d))
                walk(d.id, depth + 1)
    walk(None, 0)
    return out


def _public_staff(rules: Rules):
    return [s for s in rules.staff.values() if s.public]


def _windows_of(rules: Rules, badge: str) -> list[str]:
    return [w.get("name", w.get("id")) for w in rules.institution.get("windows") or [] if badge in (w.get("staff") or [])]


# --- pages ------------------------------------------------------------------------------------

def home(rules: Rules, stats: dict) -> str:
    inst = rules.institution
    phones = "\n".join(f"| {escape(k)} | {escape(str(v))} |" for k, v in (inst.get("phones") or {}).items())
    tiles = [("guide/", "办事指南", "办什么事、带什么材料、多久办完"), ("org/", "机构设置", "科室职能、权限与位置"),
             ("board/", "首问责任人公示", "谁在哪个窗口，工号多少"), ("lookup/", "办理进度查询", "凭回执上的编号和查询码"),
             ("complaints/", "监督投诉", "意见箱、举报电话、投诉中心"), ("bulletins/", "季度通报", "各科室的考核与通报"),
             ("scheme/", "首问责任制度", "时限、责任与追究办法")]
    cards = "\n".join(f'<a class="sw-tile" href="{href}"><strong>{t}</strong><span>{sub}</span></a>' for href, t, sub in tiles)
    year = stats.get("year")
    figures = ""
    if stats.get("registered"):
        figures = (f"\n## {year} 年首问登记情况\n\n| 登记事项 | 当场答复 | 已办结 | 按时办结率 | 平均满意度 |\n|---|---|---|---|---|\n"
                   f"| {stats['registered']} 件 | {stats['answered']} 件 | {stats['closed']} 件 | {stats['on_time_rate']} | {stats['satisfaction']} |\n\n"
                   f"统计截至 {stats['as_of']}，由登记簿汇总，不含任何个人信息。\n")
    return f"""---
title: {inst.get('name', '首页')}
hide: [navigation, toc]
---
# {escape(inst.get('name', ''))}

**地址**：{escape(str(inst.get('address', '')))}  
**办公时间**：{escape(str(inst.get('hours', '')))}

<div class="sw-tiles">
{cards}
</div>

本单位实行**首问责任制**：您第一个询问的工作人员就是首问责任人，负责登记、答复或引导，
需要转办的在规定时限内转送承办科室，并跟踪到办结。

| 电话 | 号码 |
|---|---|
{phones}
{figures}
[进入大厅触摸屏模式](kiosk/index.md){{ .md-button }}
"""


def org_index(rules: Rules) -> str:
    lines = []
    for depth, d in _dept_tree(rules):
        head = rules.staff.get(d.head) if d.head else None
        lines.append("    " * depth + f"- [{escape(d.name)}]({d.id}.md)" + (f"：负责人 {escape(head.name)}（{head.title}）" if head else ""))
    group = []
    for m in rules.institution.get("leading_group") or []:
        s = rules.staff.get(m.get("badge") or "")
        group.append(f"| {escape(m.get('role', ''))} | {escape(s.name + '（' + s.title + '）') if s else escape(m.get('note', ''))} |")
    return f"""# 机构设置

![机构设置图](org-chart.svg){{ .sw-chart }}

## 内设机构

{chr(10).join(lines)}

## 首问责任制领导小组

| 职务 | 人员 |
|---|---|
{chr(10).join(group)}
"""


def dept_page(rules: Rules, d) -> str:
    raw = d.raw
    head = rules.staff.get(d.head) if d.head else None
    windows = [w for w in rules.institution.get("windows") or [] if w.get("department") == d.id]
    staff = [s for s in _public_staff(rules) if s.department == d.id]
    services = [s for s in service_rows(rules) if s.department == d.id]
    return f"""# {escape(d.name)}

| 负责人 | 位置 | 电话 |
|---|---|---|
| {escape(head.name + '（' + head.title + '）') if head else '—'} | {escape(str(raw.get('location', '—')))} | {escape(str(raw.get('phone', '—')))} |

## 职能

{md_list(raw.get('functions'))}

## 权限

{md_list(raw.get('powers'))}

## 窗口与人员

{md_list([w.get('name') for w in windows]) if windows else '本科室不设对外窗口。'}

{md_list([f"{s.name}（{s.title}，工号 {s.badge}）" for s in staff]) if staff else ''}

## 办理的事项

{chr(10).join(f"- [{escape(s.name)}](../guide/{s.id}.md)（{s.kind}，承诺 {s.promised_days} 个工作日）" for s in services) or '（本科室无对外办理事项）'}
"""


def guide_index(rules: Rules) -> str:
    rows = []
    for s in service_rows(rules):
        rows.append(f"| [{escape(s.name)}]({s.id}.md) | {escape(s.kind)} | {escape(rules.dept_name(s.department) if s.department else '')} "
                    f"| {s.legal_days} 个工作日 | {s.promised_days} 个工作日 | {escape(str(s.raw.get('收费', '')))} |")
    return f"""# 办事指南

共 {len(rules.services)} 个事项。点击事项名称查看办事指南：申请材料一次告知，可打印为一页 A4。

| 事项名称 | 办件类型 | 承办科室 | 法定办结时限 | 承诺办结时限 | 收费 |
|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def guide_page(rules: Rules, s) -> str:
    r = s.raw
    mats = []
    for i, m in enumerate(s.materials or [], 1):
        m = m if isinstance(m, dict) else {"名称": m}
        need = "必要" if m.get("必要", True) else "视情形"
        mats.append(f"| {i} | {escape(str(m.get('名称', '')))} | {escape(str(m.get('类型', '')))} | {escape(str(m.get('份数', '')))} "
                    f"| {need} | {escape(str(m.get('来源', '')))} |")
    steps = "\n".join(f"{i}. {escape(str(x))}" for i, x in enumerate(as_list(r.get("办理流程")), 1))
    faq = "\n\n".join(f"**问：{escape(str(q.get('问', '')))}**  \n答：{escape(str(q.get('答', '')))}"
                      for q in as_list(r.get("常见问题")) if isinstance(q, dict))
    body = s.body.strip()
    return f"""---
title: {s.name}
---
# {escape(s.name)}

<div class="sw-guide" markdown>

| 事项编码 | 办件类型 | 实施主体 | 承办科室 |
|---|---|---|---|
| {escape(str(r.get('事项编码', '')))} | {escape(s.kind)} | {escape(str(r.get('实施主体', '')))} | {escape(rules.dept_name(s.department) if s.department else '')} |

| 法定办结时限 | 承诺办结时限 | 收费 | 到现场次数 |
|---|---|---|---|
| {s.legal_days} 个工作日 | {s.promised_days} 个工作日 | {escape(str(r.get('收费', '')))} | {escape(str(r.get('到现场次数', '—')))} |

{escape(body) if body else ''}

## 一次性告知清单（申请材料）

| 序号 | 材料名称 | 类型 | 份数 | 是否必要 | 来源 |
|---|---|---|---|---|---|
{chr(10).join(mats)}

## 受理条件

{md_list(as_list(r.get('受理条件')))}

## 办理流程

{steps}

## 办理地点、时间与电话

- **办理地点**：{escape(str(r.get('办理地点', '')))}
- **办理时间**：{escape(str(r.get('办理时间', '')))}
- **咨询电话**：{escape(str(r.get('咨询电话', '')))}
- **监督投诉电话**：{escape(str(r.get('监督投诉电话', '')))}

## 设定依据

{md_list(as_list(r.get('设定依据')))}

{('## 常见问题' + chr(10) + chr(10) + faq) if faq else ''}

</div>

<button class="md-button sw-print" type="button" onclick="window.print()">打印本页（A4）</button>
"""


def classified(rules: Rules) -> bool:
    """涉密单位 （S2 第三条：设立首问责任人公示牌，涉密单位除外）：no badge board, on the site or on paper."""
    return bool(rules.institution.get("classified"))


def board(rules: Rules, photos: dict) -> str:
    if classified(rules):
        return ("# 首问责任人公示\n\n本单位为涉密单位，依规定不设首问责任人公示。"
                "您第一个询问的工作人员仍为首问责任人，负责到底；对服务有意见可按[监督投诉](../complaints/index.md)的方式反映。\n")
    cards = []
    for s in _public_staff(rules):
        photo = photos.get(s.badge)
        face = (f'<img src="photos/{photo}" alt="{escape(s.name)}的照片" width="96" height="120">' if photo
                else f'<span class="sw-avatar" aria-hidden="true">{escape(s.name[:1])}</span>')
        windows = "、".join(_windows_of(rules, s.badge))
        cards.append(f'<div class="sw-card">{face}<div><strong>{escape(s.name)}</strong><br>{escape(s.title)}<br>'
                     f'工号 <b>{s.badge}</b><br>{escape(rules.dept_name(s.department))}'
                     + (f'<br>{escape(windows)}' if windows else "") + "</div></div>")
    return f"""# 首问责任人公示

以下工作人员均为首问责任人：您第一个询问的人负责到底。请认准工号，对服务有意见可按[监督投诉](../complaints/index.md)的方式反映。

<div class="sw-cards">
{chr(10).join(cards)}
</div>
"""


def bulletins_index(items: list[tuple[str, str]]) -> str:
    rows = "\n".join(f"- [{escape(title)}]({name})" for name, title in items) or "尚未发布季度通报。"
    return f"# 季度通报\n\n首问责任制办公室每季度对各科室的首问登记、办理时限、满意度和投诉情况进行考核并通报（最新的在前）。\n\n{rows}\n"


def _asset(name: str) -> str:
    return (resources.files("shouwen") / "templates" / "site" / name).read_text(encoding="utf-8")


# --- aggregates -----------------------------------------------------------------------------

def aggregates(ledger: Ledger, rules: Rules, today: date) -> dict:
    year = today.year
    rows = [e for e in ledger.entries if e.state is not None and e.state.registered_at
            and e.state.registered_at.astimezone(CST).year == year]
    closed = [e for e in rows if e.state.closed]
    timed = [e for e in rows if e.deadlines and e.deadlines.due and e.state.completed_at]
    on_time = [e for e in timed if e.state.completed_at.astimezone(CST).date() <= e.deadlines.due]
    ratings = [e.state.rating for e in rows if e.state.rating]
    return {"year": year, "as_of": today.isoformat(), "registered": len(rows),
            "answered": sum(e.state.stage == "answered" for e in rows), "closed": len(closed),
            "on_time_rate": f"{100 * len(on_time) / len(timed):.1f}%" if timed else "—",
            "satisfaction": f"{sum(ratings) / len(ratings):.2f} / 5" if ratings else "—"}


# --- everything ---------------------------------------------------------------------------

def generate(root: str, rules: Rules, ledger: Ledger, today: date, keys: dict | None = None,
             iterations: int = lookup.ITERATIONS) -> Site:
    site = Site()
    stats = aggregates(ledger, rules, today)
    site.files["index.md"] = home(rules, stats)
    site.files["org/index.md"] = org_index(rules)
    site.files["org/org-chart.svg"] = org_chart(rules)
    for d in rules.departments.values():
        site.files[f"org/{d.id}.md"] = dept_page(rules, d)
    site.files["guide/index.md"] = guide_index(rules)
    for s in rules.services.values():
        site.files[f"guide/{s.id}.md"] = guide_page(rules, s)
    photos = {}
    for s in [] if classified(rules) else _public_staff(rules):
        src = s.raw.get("photo")
        full = os.path.join(root, "rules", str(src)) if src else None
        if full and os.path.isfile(full):
            name = f"{s.badge}{os.path.splitext(full)[1].lower()}"
            with open(full, "rb") as fh:
                site.files[f"board/photos/{name}"] = fh.read()
            photos[s.badge] = name
    site.files["board/index.md"] = board(rules, photos)
    site.files["complaints/index.md"] = complaints(rules)
    site.files["scheme/index.md"] = scheme(rules)
    bdir = os.path.join(root, "site", "bulletins")
    items = []
    for name in sorted(os.listdir(bdir), reverse=True) if os.path.isdir(bdir) else []:
        if name.endswith(".md") and name != "index.md":
            with open(os.path.join(bdir, name), encoding="utf-8") as fh:
                first = next((l[2:].strip() for l in fh if l.startswith("# ")), name[:-3])
            items.append((name, first))
    site.files["bulletins/index.md"] = bulletins_index(items)
    site.files["lookup/index.md"] = lookup_page()
    for shard, entries in lookup.shards(lookup.entries(ledger, rules), keys, iterations).items():
        site.files[f"lookup/data/{shard}.json"] = json.dumps(entries, separators=(",", ":"), sort_keys=True)
    groups = [(d, sum(1 for s in rules.services.values() if s.department == d.id)) for _, d in _dept_tree(rules)]
    groups = [(d, n) for d, n in groups if n]
    site.files["kiosk/index.md"] = kiosk_start(rules, groups)
    for d, _ in groups:
        site.files[f"kiosk/{d.id}/index.md"] = kiosk_dept(rules, d)
    listing, defs = open311(rules)
    site.files["services.json"] = listing
    for code, d in defs.items():
        site.files[f"services/{code}.json"] = json.dumps(d, ensure_ascii=False, indent=1)
    idle = int((rules.institution.get("kiosk") or {}).get("idle_seconds", 90))
    for name in ASSETS:
        text = _asset(name)
        if name == "shouwen.js":
            text = text.replace("__IDLE_SECONDS__", str(idle)).replace("__ITERATIONS__", str(iterations))
        site.files[f"assets/{name}"] = text
    site.words = jieba_words(rules)
    return site
