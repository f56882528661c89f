"""Reading the ledger at the desk: show, list, todo, and the printed receipt.

What judges or renders is imported where it is used: a `todo` answered from .shouwen/ (repo.answers)
loads neither the judging core nor the writer."""
from __future__ import annotations

import re

import click

from ..core.blocks import Pieces
from ..core.problems import InputError
from ..core.record import CST, local_day, to_datetime
from .context import FORMAT, Named, answer, emit_json, parse_day, pass_desk, read_ledger, today_cst
from .tables import at_moment, echo, entry_json, kept_for, matter_json, matter_object, matter_table


@click.command("show")
@click.argument("record_id", metavar="编号")
@click.option("--today", help="按该日期判断是否超期（默认今天）")
@FORMAT
@pass_desk
def show_cmd(desk, record_id, today, fmt):
    """显示一件事项及其推导出的状态。"""
    from ..core.ledger import evaluate
    from ..core.view import clerk_view, width
    from ..repo.writer import load_for_write
    rules = desk.rules
    rec = load_for_write(desk.root, record_id)
    moment = _moment(today)
    entry = evaluate(rec, rules, moment or parse_day(today, "--today"))
    if entry.state is None and entry.account is None and rec.problems + entry.problems:
        return _show_broken(entry, fmt)
    if rec.kind != "inquiries":
        return _show_account(entry, rules, fmt)
    notes = (rec.body or "").strip() or None        # the desk's free notes (`new --body`): private, as the record
    if fmt == "json":
        emit_json({**entry_json(entry, rules), "notes": notes})
        return
    view = clerk_view(entry, rules, parse_day(today, "--today") or local_day(moment), moment)
    click.echo(f"{rec.id}  {rec.meta.get('matter', '')}" + (f"  【已作废：{entry.voided.reason}】" if entry.voided else ""))
    for label, value in view["rows"]:
        click.echo(f"  {label}{' ' * (12 - width(label))}{value}")
    click.echo("  办理经过：")
    for ev in view["events"]:
        click.echo(f"    {ev['at']}  {ev['action']}  {ev['by']}" + (f"  {ev['detail']}" if ev["detail"] else ""))
    if notes:
        click.echo("  备注：")
        for line in notes.splitlines():             # a hand-written body may hold anything: no terminal escapes
            click.echo("    " + re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "�", line))
    for p in view["problems"]:
        click.echo("  " + p)


def _show_broken(entry, fmt) -> int:
    """A record set aside (unreadable, or holding a value of the wrong type): its problems, not a guess."""
    rec = entry.record
    if fmt == "json":
        emit_json({"id": rec.id or rec.path, "path": rec.path, "problems": [p.as_json() for p in entry.problems]})
    else:
        click.echo(f"{rec.path}：记录有错误，无法显示办理状态（修正后再看；shouwen check 列出全部问题）")
        for p in entry.problems:
            click.echo("  " + p.line())
    return 1


def _print_events(entry, rules, names):
    from ..core.corrections import event_words
    from ..core.steps import describe
    from ..core.view import zh_time
    imp = entry.record.meta.get("imported")
    imported = imp.get("events", 0) if isinstance(imp, dict) else 0     # the first n came from a paper ledger
    for i, ev in enumerate(entry.record.events):
        if isinstance(ev, dict):
            at = to_datetime(ev.get("at"))
            detail = (event_words(ev) if ev.get("action") == "corrected" else describe(ev, rules)) + (
                "  【导入】" if i < imported else "")
            click.echo(f"  {zh_time(at)}  {names.get(ev.get('action'), ev.get('action'))}"
                       f"  {rules.who(ev.get('by'))}  {detail}".rstrip() if at else f"  {ev}")
    for p in entry.problems:
        click.echo("  " + p.line())


