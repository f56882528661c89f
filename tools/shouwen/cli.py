"""The `shouwen` command line (DESIGN §8): a thin layer over the library.

Exit codes: 0 ok, 1 problems found, 2 bad input or usage (nothing written), 3 busy or in conflict.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime

import click

from . import gitio, store
from .fold import ACTION_ZH, STAGE_ZH
from .ledger import build, evaluate
from .problems import ERROR, InputError, Problem
from .record import CST, local_day, to_date, to_datetime
from .rules import Rules, load_rules
from .writer import BusyError, append_event, load_for_write, register
from .writer import now as writer_now

FORMATS = click.Choice(["text", "json"])


# --- context: repository, rules, identity ---------------------------------------------

class Desk:
    def __init__(self, repo: str | None, as_badge: str | None):
        self.repo_opt = repo
        self.as_badge = as_badge
        self._rules = None

    @property
    def root(self) -> str:
        if self.repo_opt:
            root = os.path.abspath(self.repo_opt)
        else:
            root = os.path.abspath(os.environ.get("SHOUWEN_REPO") or ".")
            probe = root
            while not os.path.isdir(os.path.join(probe, "rules")) and os.path.dirname(probe) != probe:
                probe = os.path.dirname(probe)
            if os.path.isdir(os.path.join(probe, "rules")):
                root = probe
        if not os.path.isdir(os.path.join(root, "rules")):
            raise InputError(f"{root} 不是 shouwen 仓库(没有 rules/ 目录);请用 --repo 指定,或先 shouwen init")
        return root

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = load_rules(self.root)
        return self._rules

    def rules_for_write(self) -> Rules:
        errs = [p for p in self.rules.problems if p.severity == ERROR]
        if errs:
            raise InputError("规则文件有错误,请先修正(shouwen check 查看全部)", errs)
        if not gitio.is_repo(self.root):
            raise InputError(f"{self.root} 不是 Git 仓库;请用 shouwen init 创建")
        return self.rules

    def badge(self, override: str | None = None) -> str:
        b = override or self.as_badge or os.environ.get("SHOUWEN_BADGE")
        src = "--as" if (override or self.as_badge) else "SHOUWEN_BADGE"
        if not b:
            email = gitio.config(self.root, "user.email") if gitio.is_repo(self.root) else None
            s = self.rules.staff_by_email(email) if email else None
            if s is None:
                raise InputError("不知道您是谁:请用 --as 工号,或设置 SHOUWEN_BADGE,或把 git 的 user.email 登记在 rules/staff.yml")
            return s.badge
        if b not in self.rules.staff:
            raise InputError(f"工号 {b}({src})不在 rules/staff.yml 中",
                             [Problem("staff-unknown", f"工号 {b} 不在 rules/staff.yml 中", path="rules/staff.yml", field="badge")])
        return b


pass_desk = click.make_pass_decorator(Desk)


def parse_at(value: str | None) -> datetime | None:
    """A time given with --at; None when not given: the writer then takes the time under its lock."""
    if value in (None, ""):
        return None
    d = to_datetime(value)
    if d is None:
        day = to_date(value)
        if day is None:
            raise InputError(f"时间 {value!r} 格式不对(--at 应为 ISO 时间,如 2026-11-27T09:30 或 2026-11-27T09:30:00+08:00)")
        d = datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST)
    return d.replace(microsecond=0)


def parse_day(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    d = to_date(value)
    if d is None:
        raise InputError(f"日期 {value!r} 格式不对({name} 应为 YYYY-MM-DD)")
    return d


def today_cst() -> date:
    return datetime.now(CST).date()


def _json_default(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v)


def emit_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default))


# --- the group with Chinese errors and exit codes -------------------------------------

class ShouwenGroup(click.Group):
    def main(self, args=None, prog_name=None, **kw):
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **kw)
        except InputError as e:
            click.echo(f"错误:{e}", err=True)
            for p in e.problems:
                click.echo("  " + p.line(), err=True)
            sys.exit(2)
        except BusyError as e:
            click.echo(f"错误:{e}", err=True)
            sys.exit(3)
        except click.exceptions.Abort:
            click.echo("已取消,未写入任何内容。", err=True)
            sys.exit(2)
        except click.exceptions.NoSuchOption as e:
            _usage(e, f"没有选项 {e.option_name}" + (f"(您是否想用 {', '.join(e.possibilities)}?)" if e.possibilities else ""))
        except click.exceptions.MissingParameter as e:
            hint = e.param_hint or (e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx else "")
            _usage(e, f"缺少参数 {hint}".strip())
        except click.exceptions.BadParameter as e:
            hint = e.param_hint or (e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx else "")
            _usage(e, f"参数 {hint} 的值不对:{_zh_click(e.message)}")
        except click.exceptions.UsageError as e:
            _usage(e, f"用法错误:{e.message}")
        except click.exceptions.ClickException as e:
            click.echo(f"错误:{e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except OSError as e:
            # a path the user gave that can't be read or written (no such folder, no permission, disk full)
            import errno
            why = {errno.ENOENT: "文件或目录不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
                   errno.ENOSPC: "磁盘已满", errno.EROFS: "只读文件系统", errno.EISDIR: "这是一个目录",
                   errno.ENOTDIR: "路径中有一段不是目录"}.get(e.errno, e.strerror or str(e))
            click.echo(f"错误:无法读写 {e.filename or ''}:{why},未写入任何内容", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


_CLICK_ZH = ((r"'(.*)' is not a valid integer\.", r"{0} 不是整数"), (r"'(.*)' is not a valid float\.", r"{0} 不是数字"),
             (r"'(.*)' is not one of (.*)\.", r"{0} 不是可选值之一:{1}"),
             (r"(?:File|Path|Directory) '(.*)' does not exist\.", r"{0} 不存在"))


def _zh_click(message: str) -> str:
    import re
    for pattern, zh in _CLICK_ZH:
        m = re.fullmatch(pattern, message.strip())
        if m:
            return zh.format(*m.groups()).replace("'", "")
    return message


def _usage(e, msg):
    if e.ctx is not None:
        click.echo(e.ctx.get_usage().replace("Usage:", "用法:"), err=True)
    click.echo(f"错误:{msg}", err=True)
    sys.exit(2)


@click.group(cls=ShouwenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", metavar="DIR", help="机构仓库目录(默认当前目录)")
@click.option("--as", "as_badge", metavar="BADGE", help="以该工号的身份操作")
@click.version_option(package_name="shouwen")
@click.pass_context
def cli(ctx, repo, as_badge):
    """首问责任制:登记、转办、承诺、督办、办结,每一步都是一次 Git 提交。"""
    ctx.obj = Desk(repo, as_badge)


# --- registering and advancing records -------------------------------------------------

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


CHANNEL_NAMES = {"visit": "来访", "phone": "来电", "letter": "来信", "online": "网上"}


@cli.command("new")
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
@pass_desk
def new_cmd(desk, name, phone, org, address, matter, channel, service, at, as_badge, body, fmt):
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
                                                   "phone": phone}, matter.strip(), channel or "visit", service, body)
    if fmt == "json":
        emit_json({"id": rec.id, "code": rec.meta["code"], "path": rec.path})
    else:
        click.echo(f"已登记 {rec.id}  查询码 {rec.meta['code']}")
        if service:
            svc = rules.services[service]
            click.echo(f"事项:{svc.name}({svc.kind});请一次性告知所需材料:shouwen notify {rec.id}")


def event_command(name: str, action: str, help_text: str, options=()):
    """Make one event command: ID, its own options, --at, --as, --note."""

    def deco(builder):
        @cli.command(name, help=help_text)
        @click.argument("record_id", metavar="ID")
        @click.option("--at", "at", help="事件时间(ISO,默认现在)")
        @click.option("--as", "as_badge", metavar="BADGE", help="以该工号的身份操作")
        @click.option("--note", "note", help="附注")
        @pass_desk
        def cmd(desk, record_id, at, as_badge, note, **kw):
            rules = desk.rules_for_write()
            by = desk.badge(as_badge)
            when = parse_at(at)
            ev = {"at": when, "by": by, "action": action}
            ev.update(builder(desk, rules, record_id, when or writer_now(), **kw))
            if note:
                ev["note"] = note
            rec = append_event(desk.root, rules, record_id, ev)
            entry = evaluate(rec, rules, local_day(rec.events[-1]["at"]))
            st = entry.state
            extra = f",承办:{rules.who(st.handler)}" if st and st.handler else ""
            if entry.deadlines and entry.deadlines.due and not st.closed:
                extra += f",办结期限 {entry.deadlines.due}"
            click.echo(f"{ACTION_ZH[action]} {record_id}:已提交({STAGE_ZH.get(st.stage, st.stage)}{extra})")

        for opt in reversed(options):
            cmd = opt(cmd)
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
               [click.option("--due", help="办结日期 YYYY-MM-DD"), click.option("--days", type=int, help="自受理起的工作日数")])
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
    if svc is not None and days > svc.promised_days:
        raise InputError(f"{rec.path} [{rid}] 字段 --days:{days} 个工作日超过《{svc.name}》承诺时限 {svc.promised_days} 个工作日",
                         [Problem("promise-exceeds-limit", f"最多 {svc.promised_days} 个工作日", path=rec.path, record=rid, field="--days")])
    return {"due": rules.calendar.add(local_day(st.accepted_at), days)}


@event_command("extend", "extended", "延期(须在原办结日期前,注明理由和批准人)。",
               [click.option("--due", required=True, help="新的办结日期"), click.option("--reason", required=True, help="延期理由"),
                click.option("--approver", required=True, help="批准人工号")])
def _extend(desk, rules, rid, when, due, reason, approver):
    _need_staff(rules, approver, "--approver")
    return {"due": parse_day(due, "--due"), "reason": reason, "approver": approver}


def escalation_target(rules, me: str) -> str | None:
    """The next person up the policy's escalation chain (hotel: 主管→经理→总监→副总→总经理): the next role
    after mine, looked for in my department, then the departments above it, then anywhere."""
    chain = rules.policy.escalation_chain
    mine = rules.staff.get(me)
    if not chain or mine is None:
        return None
    after = chain[chain.index(mine.role) + 1:] if mine.role in chain else chain
    depts = []
    d = rules.departments.get(mine.department)
    while d is not None:
        depts.append(d.id)
        d = rules.departments.get(d.parent or "")
    for role in after:
        holders = [s for s in rules.staff.values() if s.role == role and s.badge != me]
        for dept in depts:
            found = [s.badge for s in holders if s.department == dept]
            if found:
                return sorted(found)[0]
        if holders:
            return sorted(s.badge for s in holders)[0]
    return None


@event_command("escalate", "escalated", "上报:默认按 policy.yml 的 escalation_chain 报上一级(如酒店的主管→经理→总监→副总→总经理)。",
               [click.option("--to", help="上报对象工号"), click.option("--reason", help="上报理由")])
def _escalate(desk, rules, rid, when, to, reason):
    if to:
        _need_staff(rules, to, "--to")
    elif escalation_target(rules, desk.badge()):
        to = escalation_target(rules, desk.badge())
    else:
        me = desk.badge()
        dept = rules.departments.get(rules.department_of(me) or "")
        while dept is not None and (dept.head in (None, me)):
            dept = rules.departments.get(dept.parent or "")
        if dept is None:
            raise InputError("找不到可上报的上级,请用 --to 指定工号")
        to = dept.head
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


# --- reading ----------------------------------------------------------------------------

def _ledger(desk, today):
    rules = desk.rules
    return build(store.load_records(desk.root), rules, today)


# What a commit may be refused for: a broken file or a dangling reference. Deadline findings are
# facts to record (a late forward must still be committed), so the hook leaves them to `check`.
STAGED_FAMILIES = {"record", "reference", "rules"}


def _staged_ledger(desk, today):
    """The ledger as it would be after the commit: records and rules from the index, problems only
    in the files being committed (plus id-duplicate, which a new file can cause anywhere)."""
    from . import gitio
    from .ledger import Ledger
    from .problems import CODES
    from .rules import load_rules_at
    changed = set(gitio.git(desk.root, "diff", "--cached", "--name-only", "-z", "--no-renames").split("\0")) - {""}
    staged = gitio.git(desk.root, "write-tree").strip()     # the index as a tree: read like any commit
    led = build(store.load_records(desk.root, rev=staged), load_rules_at(desk.root, staged), today)
    keep = [p for p in led.problems
            if (CODES.get(p.code, ("record",))[0] in STAGED_FAMILIES or p.code == "ladder-invalid") and (p.path in changed or p.path is None)]
    return Ledger(led.entries, keep, led.by_id)


def entry_json(entry, rules) -> dict:
    rec, st, dl = entry.record, entry.state, entry.deadlines
    out = {"id": rec.id, "path": rec.path, "matter": rec.meta.get("matter"), "service": rec.meta.get("service"),
           "channel": rec.meta.get("channel"), "first_responder": rec.meta.get("first_responder")}
    if st is not None:
        out.update({"handler": st.handler, "handler_department": st.handler_department, "stage": st.stage,
                    "closed": st.closed, "due": dl.due if dl else None, "overdue": bool(dl and dl.overdue),
                    "forward_by": dl.forward_by if dl else None, "accept_by": dl.accept_by if dl else None,
                    "promise_by": dl.promise_by if dl else None, "next_deadline": dl.next_deadline if dl else None,
                    "rating": st.rating})
    out["events"] = rec.events
    out["problems"] = [p.as_json() for p in entry.problems]
    return out


@cli.command("show")
@click.argument("record_id", metavar="ID")
@click.option("--today", help="按该日期判断是否超期(默认今天)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def show_cmd(desk, record_id, today, fmt):
    """显示一件事项及其推导出的状态。"""
    rules = desk.rules
    rec = load_for_write(desk.root, record_id)
    entry = evaluate(rec, rules, parse_day(today, "--today") or today_cst())
    if rec.kind != "inquiries":
        return _show_account(entry, rules, fmt)
    if fmt == "json":
        emit_json(entry_json(entry, rules))
        return
    st, dl = entry.state, entry.deadlines
    m = rec.meta
    click.echo(f"{rec.id}  {m.get('matter')}")
    click.echo(f"  查询码 {m.get('code')}  渠道 {CHANNEL_NAMES.get(m.get('channel'), m.get('channel'))}"
               f"  首问责任人 {rules.who(m.get('first_responder'))}")
    if m.get("service"):
        click.echo(f"  事项 {rules.services[m['service']].name if m['service'] in rules.services else m['service']}")
    if st:
        click.echo(f"  阶段 {STAGE_ZH.get(st.stage, st.stage)}{'(已结束)' if st.closed else ''}  承办 {rules.who(st.handler)}")
        if dl and dl.due:
            click.echo(f"  办结期限 {dl.due}{'  已超期' if dl.overdue else ''}")
    _print_events(entry, rules, ACTION_ZH)


def _print_events(entry, rules, names):
    for ev in entry.record.events:
        if isinstance(ev, dict):
            at = to_datetime(ev.get("at"))
            detail = " ".join(f"{k}={v}" for k, v in ev.items() if k not in ("at", "by", "action"))
            click.echo(f"  {at.astimezone(CST):%Y-%m-%d %H:%M}  {names.get(ev.get('action'), ev.get('action'))}"
                       f"  {rules.who(ev.get('by'))}  {detail}" if at else f"  {ev}")
    for p in entry.problems:
        click.echo("  " + p.line())


def _show_account(entry, rules, fmt):
    """A complaint, commendation or inspection: its header in words, then its events."""
    from .accountability import ACTION_ZH as ACC_ZH, COMPLAINT_CHANNELS, FINDINGS, Complaint
    rec, a = entry.record, entry.account
    if fmt == "json":
        out = {k: v for k, v in rec.meta.items() if k != "events"}
        out.update(kind=rec.kind, path=rec.path, events=rec.events,
                   problems=[p.as_json() for p in entry.problems])
        if isinstance(a, Complaint):
            out.update(finding=a.verdict.finding if a.verdict else None,
                       liable=a.verdict.liable if a.verdict else [], sanctioned=[s.staff for s in a.sanctions])
        emit_json(out)
        return
    m = rec.meta
    title = {"complaints": "投诉", "commendations": "表扬", "inspections": "检查"}[rec.kind]
    click.echo(f"{rec.id}  {title}  {m.get('summary', '')}")
    if rec.kind == "complaints":
        against = "、".join(rules.who(b) for b in (m.get("against") or []) if isinstance(b, str)) if isinstance(
            m.get("against"), list) else rules.who(m.get("against"))
        click.echo(f"  被投诉人 {against}  渠道 {COMPLAINT_CHANNELS.get(m.get('channel'), m.get('channel'))}"
                   + (f"  所涉事项 {m['inquiry']}" if m.get("inquiry") else ""))
        if isinstance(a, Complaint):
            v = a.verdict
            click.echo("  结论 " + (f"{FINDINGS[v.finding]}({v.day})" + (f",责任人 {'、'.join(rules.who(b) for b in v.liable)}"
                                                                          if v.liable else "") if v else "尚未结论"))
    else:
        click.echo(f"  工作人员 {rules.who(m.get('staff'))}" + (f"  所涉事项 {m['inquiry']}" if m.get("inquiry") else ""))
    _print_events(entry, rules, ACC_ZH)


def _select(entries, rules, status, department, staff, overdue, since, until):
    out = []
    for e in entries:
        st = e.state
        if st is None:
            continue
        if status == "open" and st.closed or status == "closed" and not st.closed:
            continue
        if status not in (None, "open", "closed") and st.stage != status:
            continue
        if overdue and not (e.deadlines and e.deadlines.overdue):
            continue
        if department and department not in (st.handler_department, rules.department_of(e.record.meta.get("first_responder"))):
            continue
        if staff and staff not in (st.handler, e.record.meta.get("first_responder")):
            continue
        day = local_day(st.registered_at)
        if since and day < since or until and day > until:
            continue
        out.append(e)
    return out


def _table(entries, rules):
    for e in entries:
        st, dl = e.state, e.deadlines
        due = (dl.next_deadline or (dl.due if st.completed_at is None else None)) if dl else None
        flag = "超期" if dl and dl.overdue else ("待取件" if st.completed_at and not st.closed else "")
        click.echo(f"{e.record.id}  {STAGE_ZH.get(st.stage, st.stage):<4}  {str(due or ''):<10}  {flag:<2}  "
                   f"{rules.who(st.handler):<12}  {e.record.meta.get('matter', '')}")


@cli.command("list")
@click.option("--status", help="open 未结 | closed 已结 | 或阶段名(如 forwarded)")
@click.option("--department", help="部门 id(承办或首问部门)")
@click.option("--staff", help="工号(承办人或首问责任人)")
@click.option("--overdue", is_flag=True, help="只列超期未办结的")
@click.option("--from", "since", help="登记日期起 YYYY-MM-DD")
@click.option("--to", "until", help="登记日期止 YYYY-MM-DD")
@click.option("--today", help="按该日期判断超期(默认今天)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def list_cmd(desk, status, department, staff, overdue, since, until, today, fmt):
    """列出事项。"""
    rules = desk.rules
    if department and department not in rules.departments:
        raise InputError(f"部门 {department}(--department)不在 rules/institution.yml 中")
    if staff and staff not in rules.staff:
        raise InputError(f"工号 {staff}(--staff)不在 rules/staff.yml 中")
    led = _ledger(desk, parse_day(today, "--today") or today_cst())
    rows = _select(led.entries, rules, status, department, staff, overdue,
                   parse_day(since, "--from"), parse_day(until, "--to"))
    if fmt == "json":
        emit_json([{k: v for k, v in entry_json(e, rules).items() if k != "events"} for e in rows])
    else:
        _table(rows, rules)
        click.echo(f"共 {len(rows)} 件")


@cli.command("todo")
@click.option("--as", "as_badge", metavar="BADGE", help="谁的待办(默认本人)")
@click.option("--all", "everyone", is_flag=True, help="全单位所有未结事项")
@click.option("--today", help="按该日期计算(默认今天)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def todo_cmd(desk, as_badge, everyone, today, fmt):
    """我的待办:我承办或我首问的未结事项,最近的期限在前。"""
    rules = desk.rules
    day = parse_day(today, "--today") or today_cst()
    me = None if everyone else desk.badge(as_badge)
    led = _ledger(desk, day)
    rows = []
    for e in led.entries:
        st = e.state
        if st is None or st.registered_at is None:
            continue
        bad = st.rating in rules.policy.bad_ratings and not [f for f in st.followups if f >= st.rated_at]
        if st.closed and not bad:
            continue
        mine = everyone or me in (st.handler, e.record.meta.get("first_responder")) or (
            st.handler == rules.department_of(me) and st.handler in rules.departments)
        if mine:
            due = e.deadlines.next_deadline if e.deadlines else None
            if bad and st.rated_at:
                due = rules.calendar.add(local_day(st.rated_at), rules.policy.followup_limit)
            rows.append((due or date.max, e))
    rows.sort(key=lambda x: (x[0], x[1].record.id))
    if fmt == "json":
        emit_json([{**{k: v for k, v in entry_json(e, rules).items() if k != "events"},
                    "next_deadline": None if d == date.max else d} for d, e in rows])
        return
    who = "全单位" if everyone else rules.who(me)
    click.echo(f"{who}的待办({day}):{len(rows)} 件")
    _table([e for _, e in rows], rules)


@cli.command("check")
@click.option("--today", help="按该日期检查期限(默认今天,北京时间)")
@click.option("--staged", is_flag=True,
              help="只检查暂存区中将要提交的文件的格式与引用(供 pre-commit 钩子使用;期限问题不拦提交)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def check_cmd(desk, today, staged, fmt):
    """检查全部记录和规则:格式、引用、期限。有错误时退出码为 1。"""
    day = parse_day(today, "--today") or today_cst()
    if staged:
        led = _staged_ledger(desk, day)
    else:
        led = _ledger(desk, day)
    probs = led.problems
    ok = not any(p.severity == ERROR for p in probs)
    if fmt == "json":
        emit_json({"ok": ok, "records": len(led.entries), "today": day.isoformat(),
                   "problems": [p.as_json() for p in probs]})
    else:
        for p in probs:
            click.echo(p.line())
        counts = {}
        for p in probs:
            counts[p.code] = counts.get(p.code, 0) + 1
        summary = ",".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda x: -x[1]))
        nerr = sum(p.severity == ERROR for p in probs)
        click.echo(f"检查 {len(led.entries)} 件记录({day}):{nerr} 个错误,{len(probs) - nerr} 个警告" +
                   (f"({summary})" if summary else ""))
    return 0 if ok else 1


@cli.command("receipt")
@click.argument("record_id", metavar="ID")
@click.option("--pickup", is_flag=True, help="打印取件登记表(而不是收件回执)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="写入文件(默认输出到屏幕)")
@pass_desk
def receipt_cmd(desk, record_id, pickup, output):
    """打印《机关办理事项收件回执》或《取件登记表》(HTML,可直接打印)。"""
    from .receipt import render
    rules = desk.rules
    rec = load_for_write(desk.root, record_id)
    if rec.kind != "inquiries":
        raise InputError(f"{rec.path} [{record_id}]:回执只用于登记的事项,不用于投诉、表扬或检查记录")
    entry = evaluate(rec, rules, today_cst())
    if pickup and (entry.state is None or entry.state.completed_at is None):
        raise InputError(f"{rec.path} [{record_id}]:尚未办结,不能打印取件登记表")
    html = render(entry, rules, pickup=pickup)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(html)
        click.echo(f"已写入 {output}")
    else:
        click.echo(html)


# --- setting up -----------------------------------------------------------------------

@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--template", type=click.Choice(["bureau", "hotel", "company"]), default="bureau", show_default=True,
              help="机构模板:bureau 机关(按查实次数追究)、hotel 酒店(逐级上报、不配合者担责、服务标准检查)、"
                   "company 公司(酌情处理、表扬)")
@click.option("--require-signing", "anchor", metavar="ANCHOR.pub", type=click.Path(dir_okay=False),
              help="要求每个提交都用本人 SSH 密钥签名;ANCHOR.pub 是办公室公钥(信任锚,保存在仓库之外),"
                   "首个提交用其私钥(SHOUWEN_SIGNING_KEY)签名")
def init_cmd(directory, template, anchor):
    """新建一个机构仓库(Git),带规则模板。"""
    from .setup import init_repo
    path = init_repo(directory, template, anchor)
    click.echo(f"已在 {path} 创建机构仓库(模板 {template})。下一步:编辑 rules/ 下的机构、人员和办事指南。")
    if anchor:
        click.echo("本机构要求签名提交:在 rules/staff.yml 为每位工作人员填写 signing_key(SSH 公钥),"
                   "名册的修改须由已信任的密钥签名;审查时用 --trust-anchor 指定同一信任锚。")


@cli.command("demo")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--size", default=320, show_default=True, help="生成的事项数")
@click.option("--since", default="2026-07-01", show_default=True, help="最早登记日期")
@click.option("--until", help="截止日期(默认今天)")
@click.option("--seed", default=1, show_default=True, help="随机种子(同一种子生成同样的数据)")
def demo_cmd(directory, size, since, until, seed):
    """生成一个示例机构仓库:N 件事项,每一步都是一次真实的提交。"""
    from .demo import make_demo
    start = parse_day(since, "--since")
    end = parse_day(until, "--until") or today_cst()
    if end < start:
        raise InputError("--until 早于 --since")
    path, n = make_demo(directory, size, start, end, seed)
    click.echo(f"已在 {path} 生成示例机构:{size} 件事项,{n} 次提交。")


# --- history, merging and many desks -------------------------------------------------------

@cli.command("audit")
@click.option("--since", metavar="REV", help="只审查该提交之后的历史")
@click.option("--trust-anchor", "anchor", metavar="FILE", type=click.Path(dir_okay=False),
              help="信任锚:办公室的 SSH 公钥文件,保存在仓库之外(也可用 SHOUWEN_TRUST_ANCHOR)")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def audit_cmd(desk, since, anchor, fmt):
    """审查 Git 历史:事件被改写或删除、记录被删除、已结事项被修改、补录超时、署名与提交人不符……"""
    from .audit import audit
    rep = audit(desk.root, desk.rules, since, anchor=anchor)
    errors = [p for p in rep.problems if p.severity == ERROR]
    if fmt == "json":
        emit_json({"ok": not errors, "commits": rep.commits, "verified": rep.verified,
                   "problems": [p.as_json() for p in rep.problems]})
    else:
        for p in rep.problems:
            click.echo(f"{p.line()}  提交 {p.extra['commit'][:10]}  {p.extra['person']}")
        click.echo(f"审查 {rep.commits} 个提交:{len(errors)} 个错误,{len(rep.problems) - len(errors)} 个警告"
                   + (f"(本次核验签名 {rep.verified} 个,其余已记住)" if desk.rules.policy.signing_required else ""))
    return 1 if errors else 0


@cli.command("history")
@click.argument("record_id", metavar="ID")
@click.option("--format", "fmt", type=FORMATS, default="text")
@pass_desk
def history_cmd(desk, record_id, fmt):
    """一件事项的时间线:每个事件由谁、何时、在哪个提交中记录,是否签名,审查发现的问题。"""
    from .accountability import ACTION_ZH as ACCOUNT_ZH
    from .audit import audit
    from .ids import parse_id, record_path
    if parse_id(record_id) is None:
        raise InputError(f"编号 {record_id!r} 格式不对")
    rel = record_path(record_id)
    from .signing import anchor_path
    full_trust = desk.rules.policy.signing_required and anchor_path(desk.root)
    rep = audit(desk.root, desk.rules, paths=(rel,), signatures=not full_trust)
    steps = rep.steps.get(rel, [])
    if not steps and not rep.problems:
        raise InputError(f"找不到事项 {record_id} 的历史({rel})")
    if fmt == "json":
        emit_json({"id": record_id, "path": rel,
                   "steps": [{"commit": s.commit, "author": s.author, "signed": s.signed, "committed": s.when,
                              "event": s.event, "problems": [p.as_json() for p in s.problems]} for s in steps],
                   "problems": [p.as_json() for p in rep.problems]})
        return
    for s in steps:
        at = to_datetime(s.event.get("at"))
        action = s.event.get("action")
        click.echo(f"{at.astimezone(CST):%Y-%m-%d %H:%M}  {ACTION_ZH.get(action) or ACCOUNT_ZH.get(action, '?'):<6} "
                   f"{desk.rules.who(s.event.get('by'))}  提交 {s.commit[:10]} {s.author}"
                   f"{'  已签名' if s.signed else ''}")
        for p in s.problems:
            click.echo(f"    {p.line()}")
    for p in rep.problems:
        if not any(p in s.problems for s in steps):
            click.echo(f"{p.line()}  提交 {p.extra['commit'][:10]}")


@cli.command("merge-driver", hidden=True)
@click.argument("base", type=click.Path())
@click.argument("ours", type=click.Path())
@click.argument("theirs", type=click.Path())
@click.argument("pathname", default="record.md")
def merge_driver_cmd(base, ours, theirs, pathname):
    """Git merge driver for records: the union of both sides' events in time order."""
    from .merge import Collision, merge_texts
    from .record import parse as parse_record

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
        click.echo(f"编号冲突:{pathname} 两边登记了不同的事项;对方的一件另存为 {side}", err=True)
        return 0
    except (ValueError, UnicodeDecodeError) as e:
        click.echo(f"无法自动合并 {pathname}:{e}", err=True)
        return 1
    with open(ours, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(merged)
    return 0


# --- the public site -------------------------------------------------------------------------

@cli.group("site")
def site_group():
    """公开网站(MkDocs + Material):生成、预览、导出页面。"""


def _site_ready(desk):
    """Refuse early, with the coded problem `check` gives, when the rules can't make a site."""
    if not os.path.exists(os.path.join(desk.root, "mkdocs.yml")):
        raise InputError(f"{desk.root} 没有 mkdocs.yml;用 shouwen init 创建的机构仓库自带此文件")
    broken = [p for p in desk.rules.problems if p.severity == ERROR]
    if broken:
        raise InputError("网站未生成:规则文件有错误", broken)


def _mkdocs_failure(proc) -> int:
    """Relay what MkDocs said; the hook's coded problems (pii-leak …) come through its message."""
    lines = [l for l in (proc.stderr + proc.stdout).splitlines()
             if l.strip() and not l.startswith(("INFO", "DEBUG")) and "│" not in l]
    for l in lines:
        click.echo(l, err=True)
    coded = any("[pii-leak]" in l or "rules-invalid" in l for l in lines)
    click.echo("网站未生成" + ("(发现个人信息泄露,见上)" if coded else ""), err=True)
    return 1


@site_group.command("build")
@click.option("-o", "--output", default="public", show_default=True, type=click.Path(file_okay=False),
              help="输出目录(相对仓库根目录;不要放在 site/ 之内)")
@pass_desk
def site_build_cmd(desk, output):
    """生成公开网站(mkdocs build --strict),并扫描输出中是否含有来访人、投诉人的个人信息。"""
    from .sitebuild import mkdocs
    _site_ready(desk)
    out = output if os.path.isabs(output) else os.path.join(desk.root, output)
    if os.path.abspath(out).startswith(os.path.join(desk.root, "site") + os.sep):
        raise InputError(f"输出目录 {output} 在 site/ 之内;请换一个目录")
    proc = mkdocs(desk.root, "build", "--strict", "-d", out)
    if proc.returncode != 0:
        return _mkdocs_failure(proc)
    pages = sum(1 for _, _, fs in os.walk(out) for f in fs if f.endswith(".html"))
    click.echo(f"网站已生成:{os.path.join(out, 'index.html')}({pages} 个页面;无任何外部请求,已核对无个人信息)")
    prog = sys.argv[0] if os.sep in sys.argv[0] and sys.argv[0].endswith("shouwen") else "shouwen"
    click.echo(f"本机浏览:{prog} --repo {desk.root} site serve,然后打开 http://127.0.0.1:8000/ ;"
               "大厅触摸屏打开 /kiosk/")
    return 0


@site_group.command("serve")
@click.option("-a", "--address", default="127.0.0.1:8000", show_default=True)
@pass_desk
def site_serve_cmd(desk, address):
    """本机预览公开网站(修改规则后自动刷新)。"""
    import subprocess
    import sys
    _site_ready(desk)
    click.echo(f"正在预览:http://{address}/ (Ctrl+C 结束)")
    return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "-a", address, "-f",
                            os.path.join(desk.root, "mkdocs.yml")], cwd=desk.root)


