"""Keeping the ledger evidence: `fmt` (the canonical form), `correct` and `void` (mending by events)."""
from __future__ import annotations

import click

from ..core.canonical_check import canonical_text
from ..core.corrections import DEFAULT_FIELDS, FIELD_ZH, NEVER, correctable, correction_fields, event_words, fold_corrections, get_field
from ..core.names import Vocabulary
from ..core.problems import InputError
from ..repo import store
from ..repo.writer import append_event, load_for_write, rewrite_files
from .context import FORMAT, emit_json, late_option, parse_at, pass_desk, with_late
from .desk import emit_written


@click.command("fmt")
@click.option("--check", "only_check", is_flag=True, help="只列出不是规范格式的记录，不改写（有则退出码为 1）")
@click.option("--as", "as_badge", metavar="工号", help="以该工号的身份提交")
@FORMAT
@pass_desk
def fmt_cmd(desk, only_check, as_badge, fmt):
    """把不是规范格式的记录（手工改动的排版、注释、重复的键……）按 shouwen 的写法改写，作为一次提交。

    内容以解析结果为准：重复的键只保留最后一个，请先核对 shouwen check 指出的内容再改写。"""
    records = store.load_records(desk.root)
    bad = [r for r in records if r.noncanonical is not None]
    broken = [r for r in records if r.problems]
    if fmt == "json":
        emit_json({"noncanonical": [r.path for r in bad], "unreadable": [r.path for r in broken],
                   "rewritten": [] if only_check else [r.path for r in bad]})
    else:
        for r in bad:
            click.echo(r.noncanonical.line())
        for r in broken:
            click.echo(f"无法改写 {r.path}：{r.problems[0].message}（请先修正为可读的 YAML）", err=True)
    if only_check or not bad:
        if fmt != "json":
            click.echo(f"{len(bad)} 件记录不是规范格式" if bad else "所有记录均为规范格式")
        return 1 if bad or broken else 0
    rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    files = {r.path: canonical_text(r) for r in bad}
    sha = rewrite_files(desk.root, rules, files, by, f"规范格式：改写 {len(files)} 件记录",
                        {"Shouwen-Action": "formatted"})
    if fmt != "json":
        click.echo(f"已改写 {len(files)} 件记录为规范格式" + (f"（提交 {sha[:10]}）" if sha else "（与已提交的相同，无需提交）"))
    if broken:
        raise InputError(f"{len(broken)} 件记录无法读取，未改写", [p for r in broken for p in r.problems])
    return 0


def _mend(desk, record_id, as_badge, at, late_reason, fmt, event: dict):
    """Append a `corrected` or `voided` event through the writer (who may: rules/policy.yml permissions);
    the event, or None when --format json has printed the record after it."""
    rules = desk.rules_for_write()
    ev = with_late({"at": parse_at(at), "by": desk.badge(as_badge), **event}, late_reason)
    rec = append_event(desk.root, rules, record_id, ev)
    if fmt == "json":
        return emit_written(rules, rec, event["action"])
    return ev


def _mend_options(f):
    for opt in reversed((click.argument("record_id", metavar="编号"),
                         click.option("--reason", required=True, help="理由（记入事件）"),
                         click.option("--at", "at", help="时间（ISO，默认现在）"),
                         click.option("--as", "as_badge", metavar="工号", help="以该工号的身份操作"), FORMAT,
                         late_option)):
        f = opt(f)
    return f


LEAF_ZH = {"name": "姓名", "phone": "电话", "organization": "单位", "address": "地址"}
# the fields each kind of record has: a clerk's "电话" on an inquiry is the visitor's, on a complaint the complainant's
KIND_FIELDS = {"inquiries": ("visitor.", "matter", "service", "channel"),
                "complaints": ("complainant.", "summary", "inquiry", "channel")}


def field_names(policy_fields, kind: str):
    """The correctable fields of one kind of record, by their Chinese names (发问人电话, 电话, 事由 …) or ids."""
    own = KIND_FIELDS.get(kind)
    entries = {f: (FIELD_ZH.get(f, f), LEAF_ZH.get(f.split(".")[-1], "") if "." in f else "")
               for f in (policy_fields or DEFAULT_FIELDS)
               if f.split(".")[0] not in NEVER and (own is None or f.startswith(own))}
    return Vocabulary("可更正的字段", entries, "rules/policy.yml corrections.fields")


@click.command("correct")
@_mend_options
@click.option("--field", "field_", required=True, metavar="字段", help="要更正的字段：中文名或 id，如 电话（visitor.phone）、发问事由（matter）、办事事项（service）")
@click.option("--value", required=True, help="更正后的值")
@pass_desk
def correct_cmd(desk, record_id, reason, at, as_badge, fmt, late_reason, field_, value):
    """更正登记内容（如写错的电话）：追加一条更正事件，记下原值、新值和理由；记录本身不改写。"""
    rec = load_for_write(desk.root, record_id)
    allowed = desk.rules.policy.correctable
    vocab = field_names(allowed, rec.kind)
    field_ = vocab.find(field_) or field_
    if not correctable(allowed, field_):
        names = "、".join(vocab.label(f) for f in vocab.entries) or "见 README「更正与作废」"
        raise InputError(f"{rec.path} [{record_id}] 字段 {field_}：不能更正（rules/policy.yml corrections.fields 可更正：{names}）")
    now, _, _ = fold_corrections(rec.meta)
    old, new = get_field(now, field_), _value_id(desk.rules, rec.kind, field_, value.strip())
    if old == new:
        raise InputError(f"{rec.path} [{record_id}] 字段 {field_}：新值与现值相同，无需更正")
    ev = _mend(desk, record_id, as_badge, at, late_reason, fmt, correction_fields(field_, old, new, reason.strip()))
    if ev:
        click.echo(f"{record_id}：{event_words(ev)}，已提交")


def _value_id(rules, kind, field_, value):
    """A service or channel typed by its Chinese name is stored by its id, as `new` stores it."""
    from ..core.accountability import COMPLAINT_CHANNELS
    from ..core.names import channel_names, service_names
    if field_ == "service":
        return service_names(rules).resolve(value, "--value")
    if field_ == "channel":
        vocab = (Vocabulary("渠道", {k: (v,) for k, v in COMPLAINT_CHANNELS.items()}) if kind == "complaints"
                 else channel_names())
        return vocab.resolve(value, "--value")
    return value


@click.command("void")
@_mend_options
@pass_desk
def void_cmd(desk, record_id, reason, at, as_badge, fmt, late_reason):
    """作废一件重复或错误的登记：记录保留（可查、可审），但不再计入任何统计、通报和责任追究。"""
    if _mend(desk, record_id, as_badge, at, late_reason, fmt, {"action": "voided", "reason": reason.strip()}):
        click.echo(f"{record_id}：已作废（记录保留，不再计入统计）")


COMMANDS = [fmt_cmd, correct_cmd, void_cmd]
