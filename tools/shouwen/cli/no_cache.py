"""`--no-cache` (DESIGN §10), one option for the group and every command: before a command's name or after it
(`shouwen --no-cache todo`, `shouwen todo --no-cache`), the same meaning."""
from __future__ import annotations

import os

import click

NO_CACHE_HELP = "不用 .shouwen/ 中的索引和缓存，逐件重新读取（结果与用索引时相同）"


def _no_cache(ctx, param, value):
    """--no-cache (DESIGN §10): as SHOUWEN_NO_CACHE=1 (read by the site build too) until the command ends."""
    if not value:
        return
    if not os.environ.get("SHOUWEN_NO_CACHE"):
        os.environ["SHOUWEN_NO_CACHE"] = "1"
        ctx.call_on_close(lambda: os.environ.pop("SHOUWEN_NO_CACHE", None))
    desk = ctx.obj          # given after the command's name: the group's desk (cli.context.Desk) is made already
    if desk is not None:
        desk.use_cache = False


def no_cache_option():
    return click.Option(["--no-cache"], is_flag=True, expose_value=False, is_eager=True, callback=_no_cache,
                        help=NO_CACHE_HELP)


def with_no_cache(cmd):
    """Every command (and `site`, a group of commands) takes --no-cache after its name too (`shouwen todo
    --no-cache`), the one option the group takes before it: users type it where `check --no-cache` taught them to."""
    if not any(p.name == "no_cache" for p in cmd.params):
        cmd.params.append(no_cache_option())
    for sub in getattr(cmd, "commands", {}).values():     # a group's own commands too (`site build --no-cache`)
        with_no_cache(sub)
    return cmd