def _show_account(entry, rules, fmt):
    """A complaint, commendation or inspection: its header in words, then its events."""
    from ..core.accountability import ACTION_ZH as ACC_ZH, COMPLAINT_CHANNELS, FINDINGS, Complaint
    from ..core.corrections import masked_event
    from ..core.view import zh_day
    rec, a = entry.record, entry.account
    if fmt == "json":
        out = {k: v for k, v in rec.meta.items() if k != "events"}
        out.update(kind=rec.kind, path=rec.path, events=[masked_event(e) for e in rec.events],
                   problems=[p.as_json() for p in entry.problems])
        if isinstance(a, Complaint):
            out.update(finding=a.verdict.finding if a.verdict else None,
                       liable=a.verdict.liable if a.verdict else [], sanctioned=[s.staff for s in a.sanctions])
        emit_json(out)
        return
    m = rec.meta
    title = {"complaints": "投诉", "commendations": "表扬", "inspections": "检查", "reports": "书面情况汇报"}[rec.kind]
    click.echo(f"{rec.id}  {title}  {m.get('summary', '')}")
    if rec.kind == "complaints":
        against = "、".join(rules.who(b) for b in (m.get("against") or []) if isinstance(b, str)) if isinstance(
            m.get("against"), list) else rules.who(m.get("against"))
        click.echo(f"  被投诉人 {against}  渠道 {COMPLAINT_CHANNELS.get(m.get('channel'), m.get('channel'))}"
                   + (f"  所涉事项 {m['inquiry']}" if m.get("inquiry") else "")
                   + (f"  类别 {m['category']}" if m.get("category") else ""))
        if m.get("witnesses"):
            click.echo("  见证人 " + "、".join(rules.who(b) for b in m["witnesses"] if isinstance(b, str)))
        if isinstance(a, Complaint):
            v = a.verdict
            click.echo("  结论 " + (f"{FINDINGS[v.finding]}（{zh_day(v.day)}）" + (f"，责任人{'、'.join(rules.who(b) for b in v.liable)}"
                                                                          if v.liable else "") if v else "尚未结论"))
    elif rec.kind == "reports":
        from ..core.assessment import zh_quarter
        click.echo(f"  科室 {rules.dept_name(m.get('department'))}  季度 {zh_quarter(m.get('quarter'))}")
    else:
        click.echo(f"  工作人员 {rules.who(m.get('staff'))}" + (f"  所涉事项 {m['inquiry']}" if m.get("inquiry") else ""))
    _print_events(entry, rules, ACC_ZH)


def _selected(e, rules, status, department, staff, since, until) -> bool:
    """Whether `list` lists the entry."""
    st = e.state
    if st is None:
        return False
    if status == "open" and st.closed or status == "closed" and not st.closed:
        return False
    if status == "suspended" and not st.suspended:
        return False
    if status not in (None, "open", "closed", "suspended") and st.stage != status:
        return False
    if department and department not in (st.handler_department, rules.department_of(e.record.meta.get("first_responder"))):
        return False
    if staff and staff not in (st.handler, e.record.meta.get("first_responder")):
        return False
    day = local_day(st.registered_at) if st.registered_at else None    # None: no readable registration
    return not ((since or until) and day is None or since and day < since or until and day > until)


def _moment(today):
    """Without --today, the desk is read at this moment (an hour clock's deadline passes within a day),
    as `check` is."""
    from datetime import datetime
    return None if today else datetime.now(CST).replace(microsecond=0)


@click.command("list")
@click.option("--status", type=Named("status"), help="未结、已结、已暂停，或阶段（如 已转办、转办、forwarded）")
@click.option("--department", type=Named("department"), help="部门名称或 id（承办或首问部门）")
@click.option("--staff", type=Named("staff"), help="姓名或工号（承办人或首问责任人）")
@click.option("--overdue", is_flag=True, help="只列已超期的（转办、签收、承诺或办结的期限已过）")
@click.option("--from", "since", help="登记日期起 YYYY-MM-DD")
@click.option("--to", "until", help="登记日期止 YYYY-MM-DD")
@click.option("--today", help="按该日期判断超期（默认今天）")
@FORMAT
@pass_desk
def list_cmd(desk, status, department, staff, overdue, since, until, today, fmt):
    """列出事项。"""
    day, since, until = parse_day(today, "--today") or today_cst(), parse_day(since, "--from"), parse_day(until, "--to")
    from ..core.fold import STAGE_ZH
    if status not in (None, "open", "closed", "suspended") and status not in STAGE_ZH:
        raise InputError(f"--status {status} 不是可选值之一：open、closed、suspended 或阶段"
                         f" {'、'.join(STAGE_ZH)}")

    moment = _moment(today)
    kept = kept_for(desk, day, moment, ("list", status, department, staff, overdue, since, until, fmt))

    def listed():
        def shown(entries, rules):
            from ..core.worklist import LATE, item
            rows = [item(e, rules, moment, day) for e in entries if _selected(e, rules, status, department, staff,
                                                                             since, until)]
            return [i for i in rows if i.why == LATE] if overdue else rows     # as the table says 已超期
        if fmt == "text":
            pieces, n, bound = matter_table(desk, day, moment, kept, shown, lambda i: i.entry.record.path)
            return at_moment(bound, Pieces([*pieces, f"共 {n} 件\n"]))
        return matter_json(desk, day, moment, kept, shown, lambda i: i.entry.record.path,
                           lambda i, rules, problems: {**matter_object(i, rules, problems), "why": i.why})
    echo(answer(desk, day, ("list", status, department, staff, overdue, since, until, fmt), listed))


