"""History: audit, one record's timeline, the merge driver, and syncing with the central remote."""
from __future__ import annotations

import click

from ..core.corrections import event_words, masked_event
from ..core.fold import ACTION_ZH
from ..core.problems import ERROR, InputError, visible
from .context import FORMAT, emit_json, pass_desk
from ..core.quote import quoted

AUDIT_PROGRESS_FROM = 200       # commits: fewer take no time worth a bar

@click.command("audit")
@click.option("--since", metavar="提交", help="只审查该提交之后的历史")
@click.option("--trust-anchor", "anchor", metavar="文件", type=click.Path(dir_okay=False),
              help="信任锚：办公室的 SSH 公钥文件，保存在仓库之外（也可用 SHOUWEN_TRUST_ANCHOR）")
@FORMAT
@pass_desk
def audit_cmd(desk, since, anchor, fmt):
    """审查 Git 历史：事件被改写或删除、记录被删除、已结事项被修改、补录超时、署名与提交人不符……"""
    from ..repo.audit import audit
    from .progress import Progress
    with Progress("审查提交", least=AUDIT_PROGRESS_FROM) as progress:
        rep = audit(desk.root, desk.rules, since, anchor=anchor, progress=progress)
    errors = [p for p in rep.problems if p.severity == ERROR]
    if fmt == "json":
        emit_json({"ok": not errors, "commits": rep.commits, "verified": rep.verified,
                   "problems": [p.as_json() for p in rep.problems]})
    else:
        for p in rep.problems:
            click.echo(f"{p.line()}  提交 {p.extra['commit'][:10]}  {visible(p.extra['person'])}")
        click.echo(f"审查 {rep.commits} 个提交：{len(errors)} 个错误，{len(rep.problems) - len(errors)} 个警告"
                   + (f"（本次核验签名 {rep.verified} 个，其余已记住）" if desk.rules.policy.signing_required else ""))
    return 1 if errors else 0


@click.command("history")
@click.argument("record_id", metavar="编号")
@FORMAT
@pass_desk
def history_cmd(desk, record_id, fmt):
    """一件事项的时间线：每个事件由谁、何时、在哪个提交中记录，是否签名，审查发现的问题。"""
    from ..core.accountability import ACTION_ZH as ACCOUNT_ZH
    from ..repo.audit import audit
    from ..core.ids import parse_id, record_path, typed_id
    record_id = typed_id(record_id)
    if parse_id(record_id) is None:
        raise InputError(f"编号{quoted(record_id)}格式不对")
    rel = record_path(record_id)
    from ..repo.signing import anchor_path
    required = desk.rules.policy.signing_required
    full_trust = required and anchor_path(desk.root)
    rep = audit(desk.root, desk.rules, paths=(rel,), signatures=not full_trust)
    steps = rep.steps.get(rel, [])
    if not steps and not rep.problems:
        raise InputError(f"找不到事项 {record_id} 的历史（{rel}）")
    if fmt == "json":
        emit_json({"id": record_id, "path": rel,
                   "steps": [{"commit": s.commit, "author": s.author, "signed": s.signed, "committed": s.when,
                              "imported": s.imported, "event": masked_event(s.event),
                              "problems": [p.as_json() for p in s.problems]} for s in steps],
                   "problems": [p.as_json() for p in rep.problems]})
        return
    from ..core.steps import describe
    from ..core.view import width, zh_time
    stamps = [zh_time(s.event.get("at")) for s in steps]
    pad = max((width(t) for t in stamps), default=0)
    for s, stamp in zip(steps, stamps):
        action = s.event.get("action")
        name = (ACTION_ZH.get(action) or ACCOUNT_ZH.get(action, "?")) if isinstance(action, str) else str(action)
        detail = event_words(s.event) if action == "corrected" else describe(s.event, desk.rules)
        click.echo(f"{stamp}{' ' * (pad - width(stamp))}  {name}{' ' * max(1, 10 - width(name))}"
                   f"{desk.rules.who(s.event.get('by'))}  提交 {s.commit[:10]} {visible(s.author)}"
                   f"{'  已签名' if s.signed else '  未签名' if required else ''}{'  导入' if s.imported else ''}"
                   + (f"  {detail}" if detail else ""))
        for p in s.problems:
            click.echo(f"    {p.line()}")
    for p in rep.problems:
        if not any(p in s.problems for s in steps):
            click.echo(f"{p.line()}  提交 {p.extra['commit'][:10]}")


