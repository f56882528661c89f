"""The bulletin as a 公文 for filing: laid out after GB/T 9704 (发文机关标志, 发文字号, 标题, 主送,
正文, 落款, 成文日期, 版记) and printed to an A4 PDF by Debian's Chromium.

`html` is pure (the bulletin's Markdown in, a page out); `printpdf` is the edge that runs Chromium.
"""
from __future__ import annotations

import re
from datetime import date

import markdown as md
from jinja2 import Environment, PackageLoader, select_autoescape

from ..core.clock import zh_day

_env = Environment(loader=PackageLoader("shouwen", "templates/print"), autoescape=select_autoescape(["html"]))


def html(text: str, rules, number: str, to: str, day: date) -> str:
    """The bulletin page (Markdown) laid out as a 公文: its title becomes the 标题, its lines up to the
    first section are dropped (the 版头 says who and when), charts stay on the site."""
    lines = text.splitlines()
    title = lines[0].lstrip("# ").strip() if lines else ""
    first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    body = "\n".join(line for line in lines[first:] if not line.startswith("!["))
    inst = rules.institution
    issuer = f"{inst.get('name', '')}首问责任制办公室"
    return _env.get_template("gongwen.html.j2").render(
        issuer=issuer, number=number, title=re.sub(r"\s+", "", title), to=to, date=zh_day(day),
        body=md.markdown(body, extensions=["tables"]),
        footer=f"抄送：{inst.get('name', '')}首问责任制领导小组")
