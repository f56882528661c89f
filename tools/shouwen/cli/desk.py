"""The desk: registering an inquiry (`new`) and appending one event to it (answer … note)."""
from __future__ import annotations

import click

from ..core.ledger import evaluate
from ..core.clock import Clock
from ..core.fold import ACTION_ZH
from ..core.names import channel_names, service_names
from ..core.phones import undialable
from ..core.problems import InputError
from ..core.steps import build as build_step
from ..core.record import local_day
from ..core.rules import Rules
from ..core.view import materials_lines, zh_day
from ..repo.writer import append_event, load_for_write, register
from ..repo.writer import now as writer_now
from .context import FORMAT, emit_json, late_option, parse_at, parse_day, pass_desk, with_late


def _again(refusal: str) -> str:
    """A refusal followed by 请重新输入 as a sentence of its own, never joined to it by a comma."""
    return refusal + ("请重新输入。" if refusal.endswith(("？", "。")) else "。请重新输入。")


def _service_choice(rules: Rules) -> str | None:
    items = list(rules.services.values())
    click.echo("办事事项（直接回车表示一般咨询，不对应具体事项；可输入编号或名称）：")
    for i, s in enumerate(items, 1):
        limit = f"，承诺 {s.promised_days} 个工作日" if s.kind != "即办件" else ""
        click.echo(f"  {i:>2}. {s.name}（{s.kind}{limit}）")
    names = service_names(rules)
    while True:
        raw = click.prompt("事项", default="", show_default=False).strip()
        if not raw:
            return None
        if raw.isdecimal() and len(raw) < 6 and 1 <= int(raw) <= len(items):      # ³ is a digit int() refuses
            return items[int(raw) - 1].id
        found = names.find(raw)
        if found:
            return found
        click.echo(_again(names.refusal(raw)))


def _phone_prompt() -> str:
    """The visitor's phone, asked again at once when no one could call it back (the writer would refuse it)."""
    while True:
        raw = click.prompt("联系电话（选填）", default="", show_default=False).strip()
        why = undialable(raw) if raw else None
        if not why:
            return raw
        click.echo(_again(f"电话“{raw}”无法拨通：{why}"))


def _channel_choice(default: str) -> str:
    names = channel_names()
    shown = "、".join(v[0] for v in names.entries.values())
    while True:
        raw = click.prompt(f"渠道（{shown}）", default=names.entries[default][0]).strip()
        found = names.find(raw)
        if found:
            return found
        click.echo(_again(names.refusal(raw)))


@click.command("new")
@click.option("--name", help="发问人姓名")
@click.option("--phone", help="联系电话")
@click.option("--org", help="单位")
@click.option("--address", help="地址")
@click.option("--matter", help="发问事由（一句话）")
@click.option("--channel", help="渠道：来访、来电、来信、网上（或 visit、phone、letter、online）")
@click.option("--service", help="办事事项：名称（或开头几个字）、事项编码或 id，如 婚育情况证明")
@click.option("--at", "at", help="登记时间（默认现在）")
@click.option("--as", "as_badge", metavar="工号", help="以该工号的身份登记")
@click.option("--body", default="", help="备注正文（Markdown）")
@FORMAT
@late_option
@pass_desk
def new_cmd(desk, name, phone, org, address, matter, channel, service, at, as_badge, body, fmt, late_reason):
    """登记一件新事项。不带参数时逐项询问（访客在等，按提示输入即可）。"""
    rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    channel = channel_names().resolve(channel, "--channel") if channel else None
    service = service_names(rules).resolve(service, "--service") if service else None
    interactive = not name and not matter
    if interactive:
        from ..core.departed import after_left
        why = after_left(rules, by, parse_at(at) or writer_now(), "by")     # say so before the visitor answers
        if why:
            raise InputError(f"未登记：{why}")
        click.echo(f"登记人：{rules.who(by)}。按提示输入，直接回车跳过选填项。")
        name = click.prompt("发问人姓名")
        phone = _phone_prompt()
        org = click.prompt("单位（选填）", default="", show_default=False)
        address = click.prompt("地址（选填）", default="", show_default=False)
        matter = click.prompt("发问事由")
        channel = _channel_choice(channel or "visit")
        service = service or _service_choice(rules)
    missing = [f for f, v in (("--name", name), ("--matter", matter)) if not (v or "").strip()]
    if missing:
        raise InputError(f"缺少 {'、'.join(missing)}")
    if body:
        from ..core.schema import Str
        bad: list = []
        Str(blank=True, markdown=False).check(body, "--body", bad)
        if bad:
            raise InputError(f"备注正文（--body）{bad[0][1]}；未写入任何内容")
    when = parse_at(at)
    rec = register(desk.root, rules, by, when, {"name": name, "organization": org, "address": address,
                                                   "phone": phone}, matter.strip(), channel or "visit", service, body,
                   late_reason=late_reason)
    if fmt == "json":
        emit_json({"id": rec.id, "code": rec.meta["code"], "path": rec.path})
    else:
        click.echo(f"已登记 {rec.id}  查询码 {rec.meta['code']}")
        if service:
            svc = rules.services[service]
            click.echo(f"事项：{svc.name}（{svc.kind}）；请一次性告知所需材料：shouwen notify {rec.id}")


