"""The desk: registering an inquiry (`new`) and appending one event to it (answer … note)."""
from __future__ import annotations

import click

from ..core.escalation import escalation_target
from ..core.ledger import evaluate
from ..core.clock import Clock
from ..core.fold import ACTION_ZH
from ..core.problems import InputError, Problem
from ..core.record import local_day
from ..core.rules import Rules
from ..repo.writer import append_event, load_for_write, register
from ..repo.writer import now as writer_now
from .context import CHANNEL_NAMES, FORMATS, emit_json, late_option, parse_at, parse_day, pass_desk, with_late

def _service_choice(rules: Rules) -> str | None:
    items = list(rules.services.values())
    click.echo("办事事项(直接回车表示一般咨询,不对应具体事项):")
    for i, s in enumerate(items, 1):
        click.echo(f"  {i:>2}. {s.name}({s.kind},承诺 {s.promised_days} 个工作日)")
    while True:
        raw = click.prompt("事项编号", default="", show_default=False).strip()
        if not raw:
            return None
        if raw.isdigit() and 1 <= int(raw) <= len(items):
            return items[int(raw) - 1].id
        if raw in rules.services:
            return raw
        click.echo(f"没有编号为 {raw} 的事项,请重新输入。")




@click.command("new")
@click.option("--name", help="发问人姓名")
@click.option("--phone", help="联系电话")
@click.option("--org", help="单位")
@click.option("--address", help="地址")
@click.option("--matter", help="发问事由(一句话)")
@click.option("--channel", type=click.Choice(list(CHANNEL_NAMES)), help="渠道:visit 来访 | phone 来电 | letter 来信 | online 网上")
@click.option("--service", help="办事事项 id(rules/services/ 下的文件名)")
@click.option("--at", "at", help="登记时间(默认现在)")
@click.option("--as", "as_badge", metavar="BADGE", help="以该工号的身份登记")
@click.option("--body", default="", help="备注正文(Markdown)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@late_option
@pass_desk
def new_cmd(desk, name, phone, org, address, matter, channel, service, at, as_badge, body, fmt, late_reason):
    """登记一件新事项。不带参数时逐项询问(访客在等,按提示输入即可)。"""
    rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    interactive = not name and not matter
    if interactive:
        click.echo(f"登记人:{rules.who(by)}。按提示输入,直接回车跳过选填项。")
        name = click.prompt("发问人姓名")
        phone = click.prompt("联系电话(选填)", default="", show_default=False)
        org = click.prompt("单位(选填)", default="", show_default=False)
        address = click.prompt("地址(选填)", default="", show_default=False)
        matter = click.prompt("发问事由")
        channel = click.prompt("渠道", type=click.Choice(list(CHANNEL_NAMES)), default=channel or "visit")
        service = _service_choice(rules)
    missing = [f for f, v in (("--name", name), ("--matter", matter)) if not v]
    if missing:
        raise InputError(f"缺少 {'、'.join(missing)}")
    if service and service not in rules.services:
        raise InputError(f"办事事项 {service} 不在 rules/services/ 中;可用:{', '.join(rules.services)}")
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
            click.echo(f"事项:{svc.name}({svc.kind});请一次性告知所需材料:shouwen notify {rec.id}")


EVENT_COMMANDS: list = []


def event_command(name: str, action: str, help_text: str, options=()):
    """Make one event command: ID, its own options, --at, --as, --note."""

    def deco(builder):
        @click.command(name, help=help_text)
        @click.argument("record_id", metavar="ID")
        @click.option("--at", "at", help="事件时间(ISO,默认现在)")
        @click.option("--as", "as_badge", metavar="BADGE", help="以该工号的身份操作")
        @click.option("--note", "note", help="附注")
        @late_option
        @pass_desk
        def cmd(desk, record_id, at, as_badge, note, late_reason, **kw):
            rules = desk.rules_for_write()
            by = desk.badge(as_badge)
            when = parse_at(at)
            ev = {"at": when, "by": by, "action": action}
            ev.update(builder(desk, rules, record_id, when or writer_now(), **kw))
            if note:
                ev["note"] = note
            with_late(ev, late_reason)
            rec = append_event(desk.root, rules, record_id, ev)
            entry = evaluate(rec, rules, local_day(rec.events[-1]["at"]))
            st = entry.state
            extra = f",承办:{rules.who(st.handler)}" if st and st.handler else ""
            if entry.deadlines and entry.deadlines.due and not st.closed:
                extra += f",办结期限 {entry.deadlines.due}"
            click.echo(f"{ACTION_ZH[action]} {record_id}:已提交({st.status_zh}{extra})")

        for opt in reversed(options):
            cmd = opt(cmd)
        EVENT_COMMANDS.append(cmd)
        return cmd

    return deco


def _need_dept(rules, dept):
    if dept not in rules.departments:
        raise InputError(f"部门 {dept} 不在 rules/institution.yml 中;可用:{', '.join(rules.departments)}",
                         [Problem("department-unknown", f"部门 {dept} 不存在", path="rules/institution.yml", field="--to")])


def _need_staff(rules, badge, flag):
    if badge not in rules.staff:
        raise InputError(f"工号 {badge}({flag})不在 rules/staff.yml 中",
                         [Problem("staff-unknown", f"工号 {badge} 不存在", path="rules/staff.yml", field=flag)])


def _routing(desk, rules, rid, when, to, staff):
    _need_dept(rules, to)
    if staff:
        _need_staff(rules, staff, "--staff")
    return {"to": to, **({"staff": staff} if staff else {})}


@event_command("answer", "answered", "当场答复(办结并关闭)。", [click.option("--answer", "answer", required=True, help="答复内容")])
def _answer(desk, rules, rid, when, answer):
    return {"answer": answer}


@event_command("refer", "referred", "引导至负责的部门或人员,由其办理。",
               [click.option("--to", required=True, help="部门 id"), click.option("--staff", help="工号")])
def _refer(desk, rules, rid, when, to, staff):
    return _routing(desk, rules, rid, when, to, staff)


@event_command("relay", "relayed", "责任人不在:记下留言,承诺转告。",
               [click.option("--message", required=True, help="留言内容"), click.option("--to", help="部门 id"),
                click.option("--staff", help="工号")])
def _relay(desk, rules, rid, when, message, to, staff):
    out = {"message": message}
    if to:
        _need_dept(rules, to)
        out["to"] = to
    if staff:
        _need_staff(rules, staff, "--staff")
        out["staff"] = staff
    return out


@event_command("forward", "forwarded", "转办至承办部门(须在登记后规定的工作日内)。",
               [click.option("--to", required=True, help="部门 id"), click.option("--staff", help="工号")])
def _forward(desk, rules, rid, when, to, staff):
    return _routing(desk, rules, rid, when, to, staff)


@event_command("accept", "accepted", "承办人签收受理。")
def _accept(desk, rules, rid, when):
    return {}


@event_command("return", "returned", "退回首问责任人(非本部门职责)。", [click.option("--reason", required=True, help="退回理由")])
def _return(desk, rules, rid, when, reason):
    return {"reason": reason}


@event_command("notify", "notified", "一次性告知所需材料;不带 --materials 时告知该事项办事指南列出的全部材料。",
               [click.option("--materials", help="材料名称,用逗号分隔")])
def _notify(desk, rules, rid, when, materials):
    if materials:
        items = [m.strip() for m in materials.replace(",", ",").replace("、", ",").split(",") if m.strip()]
    else:
        rec = load_for_write(desk.root, rid)
        svc = rules.services.get(rec.meta.get("service") or "")
        if svc is None:
            raise InputError(f"{rec.path} [{rid}] 字段 service:该事项未对应办事指南,请用 --materials 列出材料")
        items = [m["名称"] for m in svc.materials]
    if not items:
        raise InputError("材料清单为空")
    return {"materials": items}


@event_command("promise", "promised", "承诺办结日期:--due 日期,或 --days 自受理起的工作日数(不得超过事项承诺时限)。",
               [click.option("--due", help="办结日期 YYYY-MM-DD"), click.option("--days", type=click.IntRange(0, 3650), help="自受理起的工作日数")])
def _promise(desk, rules, rid, when, due, days):
    if (due is None) == (days is None):
        raise InputError("请给出 --due 日期 或 --days 工作日数(二选一)")
    if due is not None:
        return {"due": parse_day(due, "--due")}
    rec = load_for_write(desk.root, rid)
    entry = evaluate(rec, rules, local_day(when))
    st = entry.state
    if st is None or st.accepted_at is None:
        raise InputError(f"{rec.path} [{rid}]:尚未受理,不能按受理日计算承诺期限;请先 shouwen accept {rid}")
    svc = rules.services.get(rec.meta.get("service") or "")
    if days < 0:
        raise InputError("--days 不能为负数")
    # counted as the service counts its limits (working days, calendar days or hours), else as the scheme does
    clock = (svc.clock if svc is not None and svc.clock else None) or rules.policy.clock or Clock()
    if svc is not None and days > svc.promised_days:
        raise InputError(f"{rec.path} [{rid}] 字段 --days:{clock.label(days)}超过《{svc.name}》承诺时限 {clock.label(svc.promised_days)}",
                         [Problem("promise-exceeds-limit", f"最多 {clock.label(svc.promised_days)}", path=rec.path, record=rid, field="--days")])
    return {"due": clock.due(rules.calendar, st.accepted_at, days).day}


@event_command("extend", "extended", "延期(须在原办结日期前,注明理由和批准人)。",
               [click.option("--due", required=True, help="新的办结日期"), click.option("--reason", required=True, help="延期理由"),
                click.option("--approver", required=True, help="批准人工号")])
def _extend(desk, rules, rid, when, due, reason, approver):
    _need_staff(rules, approver, "--approver")
    return {"due": parse_day(due, "--due"), "reason": reason, "approver": approver}


@event_command("escalate", "escalated", "上报:默认按 policy.yml 的 escalation_chain 报上一级(如酒店的主管→经理→总监→副总→总经理)。",
               [click.option("--to", help="上报对象工号"), click.option("--reason", help="上报理由")])
def _escalate(desk, rules, rid, when, to, reason):
    if to:
        _need_staff(rules, to, "--to")
    else:
        to = escalation_target(rules, desk.badge())
        if to is None:
            raise InputError("找不到可上报的上级,请用 --to 指定工号")
    return {"to": to, **({"reason": reason} if reason else {})}


@event_command("followup", "followed_up", "督办:首问责任人跟踪催办。")
def _followup(desk, rules, rid, when):
    return {}


@event_command("explain", "explained", "不能办理(不符合规定或非本单位职责):解释并指引(关闭)。",
               [click.option("--reason", required=True, help="解释内容")])
def _explain(desk, rules, rid, when, reason):
    return {"reason": reason}


@event_command("complete", "completed", "办结:记录办理结果。", [click.option("--result", required=True, help="办理结果")])
def _complete(desk, rules, rid, when, result):
    return {"result": result}


@event_command("deliver", "delivered", "取件或送达:如何交付、交给谁(关闭)。",
               [click.option("--method", required=True, help="方式,如 窗口取件、邮寄、电话告知"), click.option("--to", help="领取人")])
def _deliver(desk, rules, rid, when, method, to):
    return {"method": method, **({"to": to} if to else {})}


@event_command("rate", "rated", "好差评:5 非常满意 … 1 非常不满意(1–2 为差评,须督办回访)。",
               [click.option("--score", type=int, required=True, help="1–5"), click.option("--comment", help="评价意见")])
def _rate(desk, rules, rid, when, score, comment):
    if score not in rules.policy.satisfaction:
        raise InputError(f"--score {score} 应为 1 到 5")
    return {"score": score, **({"comment": comment} if comment else {})}


@event_command("note", "note", "备注。", [click.option("--text", required=True, help="备注内容")])
def _note(desk, rules, rid, when, text):
    return {"text": text}


COMMANDS = [new_cmd, *EVENT_COMMANDS]
