"""The public disclosure site's pages, generated from rules/ and aggregates of records/ (DESIGN §7).

`generate` returns {path under the docs dir: text or bytes}. It knows nothing of any engine: the
MkDocs hook adds these as generated files, the Zensical build stages them beside site/, and
`shouwen site pages DIR` writes them to a folder. The wording lives in Jinja2 templates
(templates/site/pages/, overridable in the agency's site/overrides/); this module only gathers
what each page shows. Per-record data appears only as sealed lookup shards; everything else is
counted. Nothing of a visitor or complainant is read here beyond what the fold needs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources

from . import lookup
from .charts import org_chart
from .lobby import kiosk_pages, lookup_page, open311, poster, service_rows, workdays
from .pages import Pages
from .photos import board_photos
from .scheme_pages import complaints, scheme
from .search import jieba_words
from .text import Data, as_list, classified, dept_tree, head_on, public_staff, windows
from ..core.departed import on_duty, still_here
from ..core.ledger import Ledger
from ..core.record import CST
from ..core.rules import Rules

ASSETS = ("shouwen.css", "shouwen.js", "sha256.js")


@dataclass
class Site:
    files: dict = field(default_factory=dict)       # path -> str | bytes; the navigation is mkdocs.yml's
    words: str = ""                                 # the search segmenter's domain words (not published)
    overrides: list = field(default_factory=list)   # the agency's page templates this build used
    notes: list = field(default_factory=list)       # what the person building should know (Chinese)


# --- pages (wording in templates/site/pages/, overridable in site/overrides/) ---------------

HOME_TILES = (("guide/", "办事指南", "办什么事、带什么材料、多久办完"), ("org/", "机构设置", "科室职能、权限与位置"),
              ("board/", "首问责任人公示", "谁在哪个窗口，工号多少"), ("lookup/", "办理进度查询", "凭回执上的编号和查询码"),
              ("complaints/", "监督投诉", "意见箱、举报电话、投诉中心"), ("bulletins/", "季度通报", "各科室的考核与通报"),
              ("scheme/", "首问责任制度", "时限、责任与追究办法"))


def home(pages: Pages, rules: Rules, stats: dict) -> str:
    tiles = [{"href": h, "title": t, "note": n} for h, t, n in HOME_TILES]
    phones = [(str(k), str(v)) for k, v in (rules.institution.get("phones") or {}).items()]
    return pages.render("home.md", inst=Data(rules.institution), tiles=tiles, phones=phones, stats=Data(stats))


def org_index(pages: Pages, rules: Rules, today: date) -> str:
    tree = [{"depth": depth, "dept": d, "head": head, "vacant": vacant}
            for depth, d in dept_tree(rules) for head, vacant in [head_on(rules, d, today)]]
    group = []
    for m in rules.institution.get("leading_group") or []:
        s = rules.staff.get(m.get("badge") or "")
        gone = s is not None and not still_here(s, today)
        group.append((str(m.get("role", "")), "待定" if gone else f"{s.name}（{s.title}）" if s else str(m.get("note", ""))))
    return pages.render("org.md", tree=tree, chart=org_chart(rules, links=True, heads=chart_heads(rules, today)),
                        group=group)


def chart_heads(rules: Rules, today: date) -> dict:
    """The line under each 科室 in the org chart on `today`: its head, 负责人：待定 after the head's last day."""
    out = {}
    for d in rules.departments.values():
        head, vacant = head_on(rules, d, today)
        out[d.id] = "负责人：待定" if vacant else f"{head.name} {head.title}" if head else ""
    return out


def dept_page(pages: Pages, rules: Rules, d, today: date) -> str:
    in_window = {b for w in windows(rules, d.id) for b in w["badges"]}
    head, vacant = head_on(rules, d, today)
    return pages.render("department.md", dept=d, raw=Data(d.raw), head=head, vacant=vacant,
                        windows=windows(rules, d.id),
                        staff=[s for s in public_staff(rules) if s.department == d.id and s.badge not in in_window],
                        services=[s for s in service_rows(rules) if s.department == d.id])


