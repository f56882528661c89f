"""`export` and `import`: the 首问登记簿 as Excel (.xlsx) or CSV, both ways (DESIGN §8)."""
from __future__ import annotations

import functools
import hashlib
import os
from datetime import date, datetime

import click

from .context import answer, kept_rows, parse_day, pass_desk, read_ledger, today_cst
from .outputs import refuse_agency_output, write_output
from ..publish.ledger_table import read_table
from .progress import Progress
from ..core.clock import zh_day
from ..core.ids import make_id, new_code, record_path
from ..core.lookup_key import with_key
from ..publish.ledger_io import (RowError, csv_file, csv_line, in_ledger, record_from_row,
                                 register_html, row_cells, row_key, rows)
from ..core.problems import ERROR, InputError
from ..core.record import CST, Record, dump, local_day, to_datetime
from ..core.validate import check_id, check_inquiry
from ..core.roles import require
from ..core.sanity import import_time_problems
from ..repo.writer import commit_new_files, next_seq
from ..core.quote import quoted


def _period(frm, to, quarter):
    if quarter:
        from ..core.assessment import parse_quarter, quarter_span
        parsed = parse_quarter(quarter)
        if parsed is None:
            raise InputError(f"季度{quoted(quarter)}格式不对，应为 YYYYQn（如 2026Q3）或 2026年第三季度")
        return quarter_span(*parsed)
    return parse_day(frm, "--from") or date(1900, 1, 1), parse_day(to, "--to") or date(9999, 12, 31)


@click.command("export")
@click.option("-o", "--output", "outputs", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="输出文件：.xlsx、.csv，或可打印的 .html（A4 横向）；可多次")
@click.option("--from", "frm", metavar="日期", help="登记日期起（含）")
@click.option("--to", "to", metavar="日期", help="登记日期止（含）")
@click.option("--quarter", metavar="季度", help="某季度")
@pass_desk
def export_cmd(desk, outputs, frm, to, quarter):
    """导出首问登记簿（Excel 或 CSV）：发问人、事由、被问责任人、办理结果或衔接情况、期限……含个人信息，仅供内部使用。"""
    start, end = _period(frm, to, quarter)
    for out in outputs:
        if not out.lower().endswith((".xlsx", ".csv", ".html")):
            raise InputError(f"{out}：只支持 .xlsx、.csv 和 .html")
        refuse_agency_output(desk.root, out, personal=True)     # a ledger of personal data: not in the repo's data or site/
    def registered():
        from ..repo.index_rows import one_at_a_time
        led = read_ledger(desk, day)
        with Progress("导出登记簿") as progress:     # each state made to be looked at, then let go
            return rows([e for e in one_at_a_time(led.entries + led.voided) if e.state is not None and
                         e.state.registered_at is not None and start <= local_day(e.state.registered_at) <= end],
                        desk.rules, progress)

    def made(kind):
        """(rows, the file's bytes): a pure function of the ledger and the period, kept (repo.answers)."""
        data = answer(desk, day, ("export", start, end), registered)
        return len(data), register_html(data, desk.rules.institution, period).encode("utf-8")
    day = today_cst()
    period = "" if (frm, to, quarter) == (None, None, None) else f"{zh_day(start)}至{zh_day(end)}"
    for out in outputs:
        kind = out.lower().rsplit(".", 1)[1]
        if kind in ("csv", "xlsx"):     # from the rows kept (as the file holds them), not kept again whole
            n, payload = _kept_export(desk, day, start, end, kind)
        else:
            n, payload = answer(desk, day, ("export-file", kind, start, end, period), lambda: made(kind))
        write_output(out, payload)
        click.echo(f"已导出 {n} 件到 {out}（含来访人个人信息，请妥善保管）")


