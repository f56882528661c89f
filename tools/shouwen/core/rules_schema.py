"""The shape of each rules file (DESIGN §4), in the typed layer of `schema`, and the checks across
files that the shapes alone cannot make (a window's staff on the roster, weights summing to 1…).

Keys not named here pass through: a later part may add its own without touching this file.
"""
from __future__ import annotations

import re

from .departed import posts_left
from .phones import public_phones
from .problems import Problem
from .record import typed_day, typed_trouble
from .schema import Bool, Day, Dict, Int, List, Map, Num, OneOf, Str
from .quote import quoted

LINE = Str(line=True, max_len=500)
TEXT = Str()
DAYS = Int(0, 3650)          # a limit in working days
LINES = OneOf(List(TEXT), TEXT)

_DEPT_FIELDS = {"id": LINE, "name": LINE, "head": LINE, "location": LINE, "phone": LINE,
                "functions": List(TEXT), "powers": List(TEXT)}
DEPARTMENT = Map(_DEPT_FIELDS)
_DEPT_FIELDS["children"] = List(DEPARTMENT)

INSTITUTION = Map({
    "name": LINE, "short_name": LINE, "address": LINE, "postcode": OneOf(LINE, Int(0, 999999)),
    "hours": TEXT, "website": LINE,
    "phones": Dict(LINE, LINE),
    "supervision": Map({k: TEXT for k in ("suggestion_box", "hotline", "hotline_place", "complaint_center",
                                            "office", "how")}),
    "leading_group": List(Map({"role": LINE, "badge": LINE, "note": TEXT})),
    "windows": List(Map({"id": LINE, "name": LINE, "department": LINE, "staff": List(LINE)})),
    "departments": List(DEPARTMENT),
    "kiosk": Map({"idle_seconds": Int(10, 86400)}),
    "classified": Bool(), "site_url": LINE, "head": LINE,       # 'no' is no false: a text here is named
})

class LastDay(Day):
    """The last day a person who left (`离职、调离`) worked, as a clerk writes a day: 2026-10-31 or 2026年10月31日."""
    zh = "离职日期（最后工作日，如 2026-10-31 或 2026年10月31日）"

    def check(self, v, where, out):
        if isinstance(v, str):
            day = typed_day(v)
            if day is None:
                why = typed_trouble(v) or "应写成 2026-10-31 或 2026年10月31日"
                return self.bad(v, where, out, f"离职日期（最后工作日）{quoted(v)}不对：{why}")
            v = day
        return super().check(v, where, out)


STAFF = Map({"staff": List(Map({
    "badge": LINE, "name": LINE, "title": LINE, "department": LINE, "role": LINE,
    "emails": List(LINE), "public": Bool(), "photo": LINE, "key": LINE, "signing_key": LINE,
    "window": LINE, "mobile": LINE, "left": LastDay(),
}))})

POLICY = Map({
    "name": LINE, "document": LINE, "based_on": LINE, "effective": Day(), "expires": Day(),
    "limits": Map({k: DAYS for k in ("forward_limit", "sign_off_limit", "promise_limit", "verdict_limit",
                                      "followup_limit")} | {"late_entry_grace_hours": Int(0, 24 * 365)}),
    "satisfaction": Map({"scale": Dict(Int(1, 10), LINE), "bad": List(Int(1, 10))}),
    "escalation_chain": List(LINE),
    "assessment": Map({"weights": Dict(LINE, Num(0.0, 1.0)), "reports": Bool(), "publish": LINE}),
    "calendar": Map({"strict": Bool()}),
    "signing": Map({"required": Bool()}),
    "inspection_items": List(LINE),
    "lookup": Map({"rounds": Int(1000, 10 ** 9)}),     # PBKDF2 rounds of the lookup keys
    # sections parse_policy and `remind` read as mappings: any other shape is named here and dropped
    "suspend": Map({"reasons": List(LINE)}),
    "liability": Map({"department": LINE}),
    "corrections": Map({"fields": List(LINE)}),
    "reminders": Map({"days": Int(0, 365), "email": Map({
        "host": LINE, "port": Int(1, 65535), "from": LINE, "starttls": Bool(), "user": LINE, "password_env": LINE}),
        "webhooks": List(Map({"kind": LINE, "url": LINE, "departments": List(LINE), "secret": LINE}))}),
})

