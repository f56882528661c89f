"""The printable 首问责任人公示牌: one A4 page per window with the staff who sit there (name, title,
badge, photo), the promise and the supervision phone. 涉密单位 have none (S2 第三条)."""
from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

from ..core.names import window_names
from ..core.problems import InputError
from .photos import staff_photo
from .text import classified

_env = Environment(loader=PackageLoader("shouwen", "templates/print"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def _photo(root: str, staff) -> str | None:
    """The staff photo inlined, so the printed page needs no other file: from rules/ only, re-encoded."""
    data = staff_photo(root, staff)[0]
    return None if data is None else f"data:image/jpeg;base64,{base64.b64encode(data).decode()}"


def html(root: str, rules, window: str | None = None) -> str:
    if classified(rules):
        raise InputError("本单位在 rules/institution.yml 中标为涉密单位（classified: true），依规定不设首问责任人公示牌")
    inst = rules.institution
    if window is not None:
        window = window_names(rules).resolve(window, "--window")      # its id, name or a start of either
    windows = [w for w in inst.get("windows") or [] if window in (None, w.get("id"))]
    if not windows:
        known = "、".join(str(w.get("id")) for w in inst.get("windows") or []) or "无"
        raise InputError(f"rules/institution.yml 中没有窗口 {window}（已有：{known}）" if window
                         else "rules/institution.yml 中没有 windows（窗口）")
    pages = []
    for w in windows:
        people = [s for s in (rules.staff.get(b) for b in w.get("staff") or []) if s is not None and s.public]
        pages.append({"name": w.get("name", w.get("id")), "department": rules.dept_name(w.get("department")),
                      "people": [{"name": s.name, "title": s.title, "badge": s.badge, "photo": _photo(root, s)}
                                 for s in people]})
    hotline = (inst.get("supervision") or {}).get("hotline") or (inst.get("phones") or {}).get("监督投诉", "")
    return _env.get_template("placard.html.j2").render(inst=inst, windows=pages, hotline=hotline)