def _kept_export(desk, day, start, end, kind: str) -> tuple[int, bytes | list]:
    """(rows, the file's bytes or its pieces) of the matters registered from `start` to `end`, as CSV or a
    workbook: from the rows kept for an earlier state of the ledger, patched for the records changed since
    (repo.kept_rows), else from the whole ledger (and kept)."""
    from ..publish import ledger_xlsx, row_runs
    from ..repo.answers import package_stamp
    line = {"csv": csv_line, "xlsx": ledger_xlsx.row_xml}[kind]
    # read while Git says what changed; the CSV's tens of megabytes are patched again from an older commit
    # rather than written at every commit, the workbook's runs (a few megabytes) are kept for every commit
    kept = kept_rows(desk, day, None, (kind, start, end, package_stamp()), "export",
                     "..publish.row_runs", "..core.ledger", ".store", save_on_move=kind == "xlsx")

    def whole(value):
        return len(value.keys), csv_file(value) if kind == "csv" else ledger_xlsx.workbook(value)
    if kept is not None:
        def patch(value, entries, rules):
            return row_runs.patch(value, {p: (row_key(e), line(row_cells(e, rules)))
                                         if e is not None and in_ledger(e, start, end) else None
                                         for p, e in entries.items()})
        value = kept.patched(lambda: desk.rules, patch)
        if isinstance(value, row_runs.Runs) and value.form == kind:
            return whole(value)
    from ..repo.index_rows import let_go, one_at_a_time
    rules = desk.rules
    led = read_ledger(desk, day)
    # one entry's state (and events) held at a time: a quarter of a large ledger is tens of thousands of rows
    todo = sorted(((row_key(e), e) for e in one_at_a_time(led.entries + led.voided) if in_ledger(e, start, end)),
                  key=lambda pair: pair[0])
    items = []
    with Progress("导出登记簿") as progress:
        for n, (key, e) in enumerate(todo, 1):
            progress(n, len(todo))
            items.append((e.record.path, key, let_go(line(row_cells(e, rules)), e)))
    value = row_runs.build(kind, items)
    if kept is not None:
        kept.keep(rules, value)
    return whole(value)


def _sighting(rec) -> tuple | None:
    """What tells a matter without an id apart in a register: its minute, first responder, visitor and matter."""
    at = to_datetime(rec.events[0].get("at")) if rec.events and isinstance(rec.events[0], dict) else None
    visitor = rec.meta.get("visitor")
    text = lambda v: v if isinstance(v, str) else None      # a record check sets aside holds any YAML value
    return (at.astimezone(CST).replace(second=0, microsecond=0) if at else None, text(rec.meta.get("first_responder")),
            text(visitor.get("name")) if isinstance(visitor, dict) else None, text(rec.meta.get("matter")))


def _read_rows(desk, rules, table, existing, errors, now, progress, ledger_entries=()):
    """The spreadsheet's rows as new records, each checked; what is wrong goes to `errors` by row number,
    and rows already in the ledger (a re-imported export, or a register imported before) are counted, not
    read again."""
    @functools.cache
    def known() -> set:              # read only when a row has no id; each header read once and let go
        from ..repo.index_rows import let_go
        return {let_go(_sighting(e.record), e) for e in ledger_entries}
    taken: dict = {}
    in_file: dict = {}                  # id -> the row that has it
    records, skipped = [], 0
    for i, row in enumerate(table, 1):
        n = getattr(row, "number", i + 1)       # as the spreadsheet numbers it (row 1 the header, if no title)
        progress(i, len(table))
        try:
            rec = record_from_row(row, rules, new_code)
        except RowError as e:
            errors.append(f"第 {n} 行 字段 {e.column}：{e}")
            continue
        rid = rec.meta["id"]
        if not rid and _sighting(rec) in known():
            skipped += 1                  # a hand-kept row without an id, in the ledger already (imported before)
            continue
        if not rid:
            at = to_datetime(rec.events[0]["at"])
            day, badge = local_day(at), rec.meta["first_responder"]
            seq = max(next_seq(desk.root, day, badge), taken.get((day, badge), 0) + 1)
            try:
                rid = make_id(day, badge, seq)
            except InputError as e:         # the person's day holds 999 matters already
                errors.append(f"第 {n} 行 字段 登记日期：{e}")
                continue
            taken[(day, badge)] = seq
            rec.meta["id"] = rid
        if rid in in_file:
            errors.append(f"第 {n} 行 字段 事项编号：{rid} 与第 {in_file[rid]} 行的编号相同，一件事项只能占一行")
            continue
        in_file[rid] = n
        if rid in existing:
            if existing[rid] == rec.meta.get("code"):
                skipped += 1              # this very matter is in the ledger already (a re-imported export)
            else:
                errors.append(f"第 {n} 行 字段 事项编号：{rid} 已在登记簿中，但查询码不同，是另一件事项")
            continue
        # checked without its lookup key (an optional field): the key is derived only for a file to be written
        rec = Record(record_path(rid), {"id": rid, **{k: v for k, v in rec.meta.items() if k != "id"}}, rec.body)
        probs = [p for p in check_id(rec) + check_inquiry(rec, rules)[0] if p.severity == ERROR]
        probs += import_time_problems(rec, rules.policy, now)
        if probs:
            errors += [f"第 {n} 行 [{rid}] 字段 {p.field or ''}：{p.message}（{p.code}）" for p in probs]
            continue
        records.append(rec)
    progress(len(table), len(table))
    return records, skipped


