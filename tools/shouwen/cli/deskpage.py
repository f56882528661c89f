"""`shouwen desk`: the local desk page and the window rating pad, on 127.0.0.1 only."""
from __future__ import annotations

import logging
import sys

import click

from ..core.problems import InputError
from .context import pass_desk


@click.command("desk")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="本机端口")
@click.option("--set-pin", "set_pin", is_flag=True, help="为 --as 指定的工作人员设置本机密码（PIN），保存在本机 .shouwen/ 中，不进入仓库")
@click.option("--as", "as_badge", metavar="工号", help="设置谁的密码：姓名或工号")
@pass_desk
def desk_cmd(desk, port, set_pin, as_badge):
    """打开首问登记台网页（仅本机 127.0.0.1）：登记、待办、办理、打印回执、查找，以及窗口评价器（/pad）。"""
    from ..desk import pins
    if set_pin:
        badge = desk.badge(as_badge)
        pins.load(desk.root)                # a damaged PIN file is said before the PIN is asked
        pin = _ask_pin(f"{desk.rules.who(badge)}的新密码（4 位以上数字）")
        if len(pin.strip()) < 4 or not pin.strip().isdigit():
            raise InputError("密码应为 4 位以上数字")
        pins.set_pin(desk.root, badge, pin.strip())
        click.echo(f"已为{desk.rules.who(badge)}设置本机密码（保存在 {pins.FILE}，不会提交到仓库）")
        return 0
    desk.rules_for_write()
    if not pins.load(desk.root):
        raise InputError("这台电脑上还没有人设置密码：请先运行 shouwen --as 工号 desk --set-pin")
    from .ports import refuse_taken
    refuse_taken("127.0.0.1", port, "--port", f"--port {port % 65535 + 1}")
    from werkzeug.serving import run_simple
    from ..desk.app import create_app
    logging.getLogger("werkzeug").setLevel(logging.WARNING)     # no request log on the clerk's screen
    click.echo(f"首问登记台：http://127.0.0.1:{port}/ （评价器：http://127.0.0.1:{port}/pad ；Ctrl+C 结束）")
    run_simple("127.0.0.1", port, create_app(desk.root), threaded=True)
    return 0


def _ask_pin(prompt: str) -> str:
    """Hidden on a terminal; through a pipe read as it comes, never echoed (getpass warned there in English:
    Warning: Password input may be echoed.)."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt="再输入一次")
    stdin = sys.stdin
    click.echo(f"{prompt}：", nl=False)
    pin = stdin.readline().rstrip("\r\n")
    click.echo("\n再输入一次：", nl=False)
    again = stdin.readline().rstrip("\r\n")
    click.echo()
    if pin != again:
        raise InputError("两次输入的密码不一致，未设置")
    return pin


COMMANDS = [desk_cmd]
