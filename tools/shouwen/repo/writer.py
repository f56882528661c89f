"""The one writer path (DESIGN §9).

load -> append one event -> validate the whole record -> write atomically -> commit that one
file as the acting staff member with trailers, all under a lock. Invalid input writes nothing;
a failed commit leaves no changed file behind.
"""
from __future__ import annotations

import copy
import os
from dataclasses import replace
from datetime import datetime

from . import gitio, signing
from .gitio.log import person, plain_person
from ..core import phones
from ..core.corrections import fold_corrections
from ..core.deadlines import inquiry_deadlines
from ..core.accountability import ACCOUNT_EVENTS, read_account
from ..core.accountability import ACTION_ZH as ACCOUNT_ZH
from ..core.fold import ACTION_ZH
from ..core.ledger import SKEW_TOLERANCE
from ..core.lookup_key import ITERATIONS, key_fields
from ..core.ids import CODE_RE, make_id, new_code, parse_id, record_path, typed_id
from ..core.problems import ERROR, InputError, NotFound, Problem
from ..core.record import CST, Record, dump, local_day, to_datetime, zh_moment
from ..core.sanity import event_time_problems, is_late_entry
from ..core.roles import record_role_problems
from ..core.rules import Rules
from .journal import BusyError, journaled, lock, write_atomic
from . import store
from .store import read_one
from ..core.validate import check_inquiry, well_typed, written_now
from ..core.quote import quoted

__all__ = ["BusyError", "lock", "append_event", "register", "register_account", "commit_new_files"]

# Codes refused at write time on top of the record checks: the CLI won't record a promise
# past the service's limit or an extension after the old due date.
WRITE_TIME_DEADLINE_CODES = {"promise-exceeds-limit", "extension-late"}


def now() -> datetime:
    """The event time, read under the lock so that events of one clone are in commit order."""
    return datetime.now(CST).replace(microsecond=0)


def check_clock(at: datetime, path: str | None = None, rid: str | None = None, field: str = "--at") -> None:
    """Refuse an event time ahead of this machine's clock: a future event would block every later one."""
    current = now()
    if at - current > SKEW_TOLERANCE:
        msg = (f"事件时间 {zh_moment(at)} 晚于现在（本机时间 {zh_moment(current)}），不能记录将来的事件"
               f"（若本机时钟不准，请先校准）")
        raise InputError(msg, [Problem("clock-skew", msg, path=path, record=rid, field=field)])