@click.command("import")
@click.argument("path", metavar="文件", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--as", "as_badge", metavar="工号")
@pass_desk
def import_cmd(desk, path, dry_run, as_badge):
    """导入首问登记簿（.xlsx 或 .csv）：先逐行检查，有任何一行不对就什么也不写，并按行号列出问题。"""
    rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    require(rules, by, "import")
    table = read_table(path)
    now = datetime.now(CST)
    led = read_ledger(desk, today_cst())
    from ..repo.index_rows import let_go
    existing = {e.record.id: let_go(e.record.meta.get("code"), e) for e in led.entries + led.voided if e.record.id}
    errors: list = []
    with Progress("检查登记簿") as progress:
        records, skipped = _read_rows(desk, rules, table, existing, errors, now, progress,
                                      led.entries + led.voided)
    if errors:
        for e in errors:
            click.echo(f"错误：{path} {e}", err=True)
        raise InputError(f"{path}：{len(errors)} 处问题，未导入任何记录")
    already = f"，{skipped} 行已在登记簿中，跳过" if skipped else ""
    if dry_run:
        click.echo(f"检查通过：{path} 共 {len(records)} 件可以导入{already}（去掉 --dry-run 即写入）")
        return
    if not records and skipped:
        click.echo(f"{path} 的 {skipped} 行都已在登记簿中，没有新的事项，未写入任何内容")
        return
    if not records:
        raise InputError(f"{path} 中没有可导入的行")
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    _derive_keys(records, rules.policy.lookup_rounds)
    # each record says where it came from: its events keep their authors and dates, marked as imported
    for rec in records:
        events = rec.meta.pop("events")
        rec.meta["imported"] = {"ledger": os.path.basename(path), "sha256": digest, "by": by, "events": len(events)}
        rec.meta["events"] = events
    files = {r.path: dump(r.meta, r.body) for r in records}
    # the commit is the evidence of the import: which file (by its digest), how many rows, who imported it
    commit_new_files(desk.root, rules, files, by, f"导入首问登记簿 {os.path.basename(path)}：{len(records)} 件",
                     {"Shouwen-Action": "imported", "Shouwen-Import": os.path.basename(path),
                      "Shouwen-Import-SHA256": digest, "Shouwen-Import-Rows": str(len(records)), "Shouwen-Importer": by})
    click.echo(f"已导入 {len(records)} 件（一次提交；登记簿 SHA-256 {digest[:16]}…）{already}")


def _derive_keys(records: list, rounds: int) -> None:
    """Each record's lookup key (PBKDF2, about 12 ms at 50,000 rounds) on every core: hashlib lets go of the
    GIL while it derives, so threads are enough."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for rec, meta in zip(records, pool.map(lambda r: with_key(r.meta, rounds), records)):
            rec.meta = meta


COMMANDS = [export_cmd, import_cmd]