@site_group.command("pages")
@click.argument("directory", type=click.Path(file_okay=False), required=False)
@pass_desk
def site_pages_cmd(desk, directory):
    """只把生成的页面写入一个目录(默认 site/_generated,已被 git 忽略),供不支持 MkDocs 钩子的引擎使用(如 Zensical)。"""
    from .sitebuild import write_pages
    _site_ready(desk)
    directory = directory or os.path.join(desk.root, "site", "_generated")
    n = write_pages(desk.root, directory)
    click.echo(f"已写入 {n} 个文件到 {directory}")


@cli.command("setup")
@pass_desk
def setup_cmd(desk):
    """为已有的克隆注册记录合并驱动和提交前检查钩子(init 会自动注册)。"""
    from .setup import install_merge_driver, install_pre_commit
    install_merge_driver(desk.root)
    click.echo("已注册合并驱动 merge.shouwen(两台电脑对同一事项追加的事件将合并,不会冲突)")
    hook = install_pre_commit(desk.root)
    if hook:
        click.echo(f"已安装提交前检查钩子 {hook}(手工提交的记录和规则先经 shouwen check --staged)")
    else:
        click.echo("本克隆已有别的 pre-commit 钩子,未覆盖;可用 pre-commit 框架的 shouwen-check(见 .pre-commit-hooks.yaml)",
                   err=True)


