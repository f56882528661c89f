"""Accountability commands: complain, verdict, sanction, commend, inspect (DESIGN §8).

Each writes one record or one event through the same writer path as the desk's commands.
"""
from __future__ import annotations

import click

from ..core.accountability import AGENCY, COMPLAINT_CHANNELS, FINDINGS
from ..core.assessment import parse_quarter, zh_quarter
from ..core.ladder import categories
from ..core.ids import typed_id
from ..core.names import department_names, one_of, staff_names
from .context import FORMAT, Named, emit_json, late_option, parse_at, pass_desk, with_late
from .desk import emit_written
from ..core.problems import InputError
from ..repo.writer import append_event, load_for_write, register_account
from ..core.quote import quoted


def _staff(rules, badges, option):
    """Badges, each given as a badge or a name (李明), any case and spacing."""
    return [staff_names(rules).resolve(b, option) for b in badges]


def _against(rules, refs):
    """Staff badges, department ids, or `agency` (the 机关 itself, S2 第七条)."""
    out = []
    for r in refs:
        found = AGENCY if r in (AGENCY, "本机关") else staff_names(rules).find(r) or department_names(rules).find(r)
        if found is None:
            raise InputError(f"--against {r}：既不是 rules/staff.yml 中的人员（工号或姓名），也不是 rules/institution.yml "
                             f"中的部门，也不是“本机关”（{AGENCY}）；{staff_names(rules).refusal(r)}")
        out.append(found)
    return out


def _category(rules, category):
    cats = categories(rules.policy.ladders)
    if category is None:
        if len(rules.policy.ladders) > 1:
            raise InputError(f"本单位按投诉类别追究，请用 --category 写明类别：{'、'.join(cats)}")
        return None
    if cats and category not in cats:
        return one_of("投诉类别", cats, category, "--category", "rules/policy.yml 的追究规定")
    return category


def _inquiry(desk, rid):
    if rid:
        rid = load_for_write(desk.root, rid).id     # a clear message when it does not exist; as the record says it
    return rid


@click.command("complain")
@click.option("--against", "against", multiple=True, required=True, metavar="人员|部门|本机关",
              help="被投诉人（姓名或工号）、被投诉的部门（名称或 id）或 本机关；可多次。部门和机关由其负责人担责")
@click.option("--category", metavar="类别", help="投诉类别（按类别追究的单位必填，如 推诿扯皮、吃拿卡要）")
@click.option("--witness", "witnesses", multiple=True, metavar="工号", help="见证的员工工号（可多次）")
@click.option("--inquiry", metavar="编号", help="所涉事项编号")
@click.option("--channel", required=True, type=Named("complaint_channel"),
              help="渠道：" + "、".join(COMPLAINT_CHANNELS.values()) + "（或 " + "、".join(COMPLAINT_CHANNELS) + "）")
