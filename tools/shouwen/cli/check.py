"""`check`: the validator over every record and rule (DESIGN §6)."""
from __future__ import annotations

from datetime import datetime

import click

from ..core.skew import clock_skew, latest_events
from ..core.problems import CODES, ERROR, InputError, line_of, problem_from, problem_values
from ..core.view import summary_of
from ..core.record import CST, local_day
from ..repo.answers import Volatile
from .context import FORMAT, answer, emit_json, parse_day, parse_moment, pass_desk, read_ledger


@click.command("check")
@click.option("--today", help="按该日结束时检查期限（YYYY-MM-DD）；不给 --today 和 --now 时按现在的时刻")
@click.option("--now", "now", metavar="时刻", help="按该时刻检查期限（ISO 时间，如 2026-11-28T21:30；按小时计时的期限过时即报）")
@click.option("--staged", is_flag=True,
              help="只检查暂存区中将要提交的文件的格式与引用（供 pre-commit 钩子使用；期限问题不拦提交）")
@click.option("--fail-on", "fail_on", type=click.Choice(["all", "records"]), default="all", show_default=True,
              help="records：只有记录、引用、规则、职责的错误和追究阶梯错误（ladder-invalid）使退出码为 1；超期、转办超时等期限问题与处理决定照常列出"
                   "（CI 用：登记簿中的超期事项是要办的事，不应挡住审查和网站发布）")
@FORMAT
@pass_desk
def check_cmd(desk, today, now, staged, fail_on, fmt):
    """检查全部记录和规则：格式、引用、期限。有错误时退出码为 1。"""
    if today and now:
        raise InputError("--today 与 --now 只能给一个：--today 按该日结束时检查，--now 按该时刻检查")
    day = parse_day(today, "--today")
    moment = parse_moment(now) or (None if day else datetime.now(CST).replace(microsecond=0))
    day = day or local_day(moment)
    if staged:      # what a commit is refused for: no deadline is judged, so the day is all it needs
        from ..repo.staged import staged_check
        count, probs = staged_check(desk.root, day)
        moment = None
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=CST)
        kept = _summary(desk, day, moment, start)       # Git asked, and the kept judgement read meanwhile

        def judged():
            found = kept.answer(lambda: desk.rules) if kept is not None else None     # a few records changed
            if found is not None:
                return found
            from ..repo.index_rows import state_from
            led = read_ledger(desk, day, now=moment, before_judge=kept.keeper(desk.rules) if kept else None,
                              keep_state=state_from(start))    # latest_events
            found = len(led.entries), [problem_values(p) for p in led.problems], latest_events(led.entries, start)
            return Volatile(found) if led.moment_bound else found      # an hour clock: this moment's only
        # kept as plain values: a hundred thousand records may have ten thousand problems to read back
        count, values, latest = answer(desk, day, ("check", moment is not None), judged)
        skew = clock_skew(latest, moment) if not (today or now) else []     # against this machine's clock
        if fmt != "json":       # the kept values printed as they are: thousands of problems, no object each
            values = values + [problem_values(p) for p in skew]
            _print(count, moment, day, values)
            return 1 if any(v[5] == ERROR and _fails(v[0], fail_on) for v in values) else 0
        probs = [problem_from(v) for v in values] + skew
    ok = not any(p.severity == ERROR and _fails(p.code, fail_on) for p in probs)     # the exit code's rule
    if fmt == "json":
        emit_json({"ok": ok, "records": count, "today": day.isoformat(),
                   "problems": [p.as_json() for p in probs]})
    else:
        _print(count, moment, day, [problem_values(p) for p in probs])
    return 0 if ok else 1


# --fail-on records: what makes the ledger or the rules unsound, as a commit is refused for (repo.staged)
RECORD_FAMILIES = {"record", "reference", "rules", "role"}


def _fails(code: str, fail_on: str) -> bool:
    return fail_on == "all" or CODES.get(code, ("record",))[0] in RECORD_FAMILIES or code == "ladder-invalid"


def _print(count, moment, day, values):
    if values:      # one write: there may be thousands
        click.echo("\n".join(map(line_of, values)))
    click.echo(summary_of(count, moment or day, values))


def _summary(desk, day, moment, start):
    """The kept whole-ledger judgement of the work tree (repo.summary), when the index may be used: read, with
    what patches it imported, while Git says what changed."""
    from ..repo import gitio
    if not desk.use_cache or not gitio.is_repo(desk.root):
        return None
    from ..repo.summary import Kept
    from .context import work_tree
    tree = work_tree(desk)
    tree.start()
    kept = Kept(desk.root, tree, desk.in_time, day, moment, start)
    kept.prefetch("..core.ledger_delta", "..core.ledger", ".store")
    return kept


COMMANDS = [check_cmd]