EVENT_COMMANDS: list = []


def emit_written(rules: Rules, rec, action: str) -> None:
    """--format json of a command that appended an event: the record just after it, as `show --format json`
    gives it (state and deadlines as of the event's day, as the text says them), and the action taken."""
    from .tables import entry_json
    entry = evaluate(rec, rules, local_day(rec.events[-1]["at"]))
    emit_json({"action": action, **entry_json(entry, rules), "notes": (rec.body or "").strip() or None})


def event_command(name: str, action: str, help_text: str, options=()):
    """Make one event command: ID, its own options, --at, --as, --note."""

    def deco(builder):
        @click.command(name, help=help_text)
        @click.argument("record_id", metavar="编号")
        @click.option("--at", "at", help="事件时间（ISO，默认现在）")
        @click.option("--as", "as_badge", metavar="工号", help="以该工号的身份操作")
        @click.option("--note", "note", help="附注")
        @FORMAT
        @late_option
        @pass_desk
        def cmd(desk, record_id, at, as_badge, note, fmt, late_reason, **kw):
            rules = desk.rules_for_write()
            by = desk.badge(as_badge)
            desk.as_badge = by            # the builder acts as this person too
            when = parse_at(at)
            ev = {"at": when, "by": by, "action": action}
            ev.update(builder(desk, rules, record_id, when or writer_now(), **kw))
            if note:
                ev["note"] = note
            with_late(ev, late_reason)
            rec = append_event(desk.root, rules, record_id, ev)
            if fmt == "json":
                return emit_written(rules, rec, action)
            entry = evaluate(rec, rules, local_day(rec.events[-1]["at"]))
            st = entry.state
            extra = f"，承办：{rules.who(st.handler)}" if st and st.handler else ""
            if entry.deadlines and entry.deadlines.due and not st.closed:
                extra += f"，办结期限 {zh_day(entry.deadlines.due)}"
            # a complaint, inspection or report (`note` takes any record) has no inquiry state to tell
            click.echo(f"{ACTION_ZH[action]} {record_id}：已提交" + (f"（{st.status_zh}{extra}）" if st else ""))
            if action == "notified":        # ready to read out to the visitor
                for line in materials_lines(ev["materials"], rules.service_for(rec.meta.get("service"))):
                    click.echo(line)

        for opt in reversed(options):
            cmd = opt(cmd)
        EVENT_COMMANDS.append(cmd)
        return cmd

    return deco


def _step(desk, rules, rid, when, action, **values):
    """The event's own fields, built as the desk page builds them (core.steps): Chinese names accepted."""
    rec = load_for_write(desk.root, rid)
    state = evaluate(rec, rules, local_day(when)).state
    return build_step(action, rules, rec, state, when, desk.badge(), values, roster=desk.rules_on(local_day(when)))


def _routing(action):
    def build(desk, rules, rid, when, to=None, staff=None, message=None):
        return _step(desk, rules, rid, when, action, to=to, staff=staff, message=message)
    return build


TO_DEPT = click.option("--to", required=True, help="部门：名称或 id，如 人口家庭科")
STAFF = click.option("--staff", help="工作人员：姓名或工号，如 朱立新 或 J014")


@event_command("answer", "answered", "当场答复（办结并关闭）。", [click.option("--answer", "answer", required=True, help="答复内容")])
def _answer(desk, rules, rid, when, answer):
    return _step(desk, rules, rid, when, "answered", answer=answer)