def guide_index(pages: Pages, rules: Rules) -> str:
    rows = [{"name": s.name, "id": s.id, "kind": s.kind, "legal_days": s.legal_days, "promised_days": s.promised_days,
             "department_name": rules.dept_name(s.department) if s.department else "", "fee": str(s.raw.get("收费", ""))}
            for s in service_rows(rules)]
    return pages.render("guides.md", services=rows)


def guide_page(pages: Pages, rules: Rules, s, aliases: list[str]) -> str:
    r = s.raw
    materials = []
    for m in s.materials or []:
        m = m if isinstance(m, dict) else {"名称": m}
        materials.append({"name": str(m.get("名称", "")), "type": str(m.get("类型", "")), "copies": str(m.get("份数", "")),
                          "required": m.get("必要", True) is not False, "source": str(m.get("来源", ""))})
    faq = [(str(q.get("问", "")), str(q.get("答", ""))) for q in as_list(r.get("常见问题")) if isinstance(q, dict)]
    return pages.render("guide.md", s=s, raw=Data(r), department_name=rules.dept_name(s.department) if s.department else "",
                        materials=materials, steps=[str(x) for x in as_list(r.get("办理流程"))],
                        conditions=[str(x) for x in as_list(r.get("受理条件"))],
                        basis=[str(x) for x in as_list(r.get("设定依据"))], faq=faq, aliases=aliases,
                        body=s.body.strip())


def board(pages: Pages, rules: Rules, photos: dict) -> str:
    if classified(rules):
        return pages.render("board.md", classified=True, groups=[])

    def person(s):
        return {"name": s.name, "title": s.title, "badge": s.badge, "photo": photos.get(s.badge, "")}
    groups = []
    for _, d in dept_tree(rules):
        staff = [s for s in public_staff(rules) if s.department == d.id]
        wins = [{"name": w["name"], "staff": [person(rules.staff[b]) for b in w["badges"]
                                               if b in rules.staff and rules.staff[b].public]}
                for w in windows(rules, d.id)]
        seated = {b for w in windows(rules, d.id) for b in w["badges"]}
        others = [person(s) for s in staff if s.badge not in seated]
        wins = [w for w in wins if w["staff"]]
        if wins or others:
            groups.append({"dept": d, "windows": wins, "others": others})
    return pages.render("board.md", classified=False, groups=groups)


def bulletins_index(pages: Pages, items: list[tuple[str, str]]) -> str:
    return pages.render("bulletins.md", items=[{"file": f, "title": t} for f, t in items])


def _asset(name: str) -> str:
    return (resources.files("shouwen") / "templates" / "site" / name).read_text(encoding="utf-8")


# --- aggregates -----------------------------------------------------------------------------

def aggregates(ledger: Ledger, rules: Rules, today: date) -> dict:
    return stats([counts(e, today.year) for e in ledger.entries], today)


def counts(e, year: int) -> tuple | None:
    """What one entry adds to the year's figures (None: not registered that year): answered on the spot,
    closed, with a deadline and completed, completed on time, its rating."""
    st = e.state
    if st is None or not st.registered_at or st.registered_at.astimezone(CST).year != year:
        return None
    timed = bool(e.deadlines and e.deadlines.due and st.completed_at)
    on_time = timed and st.completed_at.astimezone(CST).date() <= e.deadlines.due
    return st.stage == "answered", bool(st.closed), timed, on_time, st.rating


def stats(rows: list, today: date) -> dict:
    return stats_of(totals(rows), today)


def totals(rows: list) -> tuple:
    """The sums the year's figures are made of (registered, answered, closed, timed, on time, ratings and
    their sum), of `counts` rows: a changed entry's share is taken out and put in again (site_follow)."""
    rows = [r for r in rows if r is not None]
    ratings = [r[4] for r in rows if r[4]]
    return (len(rows), sum(r[0] for r in rows), sum(r[1] for r in rows), sum(r[2] for r in rows),
            sum(r[3] for r in rows), len(ratings), sum(ratings))


def stats_of(totals: tuple, today: date) -> dict:
    registered, answered, closed, timed, on_time, rated, rating = totals
    return {"year": today.year, "as_of": today.isoformat(), "registered": registered,
            "answered": answered, "closed": closed,
            "on_time_rate": f"{100 * on_time / timed:.1f}%" if timed else "—",
            "satisfaction": f"{rating / rated:.2f} / 5" if rated else "—"}


