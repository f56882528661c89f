"""The history audit (DESIGN §11): one streamed `git log -p` pass over records/ and bulletins.

Events are one line each, so a commit's diff says exactly which events it added and which it
removed or rewrote. Merge commits carry no diff of their own here: the union merge driver only
combines events that their own commits already added.
"""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..core import safeyaml

from ..core.fold import CLOSING
from . import gitio, signing
from ..core.problems import InputError, Problem
from ..core.record import to_datetime
from ..core.rules import Rules
from .signing import ROSTER, VALID

SEP, FS = "\x1e", "\x1f"
# No %G? here: verifying costs ~20 ms a commit, so signatures go through signing.verify, remembered.
LOG_FORMAT = f"{SEP}%H{FS}%an{FS}%ae{FS}%cI{FS}%P{FS}%(trailers:key=Shouwen-Action,valueonly,separator=%x2C)"
AFTER_CLOSE = {"rated", "followed_up", "note"}   # what may still be appended to a closed record
FUTURE_TOLERANCE = timedelta(minutes=10)

HISTORY_CODES = {"event-rewritten": "error", "record-deleted": "error", "closed-edited": "error",
                 "backdated": "warning", "future-dated": "error", "author-mismatch": "error",
                 "unsigned": "error", "bulletin-rewritten": "error"}


@dataclass
class Commit:
    sha: str
    author: str
    email: str
    when: datetime
    parents: list
    actions: tuple = ()     # Shouwen-Action trailers: an `imported` commit brings a paper ledger's past


@dataclass
class Step:
    """One event as it entered the history: for `shouwen history`."""
    commit: str
    author: str
    signed: bool
    when: datetime
    event: dict
    problems: list = field(default_factory=list)


@dataclass
class Report:
    commits: int = 0
    verified: int = 0     # signatures checked in this run (the rest were remembered)
    problems: list = field(default_factory=list)
    steps: dict = field(default_factory=dict)    # path -> [Step]


def _record_of(path: str) -> str | None:
    if path.startswith("records/") and path.endswith(".md"):
        return path.rsplit("/", 1)[-1][:-3].split(".")[0]
    return None


def _event(line: str):
    try:
        ev = safeyaml.load(line)
    except safeyaml.LoadError:
        return None
    if isinstance(ev, list) and len(ev) == 1 and isinstance(ev[0], dict):
        return ev[0]
    return None


