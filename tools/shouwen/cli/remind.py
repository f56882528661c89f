"""`shouwen remind`: tell each person what needs them, by e-mail and group robots, each thing once."""
from __future__ import annotations

from datetime import datetime

import click

from ..core.problems import InputError
from ..core.reminders import KINDS, parse_settings, reminders
from ..publish.remind import send
from ..core.record import CST
from .context import FORMAT, emit_json, parse_day, pass_desk, read_ledger, today_cst


@click.command("remind")
@click.option("--days", type=click.IntRange(0, 365), help="提醒几个工作日内到期的事项（默认 policy.yml 的 reminders.days，否则 2）")
@click.option("--today", help="按该日期计算（默认今天）")
@click.option("--dry-run", is_flag=True, help="只列出要发的提醒，不发送，也不记为已发")
@FORMAT
@pass_desk
def remind_cmd(desk, days, today, dry_run, fmt):
    """提醒：转办待签收、期限将到、已超期、差评待回访、投诉待结论，按 policy.yml 的 reminders 设置
    发邮件（SMTP）和企业微信、钉钉群机器人消息；已发过的不再重发（记在 .shouwen/reminded.json）。"""
    rules = desk.rules
    settings, problems = parse_settings(rules.policy.raw.get("reminders"))
    if problems:
        raise InputError("rules/policy.yml 的 reminders 设置有误", problems)
    day = parse_day(today, "--today") or today_cst()
    moment = None if today else datetime.now(CST).replace(microsecond=0)    # an hour clock: as of now
    from ..repo.index_rows import one_at_a_time
    led = read_ledger(desk, day, now=moment)
    # each entry's state made, read and let go: every one held was 726 MB at 100,000 records
    items = reminders(led, rules, day, settings.days if days is None else days, now=moment,
                      entries=one_at_a_time(led.entries))
    report = send(desk.root, rules, settings, items, dry_run=dry_run)
    if fmt == "json":
        emit_json({**report, "reminders": [{"badge": r.badge, "kind": r.kind, "record": r.record, "due": r.due,
                                            "text": r.text} for r in items]})
        return 1 if report["failed"] else 0
    for r in items:
        click.echo(f"{rules.who(r.badge)}  {KINDS[r.kind]}  {r.text}")
    if not settings.smtp_host and not settings.webhooks:
        click.echo("未配置发送方式：在 rules/policy.yml 的 reminders 中设置 email 或 webhooks（见 README）", err=True)
    verb = "将发送" if dry_run else "已发送"
    click.echo(f"提醒 {report['people']} 人、{len(items)} 条：{verb}邮件 {report['email']} 条，群机器人 {report['webhook']} 条，"
               f"此前已发过 {report['skipped']} 条")
    for u in report["unaddressed"]:
        click.echo(f"注意：{u}", err=True)
    for f in report["failed"]:
        click.echo(f"发送失败：{f}（下次运行时重发）", err=True)
    return 1 if report["failed"] else 0


COMMANDS = [remind_cmd]
