"""The one writer path (DESIGN §9).

load -> append one event -> validate the whole record -> write atomically -> commit that one
file as the acting staff member with trailers, all under a lock. Invalid input writes nothing;
a failed commit leaves no changed file behind.
"""
from __future__ import annotations

import copy
import fcntl
import os
import time
from contextlib import contextmanager
from datetime import datetime

from . import gitio, signing
from ..core.deadlines import inquiry_deadlines
from ..core.accountability import ACCOUNT_EVENTS, read_account
from ..core.accountability import ACTION_ZH as ACCOUNT_ZH
from ..core.fold import ACTION_ZH
from ..core.ids import make_id, new_code, parse_id, record_path
from ..core.problems import ERROR, InputError, Problem
from ..core.record import CST, Record, dump, local_day, to_datetime
from ..core.sanity import event_time_problems
from ..core.roles import record_role_problems
from ..core.rules import Rules
from .store import read_one
from ..core.validate import check_inquiry

# Codes refused at write time on top of the record checks: the CLI won't record a promise
# past the service's limit or an extension after the old due date.
WRITE_TIME_DEADLINE_CODES = {"promise-exceeds-limit", "extension-late"}


class BusyError(Exception):
    """Another writer holds the lock, or the repository is mid-merge: exit 3."""


@contextmanager
def lock(root: str, wait: float = 15.0):
    d = os.path.join(root, ".shouwen")
    os.makedirs(d, exist_ok=True)
    fh = open(os.path.join(d, "lock"), "w")
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BusyError("仓库正忙：另一个 shouwen 命令正在写入，请稍后再试")
                time.sleep(0.05)
        gitdir = gitio.git(root, "rev-parse", "--git-dir").strip()
        gitdir = gitdir if os.path.isabs(gitdir) else os.path.join(root, gitdir)
        if os.path.exists(os.path.join(gitdir, "MERGE_HEAD")) or os.path.exists(os.path.join(gitdir, "rebase-merge")):
            raise BusyError("仓库正处于合并或变基中，请先解决冲突（git status 查看）")
        yield
    finally:
        fh.close()


def _identity(rules: Rules, badge: str) -> dict:
    s = rules.staff[badge]
    email = s.emails[0] if s.emails else f"{badge.lower()}@shouwen.invalid"
    return {"GIT_AUTHOR_NAME": s.name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": s.name, "GIT_COMMITTER_EMAIL": email}


def _write_atomic(full: str, text: str):
    os.makedirs(os.path.dirname(full), exist_ok=True)
    tmp = f"{full}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, full)


def commit_file(root: str, rules: Rules, relpath: str, text: str, by: str, subject: str,
                trailers: dict, at: datetime | None = None):
    """Write one file and commit it alone."""
    return commit_files(root, rules, {relpath: text}, by, subject, trailers, at)


def commit_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict,
                 at: datetime | None = None) -> str:
    """Write these files and commit them, and nothing else, as `by`; on any failure put the old bytes back."""
    sign = signing.commit_args(root, rules, by)     # refuses before anything is written
    old = {}
    for rel, text in files.items():
        full = os.path.join(root, rel)
        old[rel] = open(full, "rb").read() if os.path.exists(full) else None
        _write_atomic(full, text)
    env = _identity(rules, by)
    if at is not None:
        env["GIT_AUTHOR_DATE"] = at.isoformat()
        env["GIT_COMMITTER_DATE"] = at.isoformat()
    msg = commit_message(subject, trailers)
    try:
        gitio.git(root, "add", "--", *files)
        gitio.git(root, *sign, "commit", "-q", "--no-verify", "-F", "-", "--", *files, input=msg.encode(), env=env)
    except gitio.GitError as e:
        for rel, data in old.items():
            if data is None:
                os.unlink(os.path.join(root, rel))
            else:
                _write_atomic(os.path.join(root, rel), data.decode("utf-8"))
        gitio.git(root, "reset", "-q", "--", *files, check=False)
        raise InputError(f"提交失败，未写入任何内容：{e}")
    return gitio.head(root)


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
                 service: str | None, late_reason: str | None = None) -> dict:
    meta = {"id": rid, "code": code, "channel": channel, "first_responder": by,
            "visitor": {k: v for k, v in visitor.items() if v not in (None, "")}, "matter": matter}
    if service:
        meta["service"] = service
    meta["events"] = [{"at": at, "by": by, "action": "registered",
                       **({"late_reason": late_reason} if late_reason else {})}]
    return meta


def inquiry_subject(rid: str, matter: str) -> str:
    return f"登记 {rid}:{matter[:40]}"


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


def validate_new(rec: Record, rules: Rules, new_index: int | None = None, now: datetime | None = None) -> None:
    """Refuse what `check` or the audit would call an error. `now`: the commit's time (the clock
    when not given; the demo passes the simulated time it commits at)."""
    # who may do this (rules/policy.yml permissions), and no verdict in one's own line of report
    index = new_index if new_index is not None else len(rec.events) - 1
    _refuse([p for p in record_role_problems(rec, lambda day: rules) if p.field == f"events[{index}].by"])
    _refuse(event_time_problems(rec, index, rules.policy, now or datetime.now(CST)))
    if rec.kind in ACCOUNT_EVENTS:
        _, probs = read_account(rec, rules)
        _refuse(probs)
        return
    probs, state = check_inquiry(rec, rules)
    _refuse(probs)
    if state is None or new_index is None:
        return
    service = rules.services.get(rec.meta.get("service") or "")
    today = local_day(to_datetime(rec.events[new_index]["at"]))
    _, dprobs = inquiry_deadlines(rec.id, rec.path, rec.events, state, service, rules, today)
    _refuse([p for p in dprobs if p.code in WRITE_TIME_DEADLINE_CODES
             and (p.field or "").startswith(f"events[{new_index}]")])


