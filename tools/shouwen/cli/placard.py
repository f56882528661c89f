"""`placard`: the printable 首问责任人公示牌, one A4 page per window (HTML, or PDF through Chromium)."""
from __future__ import annotations

import click

from .context import pass_desk


@click.command("placard")
@click.option("--window", metavar="编号", help="只印这个窗口（默认全部窗口，每个窗口一页）")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="文件",
              help="写入文件：以 .pdf 结尾时用 Chromium 打印成 A4 PDF，否则写 HTML")
@pass_desk
def placard_cmd(desk, window, output):
    """打印首问责任人公示牌（在显要位置设立，以便群众监督；涉密单位除外）。"""
    from ..publish import placard, printpdf     # Jinja2 only for the command that renders
    from ..core.departed import on_duty
    from .context import today_cst
    from .outputs import refuse_agency_output
    refuse_agency_output(desk.root, output)
    printpdf.check_name(output, "公示牌")
    page = placard.html(desk.root, on_duty(desk.rules, today_cst()), window)     # no one who has left
    printpdf.save(page, output)
    click.echo(f"已生成公示牌 {output}")


COMMANDS = [placard_cmd]
