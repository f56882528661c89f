"""The public site: build, serve, and the generated pages for other engines."""
from __future__ import annotations

import click

import functools
import os
import re
import shutil
import sys

from .. import ON_INTERRUPT
from ..core.problems import ERROR, InputError
from .context import os_reason, pass_desk
from .zh_click import ClosestGroup
from .outputs import refuse_agency_output
from .progress import Progress

@click.group("site", cls=ClosestGroup)
def site_group():
    """公开网站（MkDocs + Material 或 Zensical）：生成、预览、导出页面。"""


def _site_ready(desk):
    """Refuse early, with the coded problem `check` gives, when the rules can't make a site:
    the rules (rules/search.yml among them) and the agency's page templates."""
    from ..publish.pages import Pages, TemplateBroken
    if not os.path.exists(os.path.join(desk.root, "mkdocs.yml")):
        raise InputError(f"{desk.root} 没有 mkdocs.yml；用 shouwen init 创建的机构仓库自带此文件")
    broken = [p for p in desk.rules.problems if p.severity == ERROR]
    if broken:
        raise InputError("网站未生成：规则文件有错误", broken)
    # docs_dir: agencies made before init committed site/.gitkeep have no such folder in a clone
    os.makedirs(os.path.join(desk.root, "site"), exist_ok=True)
    try:
        Pages(desk.root).check_overrides()
    except TemplateBroken as e:
        raise InputError(f"网站未生成：{e}")


def _clear_dead_builds(final: str) -> None:
    """Half-built sites of a build that was killed (named by its pid): never checked for personal data."""
    from ..repo.process import pid_alive
    parent, base = os.path.split(os.path.abspath(final))
    for name in os.listdir(parent):
        m = re.fullmatch(re.escape(base) + r"\.building-(\d+)", name)
        if m and not pid_alive(int(m.group(1))):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
            click.echo(f"注意：已删除中断的网站生成（进程 {m.group(1)}）留下的 {name}", err=True)


def _say_overrides(lines):
    """The agency's page templates the build used, and what else it should know."""
    from ..publish.sitebuild import NOTE, OVERRIDE_NOTE
    for l in lines:
        for mark in (OVERRIDE_NOTE, NOTE):
            if mark in l:
                click.echo(mark + l.split(mark, 1)[1])


def _without_stacks(lines):
    """A crash inside MkDocs: drop its stack (the indented lines after "Traceback"), keep what broke."""
    inside = False
    for l in lines:
        if l.startswith("Traceback (most recent call last)"):
            inside = True
        elif not (inside and l.startswith((" ", "\t"))):
            inside = False
            yield l


def _mkdocs_failure(proc) -> int:
    """Relay what MkDocs said; the hook's coded problems (pii-leak …) come through its message."""
    lines = [l for l in _without_stacks((proc.stderr + proc.stdout).splitlines())
             if l.strip() and not l.startswith(("INFO", "DEBUG")) and "│" not in l]
    for l in lines:
        click.echo(l, err=True)
    leak = any("[pii-leak]" in l or "pii-leak：" in l for l in lines)
    rules = any("rules-invalid" in l for l in lines)
    click.echo("网站未生成" + ("（发现个人信息泄露，见上）" if leak else "（规则或页面模板有错误，见上）" if rules else ""),
               err=True)
    return 2 if rules and not leak else 1       # an agency's file at fault is bad input, as under Zensical


def _engine(engine: str | None) -> str:
    """The engine asked for, or the one installed (MkDocs first while Material lives)."""
    from ..publish import sitebuild
    engine = engine or sitebuild.default_engine()
    if engine is None:
        raise InputError("没有可用的网站引擎：请安装 mkdocs-material 或 zensical（pip install 'shouwen[zensical]'）")
    return engine


ENGINE = click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default=None,
                      help="生成网站的引擎；默认为已安装的那一个（两者都装时用 mkdocs）")


@site_group.command("build")
@click.option("-o", "--output", default="public", show_default=True, type=click.Path(file_okay=False),
              help="输出目录（相对仓库根目录；不要放在 site/ 之内）")
