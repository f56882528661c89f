"""`check`: the validator over every record and rule (DESIGN §6)."""
from __future__ import annotations

from datetime import datetime

import click

from ..core.ledger import clock_skew
from ..core.problems import ERROR, summary
from ..core.record import CST
from .context import FORMATS, emit_json, parse_day, pass_desk, read_ledger, today_cst


@click.command("check")
@click.option("--today", help="按该日期检查期限（默认今天，北京时间）")
@click.option("--staged", is_flag=True,
              help="只检查暂存区中将要提交的文件的格式与引用（供 pre-commit 钩子使用；期限问题不拦提交）")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="不用 .shouwen/ 中的索引，逐件重新读取和判断（结果与用索引时相同）")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def check_cmd(desk, today, staged, no_cache, fmt):
    """检查全部记录和规则：格式、引用、期限。有错误时退出码为 1。"""
    day = parse_day(today, "--today") or today_cst()
    if no_cache:
        desk.use_cache = False
    if staged:
        from ..repo.staged import staged_check
        count, probs = staged_check(desk.root, day)
    else:
        led = read_ledger(desk, day)
        if not today:           # against this machine's clock, unless checking as of another day
            led.problems.extend(clock_skew(led.entries, datetime.now(CST)))
        count, probs = len(led.entries), led.problems
    ok = not any(p.severity == ERROR for p in probs)
    if fmt == "json":
        emit_json({"ok": ok, "records": count, "today": day.isoformat(),
                   "problems": [p.as_json() for p in probs]})
    else:
        for p in probs:
            click.echo(p.line())
        click.echo(summary(count, day, probs))
    return 0 if ok else 1


COMMANDS = [check_cmd]