class _Auditor:
    def __init__(self, rules: Rules, report: Report, trust=None, sigs=None):
        self.rules, self.report = rules, report
        self.trust, self.sigs = trust, sigs or {}
        self.closed: dict[str, bool] = {}
        self.grace = timedelta(hours=rules.policy.late_entry_grace_hours)

    def problem(self, code, c: Commit, path, msg, **extra):
        badge = self.rules.staff_by_email(c.email)
        person = f"{c.author} <{c.email}>" + (f" ({badge.badge})" if badge else "")
        p = Problem(code, msg, path=path, record=_record_of(path), severity=HISTORY_CODES[code],
                    extra={"commit": c.sha, "person": person, **extra})
        self.report.problems.append(p)
        return p

    def signed(self, c: Commit) -> bool:
        status, _ = self.sigs.get(c.sha, ("N", None))
        return status in VALID

    def check_signature(self, c: Commit, files: dict):
        status, fp = self.sigs.get(c.sha, ("N", None))
        author = self.rules.staff_by_email(c.email)
        badge = author.badge if author else None
        first = next(iter(files), None)
        for badge_, key in self.trust.refused.get(c.sha, []):
            self.problem("unsigned", c, ROSTER, f"提交 {c.sha[:10]} 把 {badge_} 的密钥 {key} 加入名册,"
                         "但该提交没有已信任密钥的有效签名:此密钥不予信任", key=key)
        if status not in VALID:
            why = {"N": "没有签名", "B": "签名无效", "E": "无法核验签名", "X": "签名已过期", "Y": "签名密钥已过期",
                   "R": "签名密钥已吊销"}.get(status, f"签名状态 {status}")
            self.problem("unsigned", c, first, f"提交 {c.sha[:10]} {why}(本机构要求签名)")
        elif any(_record_of(p) for p in files):
            if not self.trust.signer_ok(fp, badge):
                owner = self.trust.keys.get(fp)
                self.problem("unsigned", c, first, f"提交 {c.sha[:10]} 的签名密钥 {fp} "
                             + (f"属于 {owner},不是作者 {badge or c.email} 本人的" if owner else "不是名册中经信任的密钥"), key=fp)
        elif not (self.trust.signer_ok(fp, badge) or fp in self.trust.anchor):
            self.problem("unsigned", c, first, f"提交 {c.sha[:10]} 的签名密钥 {fp} 未经信任(既非信任锚,也非作者本人经信任的密钥)", key=fp)

    def commit_done(self, c: Commit, files: dict):
        if self.trust is not None:
            self.check_signature(c, files)
        for path, f in files.items():
            if path.startswith("rules/"):
                continue
            if path.startswith("site/bulletins/"):
                if not f["new"]:
                    self.problem("bulletin-rewritten", c, path, f"已发布的通报 {path} 在提交 {c.sha[:10]} 中被{'删除' if f['deleted'] else '修改'}")
                continue
            if _record_of(path) is None:
                continue
            if f["deleted"]:
                self.problem("record-deleted", c, path, f"记录 {path} 在提交 {c.sha[:10]} 中被删除")
                self.closed.pop(path, None)
                continue
            removed = [l for l in f["minus"] if l.startswith("  - {")]
            added = [(l, _event(l[2:])) for l in f["plus"] if l.startswith("  - {")]
            added_lines = {l for l, _ in added}
            for l in removed:
                if l not in added_lines:
                    self.problem("event-rewritten", c, path, f"提交 {c.sha[:10]} 删除或改写了已有事件:{l.strip()[2:]}")
            was_closed = self.closed.get(path, False)
            header_changed = [l for l in f["minus"] if not l.startswith("  - {") and l != "events:"]
            if was_closed and header_changed and not f["new"]:
                self.problem("closed-edited", c, path, f"事项已结束,提交 {c.sha[:10]} 仍修改了登记内容")
            steps = self.report.steps.setdefault(path, [])
            author = self.rules.staff_by_email(c.email)   # once per file, not once per event
            old = set(removed)
            for line, ev in added:
                if line in old:
                    continue   # unchanged line moved by a rewrite: already reported above
                if ev is None:
                    continue
                s = Step(c.sha, c.author, self.signed(c), c.when, ev)
                steps.append(s)
                action = ev.get("action")
                if was_closed and action not in AFTER_CLOSE:
                    s.problems.append(self.problem("closed-edited", c, path, f"事项已结束,提交 {c.sha[:10]} 又追加了 {action}"))
                if action in CLOSING:
                    was_closed = True
                # an import brings a paper ledger's past as new files: its events keep their own
                # authors and dates; the trailer excuses nothing in a file that already existed
                imported = "imported" in c.actions and f["new"]
                by = ev.get("by")
                if by and not imported and (author is None or author.badge != by):
                    s.problems.append(self.problem("author-mismatch", c, path,
                                                   f"事件由 {by} 署名,提交作者却是 {c.author} <{c.email}>", event=action))
                at = to_datetime(ev.get("at"))
                if at is not None:
                    if c.when - at > self.grace and not imported:
                        s.problems.append(self.problem("backdated", c, path,
                                                       f"事件时间 {at.isoformat()} 比提交时间 {c.when.isoformat()} 早,超过补录宽限 {self.rules.policy.late_entry_grace_hours} 小时",
                                                       event=action))
                    elif at - c.when > FUTURE_TOLERANCE:
                        s.problems.append(self.problem("future-dated", c, path,
                                                       f"事件时间 {at.isoformat()} 晚于提交时间 {c.when.isoformat()}", event=action))
            self.closed[path] = was_closed