event_command("refer", "referred", "引导至负责的部门或人员，由其办理。", [TO_DEPT, STAFF])(_routing("referred"))
event_command("relay", "relayed", "责任人不在：记下留言，承诺转告。",
              [click.option("--message", required=True, help="留言内容"),
               click.option("--to", help="部门：名称或 id"), STAFF])(_routing("relayed"))
event_command("forward", "forwarded", "转办至承办部门（须在登记后规定的工作日内）。", [TO_DEPT, STAFF])(_routing("forwarded"))


@event_command("accept", "accepted", "承办人签收受理。")
def _accept(desk, rules, rid, when):
    return _step(desk, rules, rid, when, "accepted")


@event_command("return", "returned", "退回首问责任人（非本部门职责）。", [click.option("--reason", required=True, help="退回理由")])
def _return(desk, rules, rid, when, reason):
    return _step(desk, rules, rid, when, "returned", reason=reason)


@event_command("notify", "notified", "一次性告知所需材料；不带 --materials 时告知该事项办事指南列出的全部材料。",
               [click.option("--materials", help="材料名称，用顿号或逗号分隔")])
def _notify(desk, rules, rid, when, materials):
    return _step(desk, rules, rid, when, "notified", materials=materials)


@event_command("promise", "promised", "承诺办结日期：--due 日期，或 --days 自受理起的工作日数（不得超过事项承诺时限）。",
               [click.option("--due", help="办结日期，如 2026-12-04"), click.option("--days", help="自受理起的工作日数，如 5 或 5个工作日（按该事项的计时方式）")])
def _promise(desk, rules, rid, when, due, days):
    return _step(desk, rules, rid, when, "promised", due=parse_day(due, "--due"), days=days)


@event_command("extend", "extended", "延期（须在原办结日期前，注明理由和批准人）。",
               [click.option("--due", required=True, help="新的办结日期"), click.option("--reason", required=True, help="延期理由"),
                click.option("--approver", required=True, help="批准人：姓名或工号")])
def _extend(desk, rules, rid, when, due, reason, approver):
    return _step(desk, rules, rid, when, "extended", due=parse_day(due, "--due"), reason=reason, approver=approver)


@event_command("escalate", "escalated", "上报：默认按 policy.yml 的 escalation_chain 报上一级（如酒店的主管→经理→总监→副总→总经理）。",
               [click.option("--to", help="上报对象：姓名或工号"), click.option("--reason", help="上报理由")])
def _escalate(desk, rules, rid, when, to, reason):
    return _step(desk, rules, rid, when, "escalated", to=to, reason=reason)


@event_command("followup", "followed_up", "督办：首问责任人跟踪催办。")
def _followup(desk, rules, rid, when):
    return _step(desk, rules, rid, when, "followed_up")


@event_command("explain", "explained", "不能办理（不符合规定或非本单位职责）：解释并指引（关闭）。",
               [click.option("--reason", required=True, help="解释内容")])
def _explain(desk, rules, rid, when, reason):
    return _step(desk, rules, rid, when, "explained", reason=reason)


@event_command("complete", "completed", "办结：记录办理结果。", [click.option("--result", required=True, help="办理结果")])
def _complete(desk, rules, rid, when, result):
    return _step(desk, rules, rid, when, "completed", result=result)


@event_command("deliver", "delivered", "取件或送达：如何交付、交给谁（关闭）。",
               [click.option("--method", required=True, help="方式，如 窗口取件、邮寄、电话告知"), click.option("--to", help="领取人")])
def _deliver(desk, rules, rid, when, method, to):
    return _step(desk, rules, rid, when, "delivered", method=method, to=to)


@event_command("rate", "rated", "好差评：5 非常满意 … 1 非常不满意（1–2 为差评，须督办回访）。",
               [click.option("--score", required=True, help="1–5，或 非常满意、满意、基本满意、不满意、非常不满意"), click.option("--comment", help="评价意见")])
def _rate(desk, rules, rid, when, score, comment):
    return _step(desk, rules, rid, when, "rated", score=score, comment=comment)


@event_command("note", "note", "备注。", [click.option("--text", required=True, help="备注内容")])
def _note(desk, rules, rid, when, text):
    return _step(desk, rules, rid, when, "note", text=text)


COMMANDS = [new_cmd, *EVENT_COMMANDS]