def load_for_write(root: str, record_id: str) -> Record:
    if parse_id(record_id) is None:
        raise InputError(f"编号 {record_id!r} 格式不对，应为 YYYYMMDD-工号-序号（如 20261127-J017-003）")
    rel = record_path(record_id)
    full = os.path.join(root, rel)
    if not os.path.exists(full):
        raise InputError(f"找不到事项 {record_id}（{rel} 不存在）")
    rec = read_one(root, rel)
    if rec.problems:
        raise InputError(f"{rel} [{record_id}] 无法读取：{rec.problems[0].message}", rec.problems)
    return rec


def append_event(root: str, rules: Rules, record_id: str, event: dict, commit_at: datetime | None = None) -> Record:
    with lock(root):
        rec = load_for_write(root, record_id)
        if rec.noncanonical is not None:
            # appending would silently rewrite a hand-made layout; it is mended on purpose, by `fmt`
            raise InputError(f"{rec.path} [{record_id}] 不是规范格式，未写入；请先运行 shouwen fmt", [rec.noncanonical])
        meta = copy.deepcopy(rec.meta)
        meta["events"] = list(meta.get("events") or []) + [event]
        new = Record(rec.path, meta, rec.body)
        validate_new(new, rules, len(meta["events"]) - 1, now=commit_at)
        commit_file(root, rules, rec.path, dump(meta, rec.body), event["by"], event_subject(rules, record_id, event),
                    {"Shouwen-Record": record_id, "Shouwen-Action": event["action"]}, commit_at)
        return new


def next_seq(root: str, day, badge: str, kind: str = "inquiries", prefix: str = "") -> int:
    folder = os.path.join(root, "records", kind, f"{day:%Y}", f"{day:%m}")
    stem = make_id(day, badge, 0, prefix)[:-3]
    taken = [int(n[len(stem):len(stem) + 3]) for n in (os.listdir(folder) if os.path.isdir(folder) else [])
             if n.startswith(stem) and n[len(stem):len(stem) + 3].isdigit()]
    return max(taken, default=0) + 1


def register(root: str, rules: Rules, by: str, at: datetime, visitor: dict, matter: str, channel: str,
             service: str | None = None, body: str = "", rng=None, commit_at: datetime | None = None,
             late_reason: str | None = None) -> Record:
    with lock(root):
        day = local_day(at)
        rid = make_id(day, by, next_seq(root, day, by))
        meta = inquiry_meta(rid, new_code(rng), by, at, visitor, matter, channel, service, late_reason)
        rec = Record(record_path(rid), meta, body)
        validate_new(rec, rules, now=commit_at)
        commit_file(root, rules, rec.path, dump(meta, body), by, inquiry_subject(rid, matter),
                    {"Shouwen-Record": rid, "Shouwen-Action": "registered"}, commit_at)
        return rec


ACCOUNT_PREFIX = {"complaints": "TS", "inspections": "JC", "commendations": "BY", "reports": "HB"}
ACCOUNT_TITLE = {"complaints": "投诉登记", "inspections": "检查记录", "commendations": "表扬", "reports": "书面情况汇报"}


def register_account(root: str, rules: Rules, kind: str, by: str, at: datetime, meta: dict, first_event: dict,
                     body: str = "", commit_at: datetime | None = None) -> Record:
    """A new complaint (TS-), inspection (JC-) or commendation (BY-), through the same path as an inquiry."""
    with lock(root):
        day = local_day(at)
        prefix = ACCOUNT_PREFIX[kind]
        rid = make_id(day, by, next_seq(root, day, by, kind, prefix), prefix)
        full = account_meta(rid, by, at, meta, first_event)
        rec = Record(record_path(rid), full, body)
        validate_new(rec, rules, now=commit_at)
        commit_file(root, rules, rec.path, dump(full, body), by, account_subject(kind, rid, meta),
                    {"Shouwen-Record": rid, "Shouwen-Action": first_event["action"]}, commit_at)
        return rec


def rewrite_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict) -> str:
    """Existing files rewritten in one commit (`fmt`: the same data in the writer's form)."""
    with lock(root):
        return commit_files(root, rules, files, by, subject, trailers)


def commit_new_files(root: str, rules: Rules, files: dict, by: str, subject: str, trailers: dict) -> str:
    """Several new files in one commit (a bulletin with its charts, an imported ledger); never an overwrite."""
    with lock(root):
        clash = [rel for rel in files if os.path.exists(os.path.join(root, rel))]
        if clash:
            raise InputError(f"{clash[0]} 已存在；已发布的内容不能改写")
        return commit_files(root, rules, files, by, subject, trailers)