_DAY_ITEM = OneOf(Day(), Map({"date": Day(), "name": LINE}))
_DAYS_OF = Map({"holidays": List(_DAY_ITEM), "workdays": List(_DAY_ITEM)})
CALENDAR = Map({"holidays": List(_DAY_ITEM), "workdays": List(_DAY_ITEM), "years": Dict(Int(1900, 2999), _DAYS_OF)})

SERVICE = Map({
    "事项名称": LINE, "事项编码": LINE, "事项类型": LINE, "办件类型": LINE, "实施主体": LINE, "承办科室": LINE,
    "服务对象": LINE, "法定办结时限": DAYS, "承诺办结时限": DAYS, "受理条件": LINES,
    "申请材料": List(Map({"名称": LINE, "类型": LINE, "份数": OneOf(Int(0, 1000), LINE), "必要": Bool(),
                          "来源": LINE, "备注": TEXT})),
    "办理流程": LINES, "收费": LINES, "办理地点": LINE, "办理时间": TEXT, "咨询电话": LINE, "监督投诉电话": LINE,
    "设定依据": LINES, "到现场次数": Int(0, 100), "结果名称": LINE, "取件地点": LINE,
})

WEIGHT_TOLERANCE = 0.001


def cross_checks(inst: dict, staff: dict, policy: dict, services: dict, departments: dict) -> list[Problem]:
    """What one file's shape cannot tell: references between files and sums. `staff` maps badges to
    Staff, `services` ids to Service; the dicts are the cleaned files."""
    out = []

    def p(path, field, msg):
        out.append(Problem("rules-invalid", msg, path=path, field=field))

    inst_path, pol_path = "rules/institution.yml", "rules/policy.yml"
    url = inst.get("site_url")
    if url and not re.match(r"https?://[^\s/]", url):
        p(inst_path, "site_url", f"本站地址应以 http:// 或 https:// 开头（窗口海报的二维码指向它），实为{quoted(url)}")
    windows: dict = {}
    for i, w in enumerate(inst.get("windows") or []):
        if w.get("id") is not None and windows.setdefault(w["id"], i) != i:
            p(inst_path, f"windows[{i}].id", f"窗口 id 重复：{w['id']}（windows[{windows[w['id']]}] 已用）")
    for s in (staff or {}).values():
        win = s.raw.get("window")
        if win is not None and windows and win not in windows:
            p("rules/staff.yml", f"staff.{s.badge}.window", f"{s.badge} 的窗口 {win} 不在 institution.yml 的 windows 中")
    if staff:
        for i, w in enumerate(inst.get("windows") or []):
            for j, badge in enumerate(w.get("staff") or []):
                if badge not in staff:
                    p(inst_path, f"windows[{i}].staff[{j}]", f"窗口{quoted(w.get('name') or w.get('id'))}的工作人员 {badge} 不在 staff.yml 中")
            if w.get("department") is not None and departments and w["department"] not in departments:
                p(inst_path, f"windows[{i}].department", f"部门 {w['department']} 不在 institution.yml 中")
        for i, m in enumerate(inst.get("leading_group") or []):
            if m.get("badge") is not None and m["badge"] not in staff:
                p(inst_path, f"leading_group[{i}].badge", f"领导小组成员 {m['badge']} 不在 staff.yml 中")
    out.extend(posts_left(inst, staff or {}, departments or {}))
    out.extend(public_phones(inst))        # a warning: printed on the site and the placard
    weights = (policy.get("assessment") or {}).get("weights")
    if weights and abs(sum(weights.values()) - 1.0) > WEIGHT_TOLERANCE:
        p(pol_path, "assessment.weights", f"考核权重之和应为 1，实为 {sum(weights.values()):g}")
    sat = policy.get("satisfaction") or {}
    scale = sat.get("scale") or {5: 1, 4: 1, 3: 1, 2: 1, 1: 1}
    for i, b in enumerate(sat.get("bad") or []):
        if b not in scale:
            p(pol_path, f"satisfaction.bad[{i}]", f"差评档 {b} 不在评价档次 {sorted(scale)} 中")
    eff, exp = policy.get("effective"), policy.get("expires")
    if eff and exp and eff > exp:
        p(pol_path, "effective", f"生效日期 {eff} 晚于失效日期 {exp}")
    codes: dict = {}
    for sid, svc in sorted(services.items()):
        code = svc.raw.get("事项编码")
        if code in codes:
            p(f"rules/services/{sid}.md", "事项编码", f"事项编码 {code} 与 rules/services/{codes[code]}.md 重复")
        elif code:
            codes[code] = sid
    return out