@click.option("--summary", required=True, help="投诉内容（一句话）")
@click.option("--name", help="投诉人姓名（不公开）")
@click.option("--phone", help="投诉人电话（不公开）")
@click.option("--at", "at", help="登记时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def complain_cmd(desk, against, category, witnesses, inquiry, channel, summary, name, phone, at, as_badge, fmt, late_reason):
    """登记一件投诉（TS-…）；投诉人的姓名、电话与来访人一样只存于登记簿，不公开。"""
    rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    meta = {"channel": channel, "against": _against(rules, against), "category": _category(rules, category),
            "witnesses": _staff(rules, witnesses, "--witness"), "inquiry": _inquiry(desk, inquiry),
            "summary": summary.strip(), "complainant": {k: v for k, v in (("name", name), ("phone", phone)) if v}}
    rec = register_account(desk.root, rules, "complaints", by, parse_at(at), meta, with_late({"action": "registered"}, late_reason))
    due = rules.policy.clock.due(rules.calendar, rec.events[0]["at"], rules.policy.verdict_limit)
    if fmt == "json":
        emit_json({"id": rec.id, "path": rec.path, "verdict_by": due.day})
    else:
        click.echo(f"已登记投诉 {rec.id}（{rec.path}），最迟 {due.zh()} 作出调查结论")


@click.command("verdict")
@click.argument("complaint_id", metavar="投诉编号")
@click.option("--substantiated", "finding", flag_value="substantiated", help="查实")
@click.option("--unfounded", "finding", flag_value="unfounded", help="不实")
@click.option("--liable", multiple=True, metavar="工号", help="责任人（默认为被投诉人；不配合的同事可代为担责）")
@click.option("--severity", metavar="级别", help="情节（按情节追究的规定须填）")
@click.option("--reason", required=True, help="调查结论与理由")
@click.option("--at", "at", help="结论时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def verdict_cmd(desk, complaint_id, finding, liable, severity, reason, at, as_badge, fmt, late_reason):
    """对投诉作出结论：查实（--substantiated）或不实（--unfounded）。"""
    if not finding:
        raise InputError("请用 --substantiated（查实）或 --unfounded（不实）给出结论")
    complaint_id = typed_id(complaint_id)
    if not complaint_id.startswith("TS-"):
        raise InputError(f"{complaint_id} 不是投诉编号（应以 TS- 开头）")
    rules = desk.rules_for_write()
    ev = {"at": parse_at(at), "by": desk.badge(as_badge), "action": "verdict", "finding": finding,
          "reason": reason.strip()}
    if liable:
        if finding != "substantiated":
            raise InputError("不实的投诉没有责任人；--liable 只用于查实的投诉")
        ev["liable"] = _staff(rules, liable, "--liable")
    if severity:
        levels = list(dict.fromkeys(name for lad in rules.policy.ladders for name in lad.levels))
        if levels:      # `较重` for `情节较重`; with no levels at all, the writer says the rule needs none
            severity = one_of("情节", levels, severity, "--severity", "rules/policy.yml 的追究规定")
        ev["severity"] = severity
    rec = append_event(desk.root, rules, complaint_id, with_late(ev, late_reason))
    if fmt == "json":
        return emit_written(rules, rec, "verdict")
    click.echo(f"投诉 {complaint_id}：{FINDINGS[finding]}，已提交")


def _share(text: str) -> float:
    """A share of the year's bonus as a decision writes it: 20% (or 20％), or 0.2."""
    import unicodedata
    t = "".join(unicodedata.normalize("NFKC", str(text)).split())
    try:
        return float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise InputError(f"--bonus {quoted(text)}不是比例：应写成 20% 或 0.2") from None


@click.command("sanction")
@click.argument("complaint_id", metavar="投诉编号")
@click.option("--staff", "staff", required=True, metavar="工号", help="被处理人工号")
@click.option("--measure", "measures", multiple=True, required=True, help="处理措施（可多次，如 通报批评）")
@click.option("--bonus", "bonus", help="扣罚当年奖金的比例：20% 或 0.2")
@click.option("--decision", help="处理决定文号")
@click.option("--deviation", help="与规定不一致时的理由")
@click.option("--at", "at", help="决定时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def sanction_cmd(desk, complaint_id, staff, measures, bonus, decision, deviation, at, as_badge, fmt, late_reason):
    """记录对查实投诉实际作出的处理决定（措施、扣罚比例、文号）。"""
    complaint_id = typed_id(complaint_id)
    rules = desk.rules_for_write()
    staff = _staff(rules, [staff], "--staff")[0]
    ev = {"at": parse_at(at), "by": desk.badge(as_badge), "action": "sanctioned", "staff": staff,
          "measures": list(measures)}
    if bonus is not None:
        bonus = _share(bonus)
        if not 0 <= bonus <= 1:
            raise InputError(f"--bonus 应为 0 到 100% 之间的比例（如 20% 或 0.2），实为 {bonus:g}")
        ev["bonus_deduction"] = bonus
    for k, v in (("decision", decision), ("deviation", deviation)):
        if v:
            ev[k] = v
    rec = append_event(desk.root, rules, complaint_id, with_late(ev, late_reason))
    if fmt == "json":
        return emit_written(rules, rec, "sanctioned")
    click.echo(f"投诉 {complaint_id}：已记录对{rules.who(staff)}的处理（{'、'.join(measures)}）")


@click.command("commend")
@click.argument("badge", metavar="工号")
@click.option("--inquiry", metavar="编号", help="所涉事项编号")
@click.option("--note", required=True, help="表扬事由")
@click.option("--at", "at", help="时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def commend_cmd(desk, badge, inquiry, note, at, as_badge, fmt, late_reason):
    """表扬一位工作人员（群众评价好的，予以表扬鼓励）。"""
    rules = desk.rules_for_write()
    badge = _staff(rules, [badge], "工号")[0]
    rec = register_account(desk.root, rules, "commendations", desk.badge(as_badge), parse_at(at),
                           {"staff": badge, "inquiry": _inquiry(desk, inquiry)}, with_late({"action": "commended", "note": note.strip()}, late_reason))
    _registered(fmt, rec, f"已记录表扬 {rec.id}：{rules.who(badge)}")


def _finding(text: str, items) -> dict:
    parts = [x.strip() for x in text.replace("：", ":").split(":", 2)]
    if len(parts) < 2 or parts[1] not in ("合格", "不合格", "pass", "fail"):
        raise InputError(f"--finding {quoted(text)}格式不对；应为 项目：合格 或 项目：不合格[：说明]")
    if items and parts[0] not in items:
        parts[0] = one_of("检查项目", items, parts[0], "--finding", "rules/policy.yml 的 inspection_items")
    f = {"item": parts[0], "passed": parts[1] in ("合格", "pass")}
    if len(parts) == 3 and parts[2]:
        f["note"] = parts[2]
    return f


@click.command("inspect")
@click.argument("badge", metavar="工号")
@click.option("--finding", "--findings", "findings", multiple=True, required=True,
              help="检查项目与结果，如 主动问候：不合格：未主动问候（可多次）")
@click.option("--at", "at", help="检查时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def inspect_cmd(desk, badge, findings, at, as_badge, fmt, late_reason):
    """记录上级对一位工作人员的随机检查（如酒店的问候、称呼、复述等服务标准）。"""
    rules = desk.rules_for_write()
    badge = _staff(rules, [badge], "工号")[0]
    parsed = [_finding(f, rules.policy.inspection_items) for f in findings]
    rec = register_account(desk.root, rules, "inspections", desk.badge(as_badge), parse_at(at), {"staff": badge},
                           with_late({"action": "inspected", "findings": parsed}, late_reason))
    failed = [f["item"] for f in parsed if not f["passed"]]
    _registered(fmt, rec, f"已记录检查 {rec.id}：{rules.who(badge)}，" + (f"不合格 {'、'.join(failed)}" if failed else "全部合格"))


@click.command("report")
@click.argument("department", metavar="部门")
@click.option("--quarter", required=True, metavar="季度", help="所汇报的季度，如 2026Q3")
@click.option("--summary", required=True, help="书面情况汇报的要点（全文可附在正文）")
@click.option("--at", "at", help="报送时间（ISO，默认现在）")
@click.option("--as", "as_badge", metavar="工号")
@FORMAT
@late_option
@pass_desk
def report_cmd(desk, department, quarter, summary, at, as_badge, fmt, late_reason):
    """登记一个科室本季度的书面情况汇报（先由各科室写出书面情况汇报，再组织检查、考核）；季度通报列出已报和未报的科室。"""
    rules = desk.rules_for_write()
    department = department_names(rules).resolve(department, "部门")       # `人口家庭科`, `人口` or family
    if parse_quarter(quarter) is None:
        raise InputError(f"--quarter {quoted(quarter)}格式不对，应为 YYYYQn（如 2026Q3）或 2026年第三季度")
    quarter = "{}Q{}".format(*parse_quarter(quarter))
    rec = register_account(desk.root, rules, "reports", desk.badge(as_badge), parse_at(at),
                           {"department": department, "quarter": quarter},
                           with_late({"action": "submitted", "summary": summary.strip()}, late_reason))
    _registered(fmt, rec, f"已登记书面情况汇报 {rec.id}：{rules.dept_name(department)} {zh_quarter(quarter)}")



def _registered(fmt: str, rec, text: str) -> None:
    """What a command that registers a record prints: its id and path as JSON (as `new` does), or `text`."""
    if fmt == "json":
        emit_json({"id": rec.id, "path": rec.path})
    else:
        click.echo(text)


COMMANDS = [complain_cmd, verdict_cmd, sanction_cmd, commend_cmd, inspect_cmd, report_cmd]