@ENGINE
@pass_desk
def site_build_cmd(desk, output, engine, preview=False):
    """生成公开网站（mkdocs build --strict 或 zensical build --strict），并扫描输出中是否含有来访人、投诉人的个人信息。"""
    from ..publish import sitebuild
    engine = _engine(engine)
    _site_ready(desk)
    out = output if os.path.isabs(output) else os.path.join(desk.root, output)
    if os.path.abspath(out).startswith(os.path.join(desk.root, "site") + os.sep):
        raise InputError(f"输出目录 {output} 在 site/ 之内；请换一个目录")
    refuse_agency_output(desk.root, out, folder=True, replaced=True)
    # built beside the output and moved into place only when it passed: a failed build leaves nothing
    final, out = out, f"{out.rstrip(os.sep)}.building-{os.getpid()}"
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:       # a read-only repository (a mounted copy, a CD): the site can still go elsewhere
        raise InputError(f"网站未生成：无法在 {os.path.dirname(os.path.abspath(final))} 中写入输出目录 {output}"
                         f"（{os_reason(e)}）；请用 -o 指定一个可写的目录，例如 shouwen site build -o /tmp/公开网站")
    _clear_dead_builds(final)
    undo = functools.partial(shutil.rmtree, out, ignore_errors=True)
    ON_INTERRUPT.append(undo)
    progress = Progress("派生查询密钥")
    if progress.shown:          # deriving the lookup keys is slow on purpose: said here, before the engine runs
        with progress:
            sitebuild.derive_keys(desk.root, progress)
    try:
        if engine == "zensical":
            from ..publish import zensical
            if not zensical.available():
                raise InputError(f"没有安装 Zensical：pip install zensical=={zensical.PINNED}")
            try:
                job = sitebuild.zensical_build(desk.root, out)
            except sitebuild.RulesBroken as e:
                raise InputError("网站未生成：规则文件有错误", e.problems)
            except sitebuild.BuildFailed as e:
                for l in e.lines:
                    click.echo(l, err=True)
                click.echo("网站未生成" + ("（发现个人信息泄露，见上；输出已删除）" if e.leak else ""), err=True)
                return 1
            _say_overrides([sitebuild.OVERRIDE_NOTE + p for p in job.site.overrides] +
                           [sitebuild.NOTE + n for n in job.site.notes])
        else:
            proc = sitebuild.mkdocs(desk.root, "build", "--strict", "-d", out)
            if proc.returncode != 0:
                return _mkdocs_failure(proc)
            _say_overrides((proc.stderr + proc.stdout).splitlines())
        if not os.path.isdir(out):
            return 1
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.replace(out, final)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        ON_INTERRUPT.remove(undo)
    out = final
    pages = sum(1 for _, _, fs in os.walk(out) for f in fs if f.endswith(".html"))
    click.echo(f"网站已生成（{engine}）：{os.path.join(out, 'index.html')}（{pages} 个页面；无任何外部请求，已核对无个人信息）")
    from ..publish.site_records import shown
    head = shown(desk.root)
    if head:        # publish.site_records.shown_tree: the records as the history holds them
        click.echo(f"网站上的事项取自已提交的记录（提交 {head[:10]}）；未提交的记录改动不公开，隐私核对也只认已提交的记录")
    if preview:         # built for `site serve`, which says its own address
        return 0
    prog = sys.argv[0] if os.sep in sys.argv[0] and sys.argv[0].endswith("shouwen") else "shouwen"
    click.echo(f"本机浏览：{prog} --repo {desk.root} site serve，然后打开 http://127.0.0.1:8000/ ；"
               "大厅触摸屏打开 /kiosk/")
    return 0


@site_group.command("serve")
@click.option("-a", "--address", default="127.0.0.1:8000", show_default=True, help="地址和端口")
@ENGINE
@click.option("-v", "--verbose", is_flag=True, help="显示 MkDocs 的全部日志（默认只显示警告和错误）")
@pass_desk
@click.pass_context
def site_serve_cmd(ctx, desk, address, engine, verbose):
    """本机预览公开网站（MkDocs：修改规则后自动刷新；Zensical：生成一次后预览，修改后请重新运行）。"""
    import subprocess
    engine = _engine(engine)
    host, _, port = address.rpartition(":")
    if not (host and port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise InputError(f"预览地址 {address} 无效：请写出地址和端口，例如 127.0.0.1:8000")
    from .ports import refuse_taken
    refuse_taken(host, int(port), "-a", f"-a {host}:{int(port) % 65535 + 1}")
    if engine == "zensical":
        return _serve_built(ctx, desk, host, int(port))
    _site_ready(desk)
    click.echo(f"正在预览：http://{address}/ （Ctrl+C 结束）")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")    # Material's end-of-life banner is for authors
    return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "-a", address, "-f",
                            os.path.join(desk.root, "mkdocs.yml"), *([] if verbose else ["-q"])], cwd=desk.root, env=env)


def _serve_built(ctx, desk, host: str, port: int) -> int:
    """Zensical runs no hook, so its own `serve` would show the site without our pages: the site is built as
    `site build` builds it (the privacy guard included) into a temporary folder, and that folder is served."""
    import http.server
    import tempfile
    where = tempfile.mkdtemp(prefix="shouwen-preview-")
    undo = functools.partial(shutil.rmtree, where, ignore_errors=True)
    ON_INTERRUPT.append(undo)
    try:
        out = os.path.join(where, "site")
        code = ctx.invoke(site_build_cmd, output=out, engine="zensical", preview=True)
        if code:
            return code

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):      # one line a request would drown the build's report
                pass

        try:
            server = http.server.ThreadingHTTPServer((host, port), functools.partial(Quiet, directory=out))
        except OSError as e:
            raise InputError(f"无法在 {host}:{port} 上预览（{os_reason(e)}）；请用 -a 换一个端口，例如 -a 127.0.0.1:8001")
        click.echo(f"正在预览（zensical，已生成的网站；修改规则后请重新运行）：http://{host}:{port}/ （Ctrl+C 结束）")
        with server:
            server.serve_forever()
        return 0
    finally:
        undo()
        ON_INTERRUPT.remove(undo)


@site_group.command("pages")
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False), required=False)
@pass_desk
def site_pages_cmd(desk, directory):
    """只把生成的页面写入一个目录（默认 site/_generated，已被 git 忽略），供不支持 MkDocs 钩子的引擎使用（如 Zensical）。"""
    from ..publish.sitebuild import RulesBroken, write_pages
    _site_ready(desk)
    directory = directory or os.path.join(desk.root, "site", "_generated")
    refuse_agency_output(desk.root, directory, folder=True)
    try:
        n = write_pages(desk.root, directory)
    except RulesBroken as e:
        raise InputError("页面未生成：规则文件或页面模板有错误", e.problems)
    click.echo(f"已写入 {n} 个文件到 {directory}")


COMMANDS = [site_group]