@click.command("todo")
@click.option("--as", "as_badge", metavar="工号", help="谁的待办：姓名或工号（默认本人）")
@click.option("--all", "everyone", is_flag=True, help="全单位所有未结事项")
@click.option("--today", help="按该日期计算（默认今天）")
@FORMAT
@pass_desk
def todo_cmd(desk, as_badge, everyone, today, fmt):
    """我的待办：我承办或我首问的未结事项，最近的期限在前。"""
    day = parse_day(today, "--today") or today_cst()
    me = None if everyone else desk.badge(as_badge)
    moment = _moment(today)
    kept = kept_for(desk, day, moment, ("todo", me, fmt))

    def work():
        from ..core.rows_delta import todo_key
        from ..core.view import zh_day
        from ..core.worklist import worklist

        def shown(entries, rules):
            return worklist(entries, rules, me, moment, day)

        def key_of(i):
            return todo_key(i.due, i.entry.record.id, i.entry.record.path)
        if fmt == "text":
            pieces, n, bound = matter_table(desk, day, moment, kept, shown, key_of)
            who = "全单位" if everyone else desk.rules.who(me)
            return at_moment(bound, Pieces([f"{who}的待办（{zh_day(day)}）：{n} 件\n", *pieces]))
        return matter_json(desk, day, moment, kept, shown, key_of,
                           lambda i, rules, problems: {**matter_object(i, rules, problems),
                                                        "next_deadline": i.due, "why": i.why})
    echo(answer(desk, day, ("todo", me, fmt), work))


@click.command("find")
@click.argument("text", metavar="文字")
@FORMAT
@pass_desk
def find_cmd(desk, text, fmt):
    """查找事项：来访人姓名、电话（任意几位）、单位、地址、发问事由、编号或查询码。"""
    from ..core.view import table
    from ..core.worklist import find
    from ..repo.index_rows import let_go, one_at_a_time
    # every header is looked at once and let go: a search of 100,000 records held them all (538 MB)
    hits = find(one_at_a_time(read_ledger(desk, today_cst()).entries), text)
    if fmt == "json":
        emit_json([let_go(entry_json(e, desk.rules, events=False), e) for e in hits])
        return
    rows = []
    for e in hits:
        v = e.record.meta.get("visitor") if isinstance(e.record.meta.get("visitor"), dict) else {}
        stage = e.state.status_zh if e.state else {"complaints": "投诉", "commendations": "表扬",
                                                                  "inspections": "检查"}.get(e.record.kind, "")
        rows.append(let_go([e.record.id, v.get("name", e.record.meta.get("name", "")), v.get(
            "phone", e.record.meta.get("phone", "")), stage, e.record.meta.get("matter") or e.record.meta.get("summary", "")], e))
    for line in table(["编号", "发问人", "联系电话", "阶段", "发问事由"], rows) if rows else []:
        click.echo(line)
    click.echo(f"找到 {len(hits)} 件")


@click.command("receipt")
@click.argument("record_id", metavar="编号")
@click.option("--pickup", is_flag=True, help="打印取件登记表（而不是收件回执）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="写入文件：.html 网页，或 .pdf（用 Chromium 打印成 A4 PDF）；默认输出到屏幕")
@pass_desk
def receipt_cmd(desk, record_id, pickup, output):
    """打印《机关办理事项收件回执》或《取件登记表》（HTML 可直接打印，或 PDF）。"""
    from ..publish import printpdf
    from ..publish.receipt import lookup_url, render
    from ..core.ledger import evaluate
    from ..repo.writer import load_for_write
    from .outputs import refuse_agency_output, write_output
    rules = desk.rules
    if output:
        refuse_agency_output(desk.root, output, personal=True)
        printpdf.check_name(output, "回执和取件登记表")
    rec = load_for_write(desk.root, record_id)
    if rec.kind != "inquiries":
        raise InputError(f"{rec.path} [{record_id}]：回执只用于登记的事项，不用于投诉、表扬或检查记录")
    entry = evaluate(rec, rules, today_cst())
    if pickup and (entry.state is None or entry.state.completed_at is None):
        raise InputError(f"{rec.path} [{record_id}]：尚未办结，不能打印取件登记表")
    html = render(entry, rules, pickup=pickup, lookup=lookup_url(desk.root, record_id))
    if output and output.lower().endswith(".pdf"):
        printpdf.pdf(html, output)
    elif output:
        write_output(output, html)
    if output:
        click.echo(f"已写入 {output}")
    else:
        click.echo(html)


@click.command("pickup")
@click.argument("record_id", metavar="编号")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="写入文件（默认输出到屏幕）")
@click.pass_context
def pickup_cmd(ctx, record_id, output):
    """打印《取件登记表》（HTML，可直接打印），同 receipt ID --pickup。"""
    ctx.invoke(receipt_cmd, record_id=record_id, pickup=True, output=output)


COMMANDS = [show_cmd, list_cmd, todo_cmd, find_cmd, receipt_cmd, pickup_cmd]
