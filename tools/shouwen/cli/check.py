"""`check`: the validator over every record and rule (DESIGN §6)."""
from __future__ import annotations

from datetime import datetime

import click

from ..core.skew import clock_skew, latest_events
from ..core.problems import ERROR
from ..core.record import CST
from .context import FORMATS, answer, emit_json, parse_day, pass_desk, read_ledger, staged_ledger, today_cst


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
        led = staged_ledger(desk, day)
        count, probs = len(led.entries), led.problems
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=CST)

        def judged():
            led = read_ledger(desk, day)
            return len(led.entries), led.problems, latest_events(led.entries, start)
        count, probs, latest = answer(desk, day, ("check",), judged)
        if not today:           # against this machine's clock, unless checking as of another day
            probs = probs + clock_skew(latest, datetime.now(CST))
    ok = not any(p.severity == ERROR for p in probs)
    if fmt == "json":
        emit_json({"ok": ok, "records": count, "today": day.isoformat(),
                   "problems": [p.as_json() for p in probs]})
    else:
        for p in probs:
            click.echo(p.line())
        counts = {}
        for p in probs:
            counts[p.code] = counts.get(p.code, 0) + 1
        summary = ",".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda x: -x[1]))
        nerr = sum(p.severity == ERROR for p in probs)
        click.echo(f"检查 {count} 件记录（{day}）：{nerr} 个错误，{len(probs) - nerr} 个警告" +
                   (f"({summary})" if summary else ""))
    return 0 if ok else 1


COMMANDS = [check_cmd]
