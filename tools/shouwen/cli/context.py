"""What every command shares: the repository, rules and identity (Desk), argument parsing,
JSON output, and the group that turns errors into Chinese messages and exit codes.

Exit codes: 0 ok, 1 problems found, 2 bad input or usage (nothing written), 3 busy or in conflict.
"""
from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING
from datetime import date, datetime

import click

from ..repo import gitio
from ..core.problems import ERROR, InputError, Problem, os_reason  # noqa: F401 (os_reason: the commands')
from ..core.record import CST, typed_day, typed_moment, typed_trouble
from . import zh_click
from .no_cache import no_cache_option, with_no_cache
from ..core.quote import quoted

if TYPE_CHECKING:
    from ..core.rules import Rules

zh_click.install()       # Click's own texts (usage, options, errors) in Chinese

FORMATS = click.Choice(["text", "json"])
FORMAT = click.option("--format", "fmt", type=FORMATS, default="text")      # every command that prints data


# --- context: repository, rules, identity ---------------------------------------------

class Desk:
    def __init__(self, repo: str | None, as_badge: str | None):
        self.repo_opt = repo
        self.as_badge = as_badge
        self.use_cache = not os.environ.get("SHOUWEN_NO_CACHE")    # the index is only a cache
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
            raise InputError(f"{root} 不是 shouwen 仓库（没有 rules/ 目录）；请用 --repo 指定，或先 shouwen init")
        if getattr(self, "_guarded", None) != root:
            from ..repo.store import refuse_committed_state
            refuse_committed_state(root)        # before any cache, journal or verified signature is read
            self._guarded = root
        return root

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            from ..repo.loader import load_rules
            self._rules = load_rules(self.root)
        return self._rules

    def rules_for_write(self) -> Rules:
        errs = [p for p in self.rules.problems if p.severity == ERROR]
        if errs:
            raise InputError("规则文件有错误，请先修正（shouwen check 查看全部）", errs)
        if not gitio.is_repo(self.root):
            raise InputError(f"{self.root} 不是 Git 仓库；请用 shouwen init 创建")
        return self.rules

    @property
    def in_time(self):
        """The rules as they stood on each day (repo.rules_history.RulesInTime), None outside Git."""
        if getattr(self, "_in_time", None) is None and gitio.is_repo(self.root):
            from ..repo.rules_history import RulesInTime
            self._in_time = RulesInTime(self.root, lambda: self.rules)
        return getattr(self, "_in_time", None)

    @property
    def rules_on(self):
        """day -> the rules as they stood that day (from the history of rules/)."""
        return self.in_time.on if self.in_time else (lambda day: self.rules)

    def badge(self, override: str | None = None) -> str:
        b = override or self.as_badge or os.environ.get("SHOUWEN_BADGE")
        src = "--as" if (override or self.as_badge) else "SHOUWEN_BADGE"
        if not b:
            email = gitio.config(self.root, "user.email") if gitio.is_repo(self.root) else None
            s = self.rules.staff_by_email(email) if email else None
            if s is None:
                raise InputError("不知道您是谁：请用 --as 工号，或设置 SHOUWEN_BADGE，或把 git 的 user.email 登记在 rules/staff.yml"
                                 + self._roster_trouble())
            return s.badge
        from ..core.departed import the_one_here
        from ..core.names import staff_names
        try:
            return (names := staff_names(self.rules)).resolve(b, src)      # J005, j005, " J005" or 李明
        except InputError as e:     # a new hire who shares a name with one gone: the one still here
            here = the_one_here(self.rules, names.matches(b), today_cst())
            if here is None:
                raise InputError(str(e) + self._roster_trouble()) from None
            return here

    def _roster_trouble(self) -> str:
        """Why nobody may be found: rules/staff.yml itself in error (a YAML slip), said with its line."""
        bad = [p for p in self.rules.problems if p.path == "rules/staff.yml" and p.severity == ERROR]
        return f"\n（rules/staff.yml 本身有错误：{bad[0].message}）" if bad else ""


pass_desk = click.make_pass_decorator(Desk)


def parse_at(value: str | None) -> datetime | None:
    """A time given with --at; None when not given: the writer then takes the time under its lock."""
    if value in (None, ""):
        return None
    day = typed_day(value)          # a day alone, however written (2026-11-27 too): at 09:00, not midnight
    d = datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST) if day is not None else typed_moment(value)
    if d is None:
        why = typed_trouble(value)
        raise InputError(f"时间{quoted(value)}" + (f"不对：{why}（--at）" if why else
                                              "格式不对（--at 应如 2026年11月27日 09:30 或 2026-11-27T09:30）"))
    return d.replace(microsecond=0)


def late_option(f):
    """--late-reason: an event entered later than the policy's grace (补录) says why; SHOUWEN_LATE_REASON
    sets it for a whole session of entering a paper backlog."""
    return click.option("--late-reason", "late_reason", envvar="SHOUWEN_LATE_REASON",
                        help="补录理由：事件时间早于现在超过补录宽限时必填（记入事件，显示为补录）")(f)


