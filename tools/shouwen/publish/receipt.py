"""The printable 收件回执 and 取件登记表 （武威 第五条、第六条），rendered with Jinja2."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader

from ..core.fold import ACTION_ZH
from ..core.record import CST, to_datetime
from ..core.validate import CHANNELS

_env = Environment(loader=PackageLoader("shouwen", "templates/print"), autoescape=True,       # every template here is HTML (*.html.j2: select_autoescape never matched)
                   trim_blocks=True, lstrip_blocks=True)


def render(entry, rules, pickup: bool = False) -> str:
    rec, st, dl = entry.record, entry.state, entry.deadlines
    svc = rules.services.get(rec.meta.get("service") or "")
    events = []
    for ev in rec.events:
        at = to_datetime(ev.get("at"))
        events.append({"at": at.astimezone(CST).strftime("%Y-%m-%d %H:%M") if at else "",
                       "action": ACTION_ZH.get(ev.get("action"), ev.get("action")), "by": rules.who(ev.get("by")), **ev})
    last = {ev.get("action"): ev for ev in rec.events}
    inst = rules.institution
    return _env.get_template("pickup.html.j2" if pickup else "receipt.html.j2").render(
        inst=inst, rec=rec, m=rec.meta, st=st, dl=dl, svc=svc, rules=rules, events=events, last=last,
        channel=CHANNELS.get(rec.meta.get("channel"), ""), stage=st.status_zh if st else "",
        registered=events[0]["at"] if events else "",
        fr=rules.staff.get(rec.meta.get("first_responder")),
        hotline=(inst.get("supervision") or {}).get("hotline") or (svc.raw.get("监督投诉电话") if svc else ""))
