"""Pages for the lobby and for machines: the kiosk (触摸屏), the lookup form, the QR poster for
the windows, and Open311's services.json. Pure: rules in, page text out."""
from __future__ import annotations

import json
from datetime import date, datetime

from ..core.rules import Rules
from .pages import Pages
from .qr import qr_svg
from .text import Data, dept_tree, windows


def service_rows(rules: Rules):
    return sorted(rules.services.values(), key=lambda s: (s.department or "", s.raw.get("事项编码", ""), s.id))


def lookup_page(pages: Pages, now: datetime) -> str:
    return pages.render("lookup.md", as_of=now)


def workdays(rules: Rules, today: date) -> str:
    """lookup/workdays.json: the build's day and each year's working days up to it (WorkCalendar.flags), so that
    the lookup page counts an open matter's working days overdue as of the build in the browser. A sealed entry
    then holds nothing the day changes, and is not sealed again every morning (issue 15)."""
    cal = rules.calendar
    years = {str(y): cal.flags(y) for y in range(min(cal.first_year(), today.year), today.year + 1)}
    return json.dumps({"day": today.isoformat(), "years": years}, separators=(",", ":"))


def kiosk_pages(pages: Pages, rules: Rules) -> dict[str, str]:
    """The start page and one page per department that has a window or a service: a visitor
    at the screen looks for the window as often as for the service."""
    groups = []
    for _, d in dept_tree(rules):
        wins = windows(rules, d.id)
        services = [s for s in service_rows(rules) if s.department == d.id]
        if wins or services:
            groups.append({"dept": d, "windows": wins, "services": services})
    out = {"kiosk/index.md": pages.render("kiosk.md", departments=groups)}
    for g in groups:
        out[f"kiosk/{g['dept'].id}/index.md"] = pages.render("kiosk-department.md", dept=g["dept"], raw=Data(g["dept"].raw),
                                                            windows=g["windows"], services=g["services"])
    return out


POSTER_CODES = (("kiosk/", "大厅触摸屏", "用手机扫码，打开本单位的办事指南、窗口和投诉方式。"),
                ("lookup/", "办理进度查询", "用手机扫码，凭收件回执上的事项编号和查询码查询办理进度。"))


def poster(pages: Pages, rules: Rules) -> tuple[str, bool]:
    """The printable poster for the windows: a QR code of the kiosk and of the lookup page.
    A QR code needs the site's full address (rules/institution.yml site_url); without it the
    poster says so. Returns (page, whether the address is missing)."""
    base = str(rules.institution.get("site_url") or "").strip()
    codes = []
    if base:
        base = base if base.endswith("/") else base + "/"
        codes = [{"title": t, "note": n, "url": base + rel, "svg": qr_svg(base + rel, t)} for rel, t, n in POSTER_CODES]
    return pages.render("poster.md", inst=Data(rules.institution), codes=codes), not base


def open311(rules: Rules) -> tuple[str, dict]:
    """GeoReport v2: services.json (the list) and one definition per service."""
    listing, defs = [], {}
    for s in service_rows(rules):
        code = s.id
        listing.append({"service_code": code, "service_name": s.name,
                        "description": f"{s.kind}；承诺办结时限 {s.promised_days} 个工作日，法定 {s.legal_days} 个工作日",
                        "metadata": True, "type": "realtime" if s.kind == "即办件" else "batch",
                        "keywords": ",".join(str(m.get("名称") if isinstance(m, dict) else m) for m in s.materials or []),
                        "group": rules.dept_name(s.department) if s.department else ""})
        attrs = []
        for i, m in enumerate(s.materials or [], 1):
            m = m if isinstance(m, dict) else {"名称": m}
            attrs.append({"variable": False, "code": f"material-{i}", "datatype": "string",
                          "required": bool(m.get("必要", True)), "datatype_description": str(m.get("类型", "")),
                          "order": i, "description": str(m.get("名称", ""))})
        defs[code] = {"service_code": code, "attributes": attrs}
    return json.dumps(listing, ensure_ascii=False, indent=1), defs
