"""Pages for the lobby and for machines: the kiosk (触摸屏), the lookup form, and Open311's
services.json. Pure: rules in, page text out."""
from __future__ import annotations

import json
from html import escape

from ..core.rules import Rules


def service_rows(rules: Rules):
    return sorted(rules.services.values(), key=lambda s: (s.department or "", s.raw.get("事项编码", ""), s.id))


def lookup_page() -> str:
    return """# 办理进度查询

请输入收件回执上的**事项编号**和**查询码**。只显示办理状态、承办科室和日期，不显示任何个人信息。

<form id="sw-lookup" class="sw-lookup" autocomplete="off">
<label for="sw-id">事项编号</label>
<input id="sw-id" name="id" inputmode="text" placeholder="如 20261127-J017-003" required>
<label for="sw-code">查询码</label>
<input id="sw-code" name="code" placeholder="6 位，如 7KQ4MX" required maxlength="6">
<button class="md-button md-button--primary" type="submit">查询</button>
</form>

<div id="sw-keypad" class="sw-keypad" hidden></div>

<div id="sw-result" class="sw-result" role="status" aria-live="polite"></div>
"""


def kiosk_start(rules: Rules, groups) -> str:
    tiles = "\n".join(f'<a class="sw-tile sw-big" href="{d.id}/">{escape(d.name)}<span>{n} 个事项</span></a>'
                      for d, n in groups)
    return f"""---
title: 大厅触摸屏
hide: [navigation, toc]
---
<div class="sw-kiosk-start" data-kiosk-home markdown>

# 请选择要办理的科室

<div class="sw-tiles">
{tiles}
<a class="sw-tile sw-big" href="../board/">首问责任人公示<span>窗口与工号</span></a>
<a class="sw-tile sw-big" href="../lookup/">办理进度查询<span>凭编号和查询码</span></a>
<a class="sw-tile sw-big" href="../complaints/">监督投诉<span>意见与举报</span></a>
</div>
</div>
"""


def kiosk_dept(rules: Rules, d) -> str:
    services = [s for s in service_rows(rules) if s.department == d.id]
    tiles = "\n".join(f'<a class="sw-tile sw-big" href="../../guide/{s.id}/">{escape(s.name)}'
                      f'<span>{escape(s.kind)}，承诺 {s.promised_days} 个工作日</span></a>' for s in services)
    return f"""---
title: {d.name}
hide: [navigation, toc]
---
# {escape(d.name)}：请选择事项

<div class="sw-tiles">
{tiles}
<a class="sw-tile sw-big sw-back" href="../">返回首页</a>
</div>
"""


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