@click.command("merge-driver", hidden=True)
@click.argument("base", metavar="共同祖先", type=click.Path())
@click.argument("ours", metavar="本方", type=click.Path())
@click.argument("theirs", metavar="对方", type=click.Path())
@click.argument("pathname", metavar="路径", default="record.md")
def merge_driver_cmd(base, ours, theirs, pathname):
    """Git merge driver for records: the union of both sides' events in time order."""
    from ..core.merge import Collision, merge_texts
    from ..core.record import parse as parse_record

    def read(p):
        with open(p, "rb") as fh:
            return fh.read().decode("utf-8")
    try:
        b, o, t = read(base), read(ours), read(theirs)
        merged = merge_texts(b, o, t, pathname)
    except Collision:
        other = parse_record(pathname, t.encode("utf-8"))
        stem = pathname[:-3]
        side = f"{stem}.{other.meta.get('code', 'X')}.md"
        with open(side, "w", encoding="utf-8") as fh:
            fh.write(t)
        click.echo(f"编号冲突：{pathname} 两边登记了不同的事项；对方的一件另存为 {side}", err=True)
        return 0
    except (ValueError, UnicodeDecodeError) as e:
        click.echo(f"无法自动合并 {pathname}：{e}", err=True)
        return 1
    with open(ours, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(merged)
    return 0


@click.command("sync")
@click.option("--remote", default="origin", show_default=True, metavar="名称", help="中心仓库在本机的远程名（git remote）")
@click.option("--accept-rewrite", "accepted", metavar="提交",
              help="接受办公室有意做的历史改写（强制推送）：给出远程分支现在的提交；需有 roster 职责，接受记录提交并推送")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@pass_desk
def sync_cmd(desk, remote, accepted, as_badge, fmt):
    """与中心仓库同步：拉取、合并（按事件取并集）、推送；推送被拒时自动重试。"""
    from ..repo.sync import Offline, sync
    from ..repo.writer import _identity
    from ..repo.signing import commit_args
    rules = desk.rules_for_write()
    badge = desk.badge(as_badge)
    env = _identity(rules, badge)
    if accepted:
        return _accept_rewrite(desk, rules, badge, env, remote, accepted)
    from .progress import Progress
    try:
        with Progress(f"同步 {remote}（拉取、合并、推送）") as progress:
            res = sync(desk.root, env, remote, sign=commit_args(desk.root, rules, badge), progress=progress)
    except Offline as e:
        click.echo(f"错误：{e}", err=True)
        return 1
    for c in res["collisions"]:
        click.echo(f"注意 id-duplicate：{c} 与本机的一件事项编号相同，两件都已保留，请核对", err=True)
    if fmt == "json":
        emit_json({"remote": remote, "merged": res["merged"], "pushed": res["pushed"], "collisions": res["collisions"]})
        return 0
    click.echo(f"已同步（{remote}），合并 {res['merged']} 次，{'已推送' if res['pushed'] else '未推送'}")
    return 0


def _accept_rewrite(desk, rules, badge, env, remote, accepted):
    from ..core.roles import require
    from ..repo.signing import commit_args
    from ..repo.sync import Offline, accept_rewrite
    require(rules, badge, "roster")
    try:
        done = accept_rewrite(desk.root, env, remote, accepted, rules.who(badge), sign=commit_args(desk.root, rules, badge))
    except Offline as e:
        click.echo(f"错误：{e}", err=True)
        return 1
    old, new = done["old"], done["new"]
    click.echo(f"已接受 {remote} 的历史改写（{rules.who(badge)}）：原来在提交 {old[:10]}，现在在 {new[:10]}；"
               f"原历史中有 {done['dropped']} 个提交不在改写后的历史中，仍保留在本机 refs/shouwen/rewritten/{old}"
               f"（git log {old[:10]} 可查看）。接受记录已提交（{done['commit'][:10]}）并推送；"
               "shouwen audit 仍会报告这次改写（history-rewritten），核查后可按其提示处理")
    return 0


COMMANDS = [audit_cmd, history_cmd, merge_driver_cmd, sync_cmd]
