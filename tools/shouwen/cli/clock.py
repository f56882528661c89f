"""Clock commands: suspend / resume (暂停计时: waiting for the visitor's 补正材料) and reopen (重办)."""
from __future__ import annotations

import click

from .desk import _step, event_command


@event_command("suspend", "suspended", "暂停计时：等待办事人补正材料等（理由须为 policy.yml 中 suspend.reasons 之一，累计不超过规定上限）。",
               [click.option("--reason", required=True, help="暂停理由，如 补正材料")])
def _suspend(desk, rules, rid, when, reason):
    return _step(desk, rules, rid, when, "suspended", reason=reason)


@event_command("resume", "resumed", "恢复计时：补正材料已收到，期限顺延暂停的时间。")
def _resume(desk, rules, rid, when):
    return _step(desk, rules, rid, when, "resumed")


@event_command("reopen", "reopened", "重办：差评或复查后开启第二轮办理，重新计算转办、签收、承诺和办结期限。",
               [click.option("--reason", required=True, help="重办理由"),
                click.option("--review", metavar="文本", help="复查决定（无差评时必填，如投诉编号或复查意见）")])
def _reopen(desk, rules, rid, when, reason, review):
    return _step(desk, rules, rid, when, "reopened", reason=reason, review=review)


COMMANDS = [_suspend, _resume, _reopen]