@cli.command("sync")
@click.option("--remote", default="origin", show_default=True)
@click.option("--as", "as_badge", metavar="BADGE")
@pass_desk
def sync_cmd(desk, remote, as_badge):
    """与中心仓库同步:拉取、合并(按事件取并集)、推送;推送被拒时自动重试。"""
    from .sync import Offline, sync
    from .writer import _identity
    from .signing import commit_args
    rules = desk.rules_for_write()
    badge = desk.badge(as_badge)
    env = _identity(rules, badge)
    try:
        res = sync(desk.root, env, remote, sign=commit_args(desk.root, rules, badge))
    except Offline as e:
        click.echo(f"错误:{e}", err=True)
        return 1
    for c in res["collisions"]:
        click.echo(f"注意 id-duplicate:{c} 与本机的一件事项编号相同,两件都已保留,请核对", err=True)
    click.echo(f"已同步({remote}),合并 {res['merged']} 次,{'已推送' if res['pushed'] else '未推送'}")
    return 0


from . import cli_account  # noqa: E402,F401  (registers the accountability commands)
from . import cli_reports  # noqa: E402,F401  (ladder, bulletin, review, rollup)
from . import cli_ledger  # noqa: E402,F401  (export, import)


def main():
    cli.main(prog_name="shouwen")


if __name__ == "__main__":
    main()
