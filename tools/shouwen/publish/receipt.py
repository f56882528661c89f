"""The printable 收件回执 and 取件登记表 （武威 第五条、第六条），rendered with Jinja2."""
from __future__ import annotations

import os

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..core.fold import ACTION_ZH
from ..core.record import to_datetime
from ..core.validate import CHANNELS
from ..core.view import zh_day, zh_time

_env = Environment(loader=PackageLoader("shouwen", "templates/print"), autoescape=True,       # every template here is HTML (*.html.j2: select_autoescape never matched)
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["zhday"] = zh_day
_env.filters["zhtime"] = zh_time


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
    svc = rules.service_for(rec.meta.get("service"))
    events = []
    for ev in rec.events:
        at = to_datetime(ev.get("at"))
        events.append({**ev, "at": zh_time(at) if at else "",     # the event's own fields, its time in words
                       "action": ACTION_ZH.get(ev.get("action"), ev.get("action")), "by": rules.who(ev.get("by"))})
    last = {ev.get("action"): ev for ev in rec.events}
    inst = rules.institution
    return _env.get_template("pickup.html.j2" if pickup else "receipt.html.j2").render(
        inst=inst, rec=rec, m=rec.meta, st=st, dl=dl, svc=svc, rules=rules, events=events, last=last,
        channel=CHANNELS.get(rec.meta.get("channel"), ""), stage=st.status_zh if st else "",
        registered=events[0]["at"] if events else "", lookup=lookup, qr=qr_svg(lookup) if lookup else None,
        fr=rules.staff.get(rec.meta.get("first_responder")),
        hotline=(inst.get("supervision") or {}).get("hotline") or (svc.raw.get("监督投诉电话") if svc else ""))