def _identity(rules: Rules, badge: str) -> dict:
    s = rules.staff[badge]
    email = s.emails[0] if s.emails else f"{badge.lower()}@shouwen.invalid"
    return {"GIT_AUTHOR_NAME": s.name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": s.name, "GIT_COMMITTER_EMAIL": email}


def _people(env: dict, at: datetime | None) -> bytes | None:
    """The author and committer lines `git commit` writes under this environment (`at`: else now, in this
    machine's time zone, as git stamps it); None for a name git would trim, or dates set in the environment
    for git to read (then git commits it)."""
    if not plain_person(env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"]) or (
            at is None and (os.environ.get("GIT_AUTHOR_DATE") or os.environ.get("GIT_COMMITTER_DATE"))):
        return None
    when = at or datetime.now().astimezone()
    return b"author %s\ncommitter %s\n" % (person(env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"], when),
                                           person(env["GIT_COMMITTER_NAME"], env["GIT_COMMITTER_EMAIL"], when))


def commit_file(root: str, rules: Rules, relpath: str, text: str, by: str, subject: str,
                trailers: dict, at: datetime | None = None):
    """Write one file and commit it alone."""
    return commit_files(root, rules, {relpath: text}, by, subject, trailers, at)


def commit_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict,
                 at: datetime | None = None, looked: bool = False) -> str:
    """Write these files and commit them, and nothing else, as `by`; on any failure put the old bytes back.

    Git processes: one `config` (signing, hooks), one `status` (nothing unfinished in these paths), then the
    commit of these paths alone (`--only` semantics): `gitio.commit_only` (hash-object, fast-import,
    update-index, maintenance: no refresh of every file's stat data), or `git commit` itself (with `add`
    for new files) where it signs or runs hooks.
    The commit skips the pre-commit hook (`--no-verify`) on purpose: the hook (`check --staged`) would judge
    the very record `validate_new` has just judged in this process under the same rules, plus each other
    staged file's id, and none is staged here (the commit names its paths, through a private index).
    Running it would add a Python start and a read of the rules to every write to learn nothing new; a
    commit made by hand, which nobody has validated, still goes through it."""
    cfg = gitio.write_config(root)
    sign = signing.commit_args(root, rules, by, cfg)     # refuses before anything is written
    if not looked:          # `looked`: the caller asked Git under the lock already (rewrite_files)
        refuse_unclean(root, list(files))
    new = [rel for rel in files if not os.path.lexists(os.path.join(root, rel))]
    env = _identity(rules, by)
    if at is not None:
        env["GIT_AUTHOR_DATE"] = at.isoformat()
        env["GIT_COMMITTER_DATE"] = at.isoformat()
    msg = commit_message(subject, trailers)
    before = gitio.head(root)
    try:
        with journaled(root, list(files)) as index:
            for rel, text in files.items():
                write_atomic(root, rel, text.encode("utf-8"))
            people = _people(env, at)
            if sign or people is None or not gitio.commit_only(root, list(files), people, msg.encode(), index, cfg):
                if new:
                    gitio.git(root, "add", "--", *new, env=index)
                gitio.git(root, *sign, "commit", "-q", "--no-verify", "-F", "-", "--", *files, input=msg.encode(),
                          env={**env, **index})
    except gitio.GitError as e:
        raise InputError(f"提交失败，未写入任何内容：{e}")
    after = gitio.head(root)
    if not any(rel == "rules" or rel.startswith("rules/") for rel in files):
        from .rules_history import followed
        followed(root, before, after)
    return after


def unclean(root: str, rels: list[str]) -> list[str]:
    """Those of the files that differ from HEAD, in the work tree or the index."""
    out = gitio.git(root, "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--", *rels)
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


def refuse_unclean(root: str, rels: list[str]) -> None:
    """A file that differs from HEAD (in the work tree or the index) holds someone's unfinished change:
    writing it would sweep that change into this commit under this person's name."""
    dirty = unclean(root, rels)
    if dirty:
        rel = dirty[0]
        raise InputError(f"{rel} 有未提交的改动（上次写入中断或被手工修改），为免混入本次提交，未写入任何内容；"
                         f"请先核对：git status -- {rel}")


def commit_message(subject: str, trailers: dict) -> str:
    """A commit's message as Git keeps it (already cleaned up as `git commit` would, so that a history
    written through `git fast-import` holds the very same bytes)."""
    return "\n".join([subject.rstrip(), ""] + [f"{k}: {v}".rstrip() for k, v in trailers.items()]) + "\n"


def event_subject(rules: Rules, record_id: str, event: dict) -> str:
    action = event["action"]
    subject = f"{ACTION_ZH.get(action) or ACCOUNT_ZH[action]} {record_id}"
    if event.get("to"):
        subject += f" → {rules.who(event.get('staff') or event['to'])}"
    return subject


def inquiry_meta(rid: str, code: str, by: str, at: datetime, visitor: dict, matter: str, channel: str,
                 service: str | None, late_reason: str | None = None, key: str | None = None,
                 rounds: int = ITERATIONS) -> dict:
    """A new inquiry's header and first event. The lookup key is derived here, once, with the agency's rounds,
    and kept in the record (core.lookup_key), so no site build derives it; `key`: already derived (the demo
    derives on every core)."""
    meta = {"id": rid, "code": code, **key_fields(rid, code, rounds, key), "channel": channel,
            "first_responder": by,
            "visitor": {k: v for k, v in visitor.items() if v not in (None, "")}, "matter": matter}
    if service:
        meta["service"] = service
    meta["events"] = [{"at": at, "by": by, "action": "registered",
                       **({"late_reason": late_reason} if late_reason else {})}]
    return meta


def inquiry_subject(rid: str, matter: str) -> str:
    return f"登记 {rid}：{matter[:40]}"


def account_meta(rid: str, by: str, at: datetime, meta: dict, first_event: dict) -> dict:
    return {"id": rid, **{k: v for k, v in meta.items() if v not in (None, "", [], {})},
            "events": [{"at": at, "by": by, **first_event}]}


def account_subject(kind: str, rid: str, meta: dict) -> str:
    summary = meta.get("summary") or meta.get("staff") or meta.get("department") or ""
    return f"{ACCOUNT_TITLE[kind]} {rid}：{str(summary)[:40]}"


def _refuse(problems: list[Problem]):
    errs = [p for p in problems if p.severity == ERROR]
    if errs:
        raise InputError("记录未写入：" + errs[0].message, errs)


def _problems(rec: Record, rules: Rules) -> list[Problem]:
    if rec.kind in ACCOUNT_EVENTS:
        return read_account(rec, rules)[1]
    return check_inquiry(rec, rules)[0]


def _as_read(rec: Record) -> Record | None:
    """The record with its corrections applied (what `check` and every view judge), or None when it has
    none or its own values are not yet well typed."""
    if not well_typed(rec):
        return None
    meta = fold_corrections(rec.meta)[0]
    return None if meta is rec.meta else Record(rec.path, meta, rec.body)


def validate_new(rec: Record, rules: Rules, new_index: int | None = None, before: Record | None = None,
                 now: datetime | None = None, rules_on=None) -> None:
    """Refuse the write when it brings a new error (what `check` or the audit would call one). Errors the
    record already had (a conflict two desks made at once, reported by `check`) do not make it unwritable:
    the next event is how they are resolved. `now`: the commit's time (the clock when not given; the demo
    passes the simulated time it commits at). `rules_on(day)`: the rules as they stood on the event's day,
    for who may do it (a late entry is judged by the roster of its day)."""
    for r in (before, rec, _as_read(rec)):
        if r is not None and (not well_typed(r) or r.kind not in ACCOUNT_EVENTS and check_inquiry(r, rules)[1] is None):
            # a record set aside (a value of the wrong type) takes no event until it is mended; as it reads
            # after its corrections too, so no correction sets it aside (a later correction may mend one)
            _refuse(_problems(r, rules) or [Problem("field-invalid", "记录无法解读", path=r.path)])
    _refuse(phones.brought(_as_read(rec) or rec, before and (_as_read(before) or before)))   # a phone no one can call
    # who may do this (rules/policy.yml permissions), and no verdict in one's own line of report
    index = new_index if new_index is not None else len(rec.events) - 1
    _refuse([p for p in record_role_problems(rec, rules_on or (lambda day: rules)) if p.field == f"events[{index}].by"])
    _refuse(event_time_problems(rec, index, rules.policy, now or datetime.now(CST)))
    known = set(_problems(before, rules)) if before is not None else set()
    probs = [written_now(p, before, rec, index, rules) for p in _problems(rec, rules)]
    _refuse([p if p.severity == ERROR else replace(p, severity=ERROR) for p in probs
             if p not in known and (p.severity == ERROR or p.code == "event-conflict")])
    if rec.kind in ACCOUNT_EVENTS or new_index is None:
        return
    probs, state = check_inquiry(rec, rules)
    if state is None:
        return
    service = rules.service_for(rec.meta.get("service"))
    today = local_day(to_datetime(rec.events[new_index]["at"]))
    _, dprobs = inquiry_deadlines(rec.id, rec.path, rec.events, state, service, rules, today)
    _refuse([p for p in dprobs if p.code in WRITE_TIME_DEADLINE_CODES
             and (p.field or "").startswith(f"events[{new_index}]")])


def _roster_of(root: str, rules: Rules, at: datetime, commit_at: datetime | None):
    """The rules as they stood on the day of an event entered late (补录): who held which post then. An
    event of today (or one the demo commits at its own time) is judged by today's rules, read no further."""
    if local_day(at) >= local_day(commit_at or now()):
        return None
    from .rules_history import RulesInTime
    return RulesInTime(root, rules).on


def load_for_write(root: str, record_id: str) -> Record:
    """The record to write to, by its id, or by `id.查询码` where one id names two matters (one badge used
    on two PCs the same day: sync keeps the second as <id>.<code>.md). An ambiguous id is refused, so no
    event lands in the other matter's file."""
    record_id = typed_id(record_id)
    rid, _, code = record_id.partition(".")
    if parse_id(rid) is None or (code and not CODE_RE.fullmatch(code)):
        raise NotFound(f"编号{quoted(record_id)}格式不对，应为 YYYYMMDD-工号-序号（如 20261127-J017-003）")
    rel = record_path(rid)
    folder = os.path.dirname(os.path.join(root, rel))
    twins = sorted(n for n in (os.listdir(folder) if os.path.isdir(folder) else [])
                   if n.startswith(rid + ".") and n.endswith(".md") and n != rid + ".md")
    if code:
        if f"{rid}.{code}.md" in twins:
            rel = rel[:-3] + f".{code}.md"
        elif not (os.path.exists(os.path.join(root, rel)) and read_one(root, rel).meta.get("code") == code):
            raise NotFound(f"找不到编号 {rid}、查询码 {code} 的事项")
    elif twins:
        raise InputError(f"编号 {rid} 对应两件事项（同一工号在两台电脑上同一天登记，同步时都已保留）：{rel}、"
                         f"{'、'.join(twins)}。请核对回执上的查询码，用 {rid}.查询码 指定要办理的那一件")
    full = os.path.join(root, rel)
    if not os.path.lexists(full):
        raise NotFound(f"找不到事项 {record_id}（{rel} 不存在）")
    rec = read_one(root, rel)
    if rec.problems:
        raise InputError(f"{rel} [{record_id}] 无法读取：{rec.problems[0].message}", rec.problems)
    return rec


def append_event(root: str, rules: Rules, record_id: str, event: dict, commit_at: datetime | None = None) -> Record:
    record_id = typed_id(record_id)
    with lock(root):
        rec = load_for_write(root, record_id)
        if rec.noncanonical is not None:
            # appending would silently rewrite a hand-made layout; it is mended on purpose, by `fmt`
            raise InputError(f"{rec.path} [{record_id}] 不是规范格式，未写入；请先运行 shouwen fmt", [rec.noncanonical])
        event = dict(event)
        if event.get("at") is None:
            event["at"] = now()
        check_clock(event["at"], rec.path, record_id)
        if not is_late_entry(to_datetime(event["at"]), rules.policy, commit_at or now()):
            event.pop("late_reason", None)
        _refuse_after_skewed(rec, event["at"])
        meta = copy.deepcopy(rec.meta)
        meta["events"] = list(meta.get("events") or []) + [event]
        new = Record(rec.path, meta, rec.body)
        validate_new(new, rules, len(meta["events"]) - 1, before=rec, now=commit_at,
                     rules_on=_roster_of(root, rules, event["at"], commit_at))
        commit_file(root, rules, rec.path, dump(meta, rec.body), event["by"], event_subject(rules, record_id, event),
                    {"Shouwen-Record": rec.id or record_id, "Shouwen-Action": event["action"]}, commit_at)
        return new


def _refuse_after_skewed(rec: Record, at: datetime) -> None:
    """An earlier event stamped ahead of this clock (a desk whose clock is fast): say so, not just "out of order"."""
    times = [t for t in (to_datetime(e.get("at")) for e in rec.events if isinstance(e, dict)) if t is not None]
    last = max(times, default=None)
    if last is not None and last > at and last - now() > SKEW_TOLERANCE:
        msg = (f"该事项已有一条时间为 {zh_moment(last)} 的事件，晚于本机当前时间；可能是记录它的电脑时钟快了。"
               f"请校准那台电脑的时钟，并由首问责任人核对（shouwen check 报告 clock-skew）")
        raise InputError(msg, [Problem("clock-skew", msg, path=rec.path, record=rec.id, field="events")])


def next_seq(root: str, day, badge: str, kind: str = "inquiries", prefix: str = "") -> int:
    folder = os.path.join(root, "records", kind, f"{day:%Y}", f"{day:%m}")
    stem = make_id(day, badge, 0, prefix)[:-3]
    taken = [int(n[len(stem):len(stem) + 3]) for n in (os.listdir(folder) if os.path.isdir(folder) else [])
             if n.startswith(stem) and n[len(stem):len(stem) + 3].isdecimal()]
    return max(taken, default=0) + 1


def register(root: str, rules: Rules, by: str, at: datetime | None, visitor: dict, matter: str, channel: str,
             service: str | None = None, body: str = "", rng=None, commit_at: datetime | None = None,
             late_reason: str | None = None) -> Record:
    with lock(root):
        at = at or now()
        check_clock(at)
        day = local_day(at)
        rid = make_id(day, by, next_seq(root, day, by))
        if not is_late_entry(at, rules.policy, commit_at or now()):
            late_reason = None
        meta = inquiry_meta(rid, new_code(rng), by, at, visitor, matter, channel, service, late_reason,
                            rounds=rules.policy.lookup_rounds)
        rec = Record(record_path(rid), meta, body)
        validate_new(rec, rules, now=commit_at, rules_on=_roster_of(root, rules, at, commit_at))
        commit_file(root, rules, rec.path, dump(meta, body), by, inquiry_subject(rid, matter),
                    {"Shouwen-Record": rid, "Shouwen-Action": "registered"}, commit_at)
        return rec


ACCOUNT_PREFIX = {"complaints": "TS", "inspections": "JC", "commendations": "BY", "reports": "HB"}
ACCOUNT_TITLE = {"complaints": "投诉登记", "inspections": "检查记录", "commendations": "表扬", "reports": "书面情况汇报"}


def register_account(root: str, rules: Rules, kind: str, by: str, at: datetime | None, meta: dict, first_event: dict,
                     body: str = "", commit_at: datetime | None = None) -> Record:
    """A new complaint (TS-), inspection (JC-) or commendation (BY-), through the same path as an inquiry."""
    with lock(root):
        at = at or now()
        check_clock(at)
        day = local_day(at)
        prefix = ACCOUNT_PREFIX[kind]
        rid = make_id(day, by, next_seq(root, day, by, kind, prefix), prefix)
        if not is_late_entry(at, rules.policy, commit_at or now()):
            first_event = {k: v for k, v in first_event.items() if k != "late_reason"}
        full = account_meta(rid, by, at, meta, first_event)
        rec = Record(record_path(rid), full, body)
        validate_new(rec, rules, now=commit_at, rules_on=_roster_of(root, rules, at, commit_at))
        commit_file(root, rules, rec.path, dump(full, body), by, account_subject(kind, rid, meta),
                    {"Shouwen-Record": rid, "Shouwen-Action": first_event["action"]}, commit_at)
        return rec


def rewrite_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict) -> str | None:
    """Existing records rewritten in one commit (`fmt`: the same data in the writer's form); None when nothing is
    left to commit. A record with an uncommitted hand edit is taken only where that edit changed its layout alone
    (its data is HEAD's): a change of content never goes into a commit under the name of whoever runs fmt. One
    that comes back to HEAD's very bytes is only put back."""
    from ..core.canonical_check import canonical_text
    files = dict(files)
    with lock(root):
        edited = unclean(root, list(files))
        held = dict(gitio.tree_blobs(root, "HEAD", *edited)) if edited else {}
        was = gitio.cat_files(root, list(held.values()))
        for rel in edited:
            data, rid = was.get(held.get(rel)), os.path.basename(rel)[:-len(".md")]
            if data is None:
                raise InputError(f"{rel} [{rid}] 是手工新建、尚未提交的记录：shouwen fmt 不会把它记在你的名下；"
                                 f"未写入任何内容，请交由管理员核对（git status -- {rel}）")
            if canonical_text(store.parse_checked(rel, data)) != files[rel]:
                raise InputError(f"{rel} [{rid}] 有未提交的手工改动，改的是内容而不只是排版：shouwen fmt 只改写排版，"
                                 f"不会把内容的改动记在你的名下；未写入任何内容，请交由管理员核对（git diff -- {rel}）")
            if data == files[rel].encode("utf-8"):
                write_atomic(root, rel, data)
                del files[rel]
        return commit_files(root, rules, files, by, subject, trailers, looked=True) if files else None


def commit_new_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict) -> str:
    """Several new files in one commit (a bulletin with its charts, an imported ledger); never an overwrite."""
    with lock(root):
        clash = [rel for rel in files if os.path.exists(os.path.join(root, rel))]
        if clash:
            raise InputError(f"{clash[0]} 已存在；已发布的内容不能改写")
        return commit_files(root, rules, files, by, subject, trailers)
