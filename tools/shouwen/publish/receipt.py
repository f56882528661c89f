"""The printable 收件回执 and 取件登记表 （武威 第五条、第六条）: plain HTML made here, with no template engine
(Jinja2 costs a tenth of a second at every start, and the receipt is printed while the visitor waits; issue 15)."""
from __future__ import annotations

import os
from dataclasses import dataclass

import yaml
from markupsafe import Markup, escape

from ..core.record import to_datetime
from ..core.validate import CHANNELS
from ..core.view import zh_day, zh_time



class _Missing:
    """A field the record or the rules do not have: printed as nothing, and false."""

    def __bool__(self):
        return False


_MISSING = _Missing()

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  @page {{ size: A4; margin: 18mm; }}
  body {{ font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif; font-size: 12pt; color: #000; }}
  h1 {{ text-align: center; font-size: 18pt; letter-spacing: .2em; margin: 0 0 4mm; }}
  .sub {{ text-align: center; margin-bottom: 6mm; }}
  table {{ width: 100%; border-collapse: collapse; }}
  th, td {{ border: 1px solid #000; padding: 2mm 3mm; vertical-align: top; text-align: left; }}
  th {{ width: 24%; font-weight: normal; background: #f2f2f2; }}
  .big {{ font-size: 16pt; font-weight: bold; letter-spacing: .1em; }}
  .sign {{ height: 16mm; }}
  .foot {{ margin-top: 6mm; font-size: 10.5pt; }}
  @media print {{ .noprint {{ display: none; }} }}
</style>
</head>
<body>
<h1>{heading}</h1>
<p class="sub">{agency}</p>
<table>
{rows}</table>
<p class="foot">{foot}</p>
<p class="noprint"><button onclick="window.print()">打印</button></p>
</body>
</html>"""


def _at(obj, *names):
    """obj.a.b as a template reads it: an attribute, else an item, else _MISSING."""
    for name in names:
        if obj is _MISSING:
            return obj
        try:
            obj = getattr(obj, name)
            continue
        except AttributeError:
            pass
        try:
            obj = obj[name]
        except (TypeError, LookupError, AttributeError):
            return _MISSING
    return obj


def _h(value) -> str:
    """A value as HTML text: escaped (a Markup stays as it is), nothing for a missing one."""
    return "" if value is _MISSING else str(escape(value))


def _given(value):
    return None if value is _MISSING else value


def _row(head: str, cell: str, cls: str = "") -> str:
    td = f'<td class="{cls}">' if cls else "<td>"
    return f"  <tr><th>{head}</th>{td}{cell}</td></tr>\n"


class _AnyTag(yaml.SafeLoader):
    """mkdocs.yml may carry !!python/name and !ENV tags: read past them, we want site_url only."""


_AnyTag.add_multi_constructor("", lambda loader, suffix, node: None)


def _site_url(root: str, rel: str):
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_AnyTag)
    except (OSError, yaml.YAMLError):
        return None
    return data.get("site_url") if isinstance(data, dict) else None


def lookup_url(root: str, record_id: str) -> str | None:
    """The progress lookup page for one matter, from mkdocs.yml's site_url, else the one the templates
    ship in rules/institution.yml for the window poster (none: no address printed).
    The id is filled in; the lookup code never is, so the address alone opens nothing."""
    site = _site_url(root, "mkdocs.yml") or _site_url(root, "rules/institution.yml")
    if not site or not str(site).startswith(("http://", "https://")):
        return None
    return f"{str(site).rstrip('/')}/lookup/?id={record_id}"


def qr_svg(url: str) -> Markup:
    """The address as a QR code, inline SVG (segno), for a phone to open it."""
    import segno
    return Markup(segno.make(url, error="m").svg_inline(scale=3, title="办理进度查询二维码"))


def render(entry, rules, pickup: bool = False, lookup: str | None = None) -> str:
    rec, st, dl = entry.record, entry.state, entry.deadlines
    m = rec.meta
    svc = rules.service_for(m.get("service"))
    first = to_datetime(rec.events[0].get("at")) if rec.events else None
    inst = rules.institution
    org = _at(m, "visitor", "organization")
    said = _Said(m=m, st=st, dl=dl, svc=svc, rules=rules, last={ev.get("action"): ev for ev in rec.events},
                 fr=rules.staff.get(m.get("first_responder")), registered=_h(zh_time(first) if first else ""),
                 visitor=_h(_at(m, "visitor", "name")) + (f"（{_h(org)}）" if org else ""),
                 hotline=_h((inst.get("supervision") or {}).get("hotline") or
                            (svc.raw.get("监督投诉电话") if svc else "")))
    heading, title, rows, foot = _pickup(said) if pickup else _receipt(said, lookup)
    return PAGE.format(title=f"{title} {_h(_at(m, 'id'))}", heading=heading, agency=_h(_at(inst, "name")),
                       rows="".join(_row(*r) for r in rows), foot=foot)


@dataclass
class _Said:
    """What both sheets print, as HTML text or as the objects the rows read."""
    m: dict
    st: object
    dl: object
    svc: object
    rules: object
    last: dict
    fr: object
    registered: str
    visitor: str
    hotline: str


def _receipt(s: _Said, lookup):
    m, st, dl, svc, rules = s.m, s.st, s.dl, s.svc, s.rules
    matter = _h(_at(m, "matter"))
    if svc:
        matter += f"<br>对应事项：{_h(svc.name)}" + (
            "（即办件，当场办结）" if svc.kind == "即办件" else
            f"（承诺件，法定时限 {_h(svc.legal_days)} 个工作日，承诺时限 {_h(svc.promised_days)} 个工作日）")
    handler = _h(rules.who(st.handler) if st else "")
    if st and st.handler_department and st.handler != st.handler_department:
        handler += f"，{_h(rules.dept_name(st.handler_department))}"
    if svc and svc.kind == "即办件" and not (st and st.closed):
        promise = "即办件，当场办结。\n"
    elif dl and dl.due:
        promise = f"承诺于 <b>{_h(zh_day(dl.due))}</b> 前办结" + (f"（{_h(svc.name)}）" if svc else "") + "。\n"
    elif st and st.closed:
        promise = f"已于登记当时{_h(st.status_zh)}。\n"
    elif dl and dl.forward_by:
        promise = f"当场不能答复的，将于 <b>{_h(zh_day(dl.forward_by))}</b> 前转送承办科室，并告知办结时限。\n"
    else:
        promise = ""
    if lookup:
        where = (f'<span class="qr">{qr_svg(lookup)}</span>用手机扫描二维码，或打开 <span class="url">{_h(lookup)}</span>，'
                 "输入回执上的查询码即可查询；也可在大厅触摸屏查询。")
    else:
        where = "凭事项编号和查询码，在本单位政务公开网站“办理进度查询”页面或大厅触摸屏查询。"
    fr = s.fr
    rows = [("事项编号", _h(_at(m, "id")), "big"), ("查询码", _h(_at(m, "code")), "big"), ("服务对象", s.visitor),
            ("登记时间", f"{s.registered}（{_h(CHANNELS.get(m.get('channel'), ''))}）"), ("咨询或办理事项", matter),
            ("首问责任人", f"{_h(_at(fr, 'name'))}（工号 {_h(_at(fr, 'badge'))}，{_h(_at(fr, 'title'))}，"
                          f"{_h(rules.dept_name(_given(_at(fr, 'department'))))}）"),
            ("承办", handler)]
    notified = _at(s.last, "notified")
    if notified:
        materials = _given(_at(notified, "materials")) or ()
        rows.append(("一次性告知材料", "、".join(_h(x) for x in materials)))
    rows += [("承诺", f"\n{promise}  "), ("进度查询", where), ("监督投诉电话", s.hotline, "big"),
             ("首问责任人签名", "", "sign")]
    return ("机关办理事项收件回执", "收件回执", rows,
            "请妥善保存本回执，凭此查询办理进度和领取办理结果。对首问责任人的服务如有意见，可拨打监督投诉电话，或投入一楼大厅意见箱。")


def _pickup(s: _Said):
    m, st, svc, last = s.m, s.st, s.svc, s.last
    delivered = _at(last, "delivered")
    to = _at(delivered, "to") if delivered else None
    rows = [("事项编号", _h(_at(m, "id")), "big"), ("服务对象", s.visitor),
            ("咨询或办理事项", _h(_at(m, "matter")) + (f"（{_h(svc.name)}）" if svc else "")),
            ("登记时间", s.registered), ("首问责任人", f"{_h(_at(s.fr, 'name'))}（工号 {_h(_at(s.fr, 'badge'))}）"),
            ("承办人", _h(s.rules.who(_given(_at(st, "handler"))))),
            ("承诺办结日期", _h(zh_day(_given(_at(s.dl, "due"))))),
            ("办理结果", _h(_at(last, "completed", "result"))),
            ("办结时间", _h(zh_time(_given(_at(st, "completed_at"))))),
            ("送达方式", _h(_at(delivered, "method")) if delivered else "□ 窗口领取 □ 邮寄送达 □ 电话告知"),
            ("领取人签名", _h(to) if to else "", "sign"), ("领取日期", "", "sign"), ("经办人签名", "", "sign")]
    return "机关办理事项取件登记表", "取件登记表", rows, f"监督投诉电话：{s.hotline}"