def _bulletins(root: str) -> list[tuple[str, str]]:
    bdir = os.path.join(root, "site", "bulletins")
    items = []
    for name in sorted(os.listdir(bdir), reverse=True) if os.path.isdir(bdir) else []:
        if name.endswith(".md") and name != "index.md":
            with open(os.path.join(bdir, name), encoding="utf-8") as fh:
                first = next((l[2:].strip() for l in fh if l.startswith("# ")), name[:-3])
            items.append((name, first))
    return items


# --- everything ---------------------------------------------------------------------------

@dataclass
class FromRecords:
    """All the site shows of the records: the year's counts and the sealed lookup shards (path -> JSON)."""
    stats: dict
    shards: dict


def from_records(ledger: Ledger, rules: Rules, today: date, keys: dict | None = None,
                 iterations: int = lookup.ITERATIONS, sealed=None) -> FromRecords:
    return FromRecords(aggregates(ledger, rules, today),
                       seal_shards(lookup.entries(ledger, rules), keys, lookup.stored_keys(ledger, iterations),
                                   sealed, iterations))


def seal_shards(items: list, keys: dict | None, kept: dict, sealed=None, iterations: int = lookup.ITERATIONS,
                layout: dict | None = None) -> dict:
    """path -> JSON of each lookup shard (publish.lookup.shards)."""
    return {f"lookup/data/{shard}.json": shard_json(entries)
            for shard, entries in lookup.shards(items, keys, iterations, kept, sealed, layout).items()}


def shard_json(entries: dict) -> str:
    return json.dumps(entries, separators=(",", ":"), sort_keys=True)


def generate(root: str, rules: Rules, ledger: Ledger | None, today: date, keys: dict | None = None,
             iterations: int = lookup.ITERATIONS, now: datetime | None = None, sealed=None,
             records: FromRecords | None = None) -> Site:
    """`now` is when the data was taken (the lookup page says 数据截至 it). `records`: what the site shows of
    the ledger, worked out before (else from `ledger`)."""
    site, pages = Site(), Pages(root)
    now = now or datetime.combine(today, datetime.min.time())
    records = records or from_records(ledger, rules, today, keys, iterations, sealed)
    rules = on_duty(rules, today)       # the pages name no one who left before today (the records still do)
    site.files["index.md"] = home(pages, rules, records.stats)
    site.files["org/index.md"] = org_index(pages, rules, today)
    site.files["org/org-chart.svg"] = org_chart(rules, heads=chart_heads(rules, today))
    for d in rules.departments.values():
        site.files[f"org/{d.id}.md"] = dept_page(pages, rules, d, today)
    site.files["guide/index.md"] = guide_index(pages, rules)
    for s in rules.services.values():
        site.files[f"guide/{s.id}.md"] = guide_page(pages, rules, s, rules.synonyms.words_for(s))
    photos, files, notes = board_photos(root, [] if classified(rules) else public_staff(rules))
    site.notes += notes
    site.files.update({f"board/photos/{name}": data for name, data in files.items()})
    site.files["board/index.md"] = board(pages, rules, photos)
    site.files["complaints/index.md"] = complaints(pages, rules)
    site.files["scheme/index.md"] = scheme(pages, rules)
    site.files["bulletins/index.md"] = bulletins_index(pages, _bulletins(root))
    site.files["lookup/index.md"] = lookup_page(pages, now)
    site.files["lookup/workdays.json"] = workdays(rules, today)
    site.files.update(records.shards)
    site.files.update(kiosk_pages(pages, rules))
    site.files["poster/index.md"], missing_url = poster(pages, rules)
    if missing_url:
        site.notes.append("二维码海报没有二维码：rules/institution.yml 没有 site_url（本站在内网上的地址）")
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
    site.overrides = pages.used()
    site.notes += [f"{p} 不是任何页面模板的名字，未使用（模板名见 shouwen/templates/site/pages/）" for p in pages.unknown()]
    return site