def with_late(event: dict, late_reason: str | None) -> dict:
    if late_reason:
        event["late_reason"] = late_reason.strip()
    return event




def parse_day(value: str | None, name: str) -> date | None:
    """A day as the clerk types it: 2026-11-29, 2026/11/29, 2026.11.29 or 2026年11月29日."""
    if value in (None, ""):
        return None
    d = typed_day(value)            # within the years an office works in
    if d is None:
        why = typed_trouble(value)
        raise InputError(f"日期{quoted(value)}" + (f"不对：{why}（{name}）" if why else
                                              f"格式不对（{name} 应为 2026-11-29 或 2026年11月29日）"))
    return d


def today_cst() -> date:
    return datetime.now(CST).date()


def _json_default(v):
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v)


def json_text(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def json_item(obj) -> str:
    """`obj` as json_text writes it as an item of a list (so a list's text can be made from its items')."""
    return "  " + json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default).replace("\n", "\n  ")


def json_list(items: list[str]) -> str:
    """json_text of a list, from its items' json_item texts."""
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"


def emit_json(obj):
    click.echo(json_text(obj), nl=False)


# --- the group with Chinese errors and exit codes -------------------------------------

class ShouwenGroup(zh_click.ClosestGroup):
    loader = None       # name or None (all) -> adds those commands; set by the package (cli/__init__)

    def add_command(self, cmd, name=None):
        super().add_command(with_no_cache(cmd), name)

    def get_command(self, ctx, name):
        if name not in self.commands and self.loader is not None:
            self.loader(name)
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        if self.loader is not None:
            self.loader(None)
        return super().list_commands(ctx)

    def main(self, args=None, prog_name=None, **kw):
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **kw)
        except InputError as e:
            head = str(e)
            for p in e.problems:                      # say each thing once: the problem line names the file
                if p.message and p.message in head and p.path:
                    head = head.replace(p.message, "").rstrip("：，").rstrip(": ")
            click.echo(f"错误：{head or '未执行，未写入任何内容'}", err=True)
            for p in e.problems:
                click.echo("  " + p.line(), err=True)
            sys.exit(2)
        except click.exceptions.Abort:
            click.echo("已取消，未写入任何内容。", err=True)
            sys.exit(2)
        except click.exceptions.NoArgsIsHelpError as e:     # a group without its command: its help, no error
            click.echo(e.ctx.get_help(), err=True)
            sys.exit(2)
        except click.exceptions.NoSuchOption as e:
            _usage(e, f"没有选项 {e.option_name}" + (f"（您是否想用 {'、'.join(e.possibilities)}？）" if e.possibilities else ""))
        except click.exceptions.MissingParameter as e:
            _usage(e, f"缺少参数 {_hint(e)}".strip())
        except click.exceptions.BadParameter as e:
            _usage(e, f"参数 {_hint(e)} 的值不对：{e.message}")
        except click.exceptions.UsageError as e:
            _usage(e, e.message)
        except click.exceptions.ClickException as e:
            click.echo(f"错误：{e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except OSError as e:
            # a path the user gave that can't be read or written (no such folder, no permission, disk full)
            click.echo(f"错误：无法读写 {e.filename or ''}：{os_reason(e)}，未写入任何内容", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            # the writer defers Ctrl-C until its commit is done or undone: nothing is half-written
            click.echo("\n已中断。正在进行的写入已完成或已撤销，没有留下半截内容。", err=True)
            sys.exit(130)
        except Exception as e:     # a bug of ours: say so plainly, never a traceback; the suite fails on exit 70
            if _busy(e):
                click.echo(f"错误：{e}", err=True)
                sys.exit(3)
            if os.environ.get("SHOUWEN_DEBUG"):
                raise
            click.echo(f"内部错误（请把这一行报告给维护人员）：{type(e).__name__}: {e}", err=True)
            sys.exit(INTERNAL_ERROR)
        sys.exit(rv if isinstance(rv, int) else 0)


INTERNAL_ERROR = 70


def _busy(e: Exception) -> bool:
    """The writer's BusyError (exit 3). Only the writer's journal raises it, so it is looked for only once
    that is imported: a reading command never loads the writer and its lock."""
    journal = sys.modules.get(f"{__package__.rsplit('.', 1)[0]}.repo.journal")
    return journal is not None and isinstance(e, journal.BusyError)


def _hint(e) -> str:
    """The option or argument a usage error is about, named bare as our messages name options (--size, `编号`):
    Click puts each name in ASCII quotes ('--size' / '-s')."""
    import re
    hint = e.param_hint or (e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx else "")
    return re.sub(r"'([^']*)'", r"\1", hint if isinstance(hint, str) else " / ".join(hint))


def _usage(e, msg):
    if e.ctx is not None:
        click.echo(e.ctx.get_usage(), err=True)
    click.echo(f"错误：{msg}", err=True)
    sys.exit(2)


@click.group(cls=ShouwenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", metavar="目录", help="机构仓库目录（默认当前目录）")
@click.option("--as", "as_badge", metavar="工号", help="以该工号的身份操作")
@click.version_option(package_name="shouwen")
@click.pass_context
def cli(ctx, repo, as_badge):
    """首问责任制：登记、转办、承诺、督办、办结，每一步都是一次 Git 提交。"""
    ctx.obj = Desk(repo, as_badge)


cli.params.insert(2, no_cache_option())


def _complaint_channels():
    from ..core.accountability import COMPLAINT_CHANNELS
    from ..core.names import Vocabulary
    return Vocabulary("投诉渠道", {k: (v,) for k, v in COMPLAINT_CHANNELS.items()})


class Named(click.ParamType):
    """An id typed as its Chinese name, an unambiguous start of it, or the id itself (core.names)."""
    name = "名称"

    @staticmethod
    def vocabulary(kind: str, rules):
        from ..core import names
        if kind == "complaint_channel":
            return _complaint_channels()
        return {"channel": lambda: names.channel_names(), "department": lambda: names.department_names(rules),
                "service": lambda: names.service_names(rules), "staff": lambda: names.staff_names(rules),
                "status": lambda: names.stage_names()}[kind]()

    def __init__(self, kind: str):
        self.kind = kind

    def convert(self, value, param, ctx):
        if value is None or value == "":
            return value
        desk = ctx.find_object(Desk)
        flag = f"--{param.name}" if param is not None else None
        return self.vocabulary(self.kind, desk.rules).resolve(value, flag)


# --- reading ----------------------------------------------------------------------------

def work_tree(desk):
    """The work tree's record files, asked of Git once a command (store.WorkTree)."""
    if getattr(desk, "_tree", None) is None:
        from ..repo.store import WorkTree
        desk._tree = WorkTree(desk.root)
    return desk._tree


def kept_rows(desk, day, moment, parts: tuple, kind: str, *modules: str, save_on_move: bool = True):
    """What is kept of a whole-ledger table for this question (repo.kept_rows), when the index may be used:
    read, with the `modules` that patch it, while Git says what changed. None with no cache."""
    if not desk.use_cache or not gitio.is_repo(desk.root):
        return None
    from ..repo.kept_rows import KeptRows
    tree = work_tree(desk)
    tree.start()
    kept = KeptRows(desk.root, tree, desk.in_time, day, moment, parts, kind)
    kept.save_on_move = save_on_move
    kept.prefetch(*modules)
    return kept


def read_ledger(desk, today, rev=None, rules=None, now=None, in_time=None, before_judge=None, keep_state=None,
                stood=False):
    """The ledger judged as of `today` (as of its end) or of the moment `now`, from the index where it holds
    (DESIGN §10); roles and head deductions judged by the rules as they stood on each day. `before_judge`,
    `stood` (each record as it stood at the end of `today`): see repo.index.load_ledger."""
    from ..repo.index import load_ledger     # the index and the judging: only in commands that read the ledger
    in_time = in_time or (desk.in_time if rules is None and rev is None else None)
    listed = work_tree(desk).listed() if rev is None and gitio.is_repo(desk.root) else None
    return load_ledger(desk.root, rules or desk.rules, today, rev=rev, use_cache=desk.use_cache, in_time=in_time,
                       now=now, listed=listed, before_judge=before_judge, keep_state=keep_state, stood=stood)


def answer(desk, today, parts: tuple, compute, rev=None, rules=None):
    """compute(): a pure function of the ledger that read_ledger(desk, today, rev, rules) gives and of
    `parts` (the command and its arguments), kept under .shouwen/ by what it follows from (repo.answers),
    so the same question about the same ledger on the same day is answered without reading it again.
    compute() returns answers.Volatile(value) for a value that holds for this moment only (an hour clock).
    `rev`: a commit's full id (its records and, unless `rules` are given, its rules)."""
    from ..repo.answers import cached, fingerprint, generation
    if not desk.use_cache or not gitio.is_repo(desk.root):
        return cached(desk.root, None, compute)
    in_time = desk.in_time if rules is None and rev is None else None
    # the work tree's rules by their bytes: read as rules only when the answer must be worked out
    if rev is not None and rules is None:
        rules = f"commit {rev}"       # a commit's ledger is judged by its own rules: its id names them too
    gen = generation(rules or fingerprint(desk.root), today, in_time, rev if rev is not None else work_tree(desk))
    return cached(desk.root, (gen, parts) if gen else None, compute)


def parse_moment(value: str | None, name: str = "--now") -> datetime | None:
    """A moment given on the command line (Beijing time unless it says otherwise)."""
    if value in (None, ""):
        return None
    d = typed_moment(value)
    if d is None:
        raise InputError(f"时间{quoted(value)}格式不对（{name} 应如 2026年11月28日 21:30 或 2026-11-28T21:30）")
    return d.astimezone(CST)