def audit(root: str, rules: Rules, since: str | None = None, paths=("records", "site/bulletins"),
          anchor: str | None = None, signatures: bool = False) -> Report:
    """Under a signing policy, `anchor` (else $SHOUWEN_TRUST_ANCHOR, else git config shouwen.trustAnchor)
    starts the chain of trust; `signatures` asks only whether each commit is signed (for `history`)."""
    report = Report()
    rev = [f"{since}..HEAD"] if since else ["HEAD"]
    trust, sigs = None, {}
    if rules.policy.signing_required and not signatures:
        anchor = signing.anchor_path(root, anchor)
        if not anchor:
            raise InputError("本机构要求签名(rules/policy.yml signing.required),审查需要信任锚:请用 --trust-anchor "
                             "指定办公室公钥文件,或设置 SHOUWEN_TRUST_ANCHOR / git config shouwen.trustAnchor")
        paths = (*paths, "rules")
        shas = _rev_list(root, rev, paths)
        trust, sigs, report.verified = signing.trust_for(root, anchor, shas)
    elif signatures:
        shas = _rev_list(root, rev, paths)
        allowed = signing.key_lines(signing.roster_of(rules))
        sigs, report.verified = signing.verify(root, shas, allowed)
    aud = _Auditor(rules, report, trust, sigs)
    cmd = ["git", "-C", root, "-c", "core.quotepath=off", "log", "--reverse", "--topo-order", "-p", "--unified=0",
           "--no-renames", "--no-color", f"--format={LOG_FORMAT}", *rev, "--", *paths]
    err_file = tempfile.TemporaryFile()    # not a pipe: a full stderr pipe would stall the stream
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err_file, text=True, encoding="utf-8",
                            errors="replace")
    commit, files, cur, in_hunk = None, {}, None, False
    for raw in proc.stdout:
        line = raw.rstrip("\n")
        if line.startswith(SEP):
            if commit:
                aud.commit_done(commit, files)
            sha, an, ae, ci, parents, actions = line[1:].split(FS)
            commit = Commit(sha, an, ae, datetime.fromisoformat(ci), parents.split(),
                            tuple(a.strip() for a in actions.split(",") if a.strip()))
            report.commits += 1
            files, cur, in_hunk = {}, None, False
        elif line.startswith("diff --git "):
            path = line.split(" b/", 1)[1] if " b/" in line else line.split()[-1]
            cur = files.setdefault(path, {"new": False, "deleted": False, "plus": [], "minus": []})
            in_hunk = False
        elif cur is not None and not in_hunk:
            if line.startswith("new file mode"):
                cur["new"] = True
            elif line.startswith("deleted file mode"):
                cur["deleted"] = True
            elif line.startswith("@@"):
                in_hunk = True
        elif cur is not None and in_hunk:
            if line.startswith("@@"):
                continue
            if line.startswith("+"):
                cur["plus"].append(line[1:])
            elif line.startswith("-"):
                cur["minus"].append(line[1:])
    if commit:
        aud.commit_done(commit, files)
    proc.wait()
    if proc.returncode != 0:
        err_file.seek(0)
        err = err_file.read().decode("utf-8", "replace").strip()
        if "does not have any commits" not in err:
            raise InputError(f"读取 Git 历史失败:{err}")
    return report


def _rev_list(root, rev, paths) -> list[str]:
    try:
        return gitio.git(root, "rev-list", "--topo-order", *rev, "--", *paths).split()
    except gitio.GitError as e:
        if "does not have any commits" in str(e) or "unknown revision" in str(e) and "HEAD" in str(e):
            return []
        raise InputError(f"读取 Git 历史失败:{e}")
