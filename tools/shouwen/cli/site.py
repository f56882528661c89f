"""The public site: build, serve, and the generated pages for other engines."""
from __future__ import annotations

import click

import os
import shutil
import sys

from ..core.problems import ERROR, InputError
from .context import pass_desk

@click.group("site")
def site_group():
    """公开网站（MkDocs + Material）：生成、预览、导出页面。"""


def _site_ready(desk):
    """Refuse early, with the coded problem `check` gives, when the rules can't make a site."""
    if not os.path.exists(os.path.join(desk.root, "mkdocs.yml")):
        raise InputError(f"{desk.root} 没有 mkdocs.yml；用 shouwen init 创建的机构仓库自带此文件")
    broken = [p for p in desk.rules.problems if p.severity == ERROR]
    if broken:
        raise InputError("网站未生成：规则文件有错误", broken)


def _mkdocs_failure(proc) -> int:
    """Relay what MkDocs said; the hook's coded problems (pii-leak …) come through its message."""
    lines = [l for l in (proc.stderr + proc.stdout).splitlines()
             if l.strip() and not l.startswith(("INFO", "DEBUG")) and "│" not in l]
    for l in lines:
        click.echo(l, err=True)
    coded = any("[pii-leak]" in l or "rules-invalid" in l for l in lines)
    click.echo("网站未生成" + ("（发现个人信息泄露，见上）" if coded else ""), err=True)
    return 1


@site_group.command("build")
@click.option("-o", "--output", default="public", show_default=True, type=click.Path(file_okay=False),
              help="输出目录（相对仓库根目录；不要放在 site/ 之内）")
@pass_desk
def site_build_cmd(desk, output):
    """生成公开网站（mkdocs build --strict），并扫描输出中是否含有来访人、投诉人的个人信息。"""
    from ..publish.sitebuild import mkdocs
    _site_ready(desk)
    out = output if os.path.isabs(output) else os.path.join(desk.root, output)
    if os.path.abspath(out).startswith(os.path.join(desk.root, "site") + os.sep):
        raise InputError(f"输出目录 {output} 在 site/ 之内；请换一个目录")
    # built beside the output and moved into place only when it passed: a failed build leaves nothing
    staging = f"{out.rstrip(os.sep)}.building-{os.getpid()}"
    try:
        proc = mkdocs(desk.root, "build", "--strict", "-d", staging)
        if proc.returncode != 0 or not os.path.isdir(staging):
            return _mkdocs_failure(proc)
        if os.path.isdir(out):
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pages = sum(1 for _, _, fs in os.walk(out) for f in fs if f.endswith(".html"))
    click.echo(f"网站已生成：{os.path.join(out, 'index.html')}（{pages} 个页面；无任何外部请求，已核对无个人信息）")
    prog = sys.argv[0] if os.sep in sys.argv[0] and sys.argv[0].endswith("shouwen") else "shouwen"
    click.echo(f"本机浏览：{prog} --repo {desk.root} site serve，然后打开 http://127.0.0.1:8000/ ;"
               "大厅触摸屏打开 /kiosk/")
    return 0


@site_group.command("serve")
@click.option("-a", "--address", default="127.0.0.1:8000", show_default=True, help="地址和端口")
@click.option("-v", "--verbose", is_flag=True, help="显示 MkDocs 的全部日志（默认只显示警告和错误）")
@pass_desk
def site_serve_cmd(desk, address, verbose):
    """本机预览公开网站（修改规则后自动刷新）。"""
    import subprocess
    _site_ready(desk)
    click.echo(f"正在预览：http://{address}/ （Ctrl+C 结束）")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")    # Material's end-of-life banner is for authors
    return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "-a", address, "-f",
                            os.path.join(desk.root, "mkdocs.yml"), *([] if verbose else ["-q"])], cwd=desk.root, env=env)


@site_group.command("pages")
@click.argument("directory", type=click.Path(file_okay=False), required=False)
@pass_desk
def site_pages_cmd(desk, directory):
    """只把生成的页面写入一个目录（默认 site/_generated，已被 git 忽略），供不支持 MkDocs 钩子的引擎使用（如 Zensical）。"""
    from ..publish.sitebuild import write_pages
    _site_ready(desk)
    directory = directory or os.path.join(desk.root, "site", "_generated")
    n = write_pages(desk.root, directory)
    click.echo(f"已写入 {n} 个文件到 {directory}")


COMMANDS = [site_group]
