"""One commit of the history judged (DESIGN §11), for `audit`: its records, read as parsed records, against its
parents' versions; its events against the roles, the roster as it stood, signing and the clock; merges
against every parent, keeping no more than the union of their sides."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import gitio
from ..core.accountability import ACTION_ZH as ACCOUNT_ZH
from ..core.fold import ACTION_ZH as FOLD_ZH, CLOSING
from ..core.history import Change, compare, compare_merge, identity
from ..core.problems import Problem
from ..core.record import to_datetime, zh_moment
from ..core.roles import awaiting, event_role_problems, handling, refusal
from ..core.rules import Rules
from ..core.steps import describe
from .audit_paths import is_config, is_record, is_state, lookalike, record_of
from .loader import load_rules_at
from .signing import ROSTER, VALID

AFTER_CLOSE = {"rated", "followed_up", "note", "corrected", "voided", "reopened"}   # what a closed record may still take
FUTURE_TOLERANCE = timedelta(minutes=10)
ZERO = "0" * 40
HISTORY_CODES = {"event-rewritten": "error", "record-deleted": "error", "closed-edited": "error",
                 "record-edited": "error", "record-noncanonical": "error", "backdated": "warning",
                 "future-dated": "error", "author-mismatch": "error", "unsigned": "error",
                 "bulletin-rewritten": "error", "role-forbidden": "error", "conflict-of-interest": "error",
                 "import-unattested": "error", "state-committed": "error", "history-replaced": "error",
                 "bulletin-base-lost": "error", "commit-misdated": "error", "committer-mismatch": "error", "path-lookalike": "error",
                 "history-orphan": "error", "history-rewritten": "error"}


@dataclass
class Step:
    """One event as it entered the history: for `shouwen history`."""
    commit: str
    author: str
    signed: bool
    when: datetime
    event: dict
    imported: bool = False
    problems: list = field(default_factory=list)



class Unaudited(list):
    """A commit's changes when it touches no file the audit reads (a hand-written page, a README): no version to
    judge, only, where the rules require it, its signature. `paths`: what it changed."""

    def __init__(self, paths: list):
        super().__init__()
        self.paths = paths


class Auditor:
    def __init__(self, root, rules: Rules, report, records: dict, trust=None, sigs=None, only=None):
        """`records`: {(path, blob): Record} of the versions the commit being judged names (set per commit);
        `only`: the paths of `shouwen history`, whose steps are kept (a whole audit keeps none)."""
        self.root, self.rules, self.report, self.records = root, rules, report, records
        self.trust, self.sigs, self.only = trust, sigs or {}, only
        self.now = None            # the rules as they stood before the commit being judged
        self._authors: dict = {}
        self.grace = timedelta(hours=rules.policy.late_entry_grace_hours)
        # whether the next commit must be signed: the rules as they stood, once a commit has set them; a commit
        # that turns signing off counts only when it passes the signing it turns off
        self.signing: bool | None = None
        self.needs_signatures = False      # signing was required somewhere, and this run checks no signature

    # --- reporting -------------------------------------------------------------------------
    def problem(self, code, c: gitio.LogCommit, path, msg, **extra):
        badge = self.author(c)
        person = f"{c.author} <{c.email}>" + (f" ({badge})" if badge else "")
        p = Problem(code, msg, path=path, record=record_of(path), severity=HISTORY_CODES[code],
                    extra={"commit": c.sha, "person": person, **extra})
        self.report.problems.append(p)
        return p

    @property
    def rules_now(self) -> Rules:
        return self.now or self.rules

    def author(self, c):
        key = (id(self.rules_now), c.email)      # the roster is searched once per person, not per commit
        if key not in self._authors:
            s = self.rules_now.staff_by_email(c.email)
            self._authors[key] = s.badge if s else None
        return self._authors[key]

    def sig(self, c):
        return self.sigs.get(c.sha, ("N", None))

    # --- signatures and the roster ---------------------------------------------------------
    def check_signature(self, c, paths: list):
        status, fp = self.sig(c)
        badge = self.author(c)
        first = paths[0] if paths else None
        for badge_, key in self.trust.refused.get(c.sha, []):
            self.problem("unsigned", c, ROSTER, f"提交 {c.sha[:10]} 把 {badge_} 的密钥 {key} 加入名册，"
                         "但该提交没有可担保密钥（信任锚或名册管理人员的已信任密钥）的有效签名：此密钥不予信任", key=key)
        if status not in VALID:
            why = {"N": "没有签名", "B": "签名无效", "E": "无法核验签名", "X": "签名已过期", "Y": "签名密钥已过期",
                   "R": "签名密钥已吊销"}.get(status, f"签名状态 {status}")
            self.problem("unsigned", c, first, f"提交 {c.sha[:10]} {why}（本机构要求签名）")
        elif fp in self.trust.anchor:
            return
        elif not self.trust.signer_ok(fp, badge, c.sha):
            owner = self.trust.keys.get(fp)
            revoked = self.trust.revoked_before(fp, c.sha)
            self.problem("unsigned", c, first, f"提交 {c.sha[:10]} 的签名密钥 {fp} " + (
                "已从名册中删除，自删除起不再有效" if revoked else
                f"属于 {owner}，不是作者 {badge or c.email} 本人的" if owner else "不是名册中经信任的密钥"), key=fp)

    def check_config(self, c, paths: list):
        """rules/, mkdocs.yml, CI and hooks: only the roster's administrators (or the anchor) change them."""
        if not c.parents:
            return              # the repository's first commit (shouwen init)
        if self.trust is not None and self.sig(c)[1] in self.trust.anchor and self.sig(c)[0] in VALID:
            return
        why = refusal(self.rules_now, self.author(c), "roster")
        if why:
            self.problem("role-forbidden", c, paths[0], f"提交 {c.sha[:10]} 修改了 {'、'.join(paths[:3])}：{why}")

    def orphan(self, c, merge: str | None = None):
        """`merge`: the merge that joined the orphan history to the office's."""
        joined = f"由合并提交 {merge[:10]} 并入了本库" if merge else "被合并了进来"
        self.problem("history-orphan", c, next((p for p, _, _ in c.changes), None),
                     f"提交 {c.sha[:10]} 没有父提交，却不是本库历史的起点：另起的一段历史（git checkout --orphan）{joined}，"
                     "其中的提交日期无从核对")

    def check_time(self, c, path, parent_time, now):
        """A commit's own date: never earlier than a parent's by more than the late-entry grace (the committer
        had that commit in hand; a parent may come from a desk whose clock runs ahead, and what is entered late
        within the grace is allowed anyway), never after the audit's moment by more than a clock may be off."""
        when = c.when.timestamp()
        if parent_time is not None and parent_time - when > max(self.grace, FUTURE_TOLERANCE).total_seconds():
            before = zh_moment(datetime.fromtimestamp(parent_time, c.when.tzinfo))
            self.problem("commit-misdated", c, path, f"提交 {c.sha[:10]} 的时间 {zh_moment(c.when)} 早于它的父提交"
                         f"（{before}）：提交日期被改早了，或提交者的电脑时钟慢")
        elif when - now > FUTURE_TOLERANCE.total_seconds():
            self.problem("commit-misdated", c, path, f"提交 {c.sha[:10]} 的时间 {zh_moment(c.when)} 晚于现在："
                         f"提交日期被改到了将来，或提交者的电脑时钟快")
        elif c.authored is not None and (c.when - c.authored > self.grace or c.authored - c.when > FUTURE_TOLERANCE):
            self.problem("commit-misdated", c, path, f"提交 {c.sha[:10]} 的作者时间 {zh_moment(c.authored)} 与提交时间 "
                         f"{zh_moment(c.when)} 不符：git log 显示的是作者时间（git commit --date 可随意填写）")

    # --- one commit ----------------------------------------------------------------------------
    def signing_required(self) -> bool:
        return self.rules_now.policy.signing_required if self.signing is None else self.signing

    def commit(self, c, changes: list):
        """`changes`: one list of (path, old blob, new blob) per parent (one for a plain commit)."""
        if isinstance(changes, Unaudited):      # no audited file: where signing is required, still signed
            if self.trust is not None and self.signing_required():
                self.check_signature(c, changes.paths)
            return
        touched = sorted({p for ch in changes for p, _, _ in ch})
        config = [p for p in touched if is_config(p)]
        required, before = self.signing_required(), len(self.report.problems)
        if required and self.trust is None:
            self.needs_signatures = True
        if self.trust is not None and touched and required:
            self.check_signature(c, touched)
        if touched and c.committer_email.lower() != c.email.lower():
            self.problem("committer-mismatch", c, touched[0], f"提交 {c.sha[:10]} 由 {c.committer} <{c.committer_email}> "
                         f"提交，却署名作者 {c.author} <{c.email}>：以他人名义提交（git commit --author）",
                         person=f"{c.committer} <{c.committer_email}>")
        # what this commit itself brings in (a merge: against every parent, so a side's commit is named, not the merge)
        brought = set.intersection(*({p for p, old, new in ch if new not in (ZERO, old)} for ch in changes))
        state = sorted(p for p in brought if is_state(p))
        if state:
            self.problem("state-committed", c, state[0], f"提交 {c.sha[:10]} 把本机缓存 {'、'.join(state[:3])} 提交进了 Git："
                         ".shouwen/ 只能留在各自的电脑上，检出的缓存可在别人的电脑上运行代码或冒充签名核验结果")
        for path in sorted(brought):
            why = lookalike(path) if not self.only or path in self.only else None
            if why:
                self.problem("path-lookalike", c, path, f"提交 {c.sha[:10]} 写入了 {path}：{why}；在不区分大小写的电脑"
                             "（Windows、macOS）上检出时会覆盖真正的文件，而 check 与审查都不读它")
        for path, mode in c.links or ():
            if is_record(path) and (not self.only or path in self.only):
                self.problem("record-noncanonical", c, path, f"提交 {c.sha[:10]} 把记录 {path} 写成了"
                             f"{'符号链接' if mode == '120000' else '子模块（gitlink）'}：记录必须是普通文件")
        if len(c.parents) > 1:
            self.merge(c, changes, config)
        else:
            self.plain(c, changes[0], config)
        if any(p.startswith("rules/") for p in touched):
            self.now = load_rules_at(self.root, c.sha)
            refused = any(p.extra.get("commit") == c.sha and p.code in ("unsigned", "role-forbidden")
                          for p in self.report.problems[before:])
            self.signing = required if required and refused else self.now.policy.signing_required
            if self.trust is not None:
                self.trust.advance(c.sha)

    def plain(self, c, changes, config):
        if config:
            self.check_config(c, config)
        imported = "imported" in c.actions
        attested = imported and self.attest(c, changes)
        for path, old, new in changes:
            if self.only and path not in self.only:
                continue
            if path.startswith("site/bulletins/"):
                self.bulletin(c, path, old, new)
            elif is_record(path):
                ch = compare(self.rec(path, old), self.rec(path, new))
                self.record(c, path, old, new, ch, attested and old == ZERO)

    def merge(self, c, parent_changes, config):
        # per path: the merge's blob and each parent's (a path a parent's diff lacks is as in the merge)
        paths: dict[str, list] = {}
        merged: dict[str, str] = {}
        for i, ch in enumerate(parent_changes):
            for path, old, new in ch:
                paths.setdefault(path, [None] * len(parent_changes))[i] = old
                merged[path] = new
        for path, olds in paths.items():
            paths[path] = [merged[path] if o is None else o for o in olds]
        if config and any(merged[p] not in paths[p] for p in config):
            self.check_config(c, [p for p in config if merged[p] not in paths[p]])
        by_identity = {}
        for path, blob in merged.items():
            if is_record(path) and blob != ZERO and self.rec(path, blob) is not None:
                by_identity[identity(self.rec(path, blob))] = (path, blob)
        for path, olds in paths.items():
            if self.only and path not in self.only:
                continue
            new = merged[path]
            if path.startswith("site/bulletins/"):
                if new not in olds and any(o != ZERO for o in olds):
                    self.problem("bulletin-rewritten", c, path, f"合并提交 {c.sha[:10]} 改写或删除了已发布的通报 {path}")
            elif is_record(path):
                self.merged_record(c, path, olds, new, by_identity)

    def merged_record(self, c, path, olds, new, by_identity):
        mine = self.rec(path, new)
        parents = [self.rec(path, o) for o in olds]
        if mine is not None:
            # a parent's version of another matter under the same id went to a side file (`<id>.<code>.md`)
            parents = [p if p is None or identity(p) == identity(mine) else None for p in parents]
        for p in [self.rec(path, o) for o in olds]:
            if p is not None and (mine is None or identity(p) != identity(mine)) and identity(p) not in by_identity:
                self.problem("record-deleted", c, path, f"合并提交 {c.sha[:10]} 丢弃了记录 {path}（其一父提交中存在）")
        if mine is None:
            return
        ch = compare_merge(parents, mine)      # keeping one side's version still drops what the other added
        self.record(c, path, ZERO if all(p is None for p in parents) else "merge", new, ch, False, merge=True)

    # --- one record in one commit ---------------------------------------------------------------
    def rec(self, path, blob):
        return None if blob in (ZERO, None) else self.records.get((path, blob))

    def record(self, c, path, old, new, ch: Change, imported: bool, merge=False):
        what = "合并提交" if merge else "提交"
        if new == ZERO:
            self.problem("record-deleted", c, path, f"记录 {path} 在{what} {c.sha[:10]} 中被删除")
            return
        rec = self.rec(path, new)
        if rec is not None and old == ZERO and "imported" in rec.meta and not imported:
            self.problem("import-unattested", c, path, f"{what} {c.sha[:10]} 新建的记录自称导入（imported），"
                         "但该提交不是经核验的导入")
        if rec is not None and rec.noncanonical is not None:
            self.problem("record-noncanonical", c, path, f"{what} {c.sha[:10]} 写入的记录不是规范格式：{rec.noncanonical.message}")
        for ev in ch.removed:
            self.problem("event-rewritten", c, path, f"{what} {c.sha[:10]} 删除或改写了已有事件：{_words(ev, self.rules_now)}")
        for ev in ch.moved:
            self.problem("event-rewritten", c, path, f"{what} {c.sha[:10]} 改变了已有事件的顺序："
                         f"{_words(ev, self.rules_now)}不在原来的位置")
        if ch.fields or ch.body:
            names = "、".join(ch.fields + (["正文"] if ch.body else []))
            self.problem("record-edited", c, path, f"{what} {c.sha[:10]} 直接修改了登记内容（{names}）；"
                         "更正请用 shouwen correct，作废请用 shouwen void", field=names)
        before = self.rec(path, old) if old not in (ZERO, "merge") else None
        closed = before is not None and _closed(before.events)
        self.events(c, path, rec, ch.added, closed, imported)

    def events(self, c, path, rec, added, closed, imported):
        steps = self.report.steps.setdefault(path, []) if self.only else []
        author = self.author(c)
        signed = self.sig(c)[0] in VALID
        rules = self.rules_now
        registrant = rec.events[0].get("by") if rec and rec.events and isinstance(rec.events[0], dict) else None
        for ev in added:
            if not isinstance(ev, dict):
                continue
            s = Step(c.sha, c.author, signed, c.when, ev, imported)
            steps.append(s)
            action, by = ev.get("action"), ev.get("by")
            if action is not None and not isinstance(action, str):     # hand-edited (a list, a map): named, not hashed
                action = str(action)

            def hit(code, msg, **extra):
                s.problems.append(self.problem(code, c, path, msg, event=action, **extra))

            if closed and action not in AFTER_CLOSE:
                hit("closed-edited", f"事项已结束，提交 {c.sha[:10]} 又追加了{_label(action)}")
            closed = _closed([ev], closed)
            if ev.get("imported") and not imported:
                hit("import-unattested", f"提交 {c.sha[:10]} 不是经核验的导入，事件却标为导入（imported）")
            if by and not imported and by != author:
                hit("author-mismatch", f"事件由 {by} 署名，提交作者却是 {c.author} <{c.email}>")
            if rec is not None:
                index = next((i for i, e in enumerate(rec.events) if e is ev), 0)
                own = by == registrant and index > 0
                before = rec.events[:index]
                for code, why in event_role_problems(rules, rec.kind, rec.meta, ev, awaiting(before), own,
                                                     handling(before)):
                    hit(code, why)
            at = to_datetime(ev.get("at"))
            if at is None or imported:
                continue
            if c.when - at > self.grace and not ev.get("late_reason"):
                hit("backdated", f"事件时间 {zh_moment(at)} 比提交时间 {zh_moment(c.when)} 早，超过补录宽限 "
                    f"{rules.policy.late_entry_grace_hours} 小时，且未注明补录理由")
            elif at - c.when > FUTURE_TOLERANCE:
                hit("future-dated", f"事件时间 {zh_moment(at)} 晚于提交时间 {zh_moment(c.when)}")

    def bulletin(self, c, path, old, new):
        if old != ZERO:
            self.problem("bulletin-rewritten", c, path, f"已发布的通报 {path} 在提交 {c.sha[:10]} 中被{'删除' if new == ZERO else '修改'}")
        else:
            why = refusal(self.rules_now, self.author(c), "publish")
            if why:
                self.problem("role-forbidden", c, path, f"提交 {c.sha[:10]} 发布了通报：{why}")

    def attest(self, c, changes) -> bool:
        """An import is evidence only with its ledger file's digest and row count, by someone allowed to
        import, signed where signing is required; else its events' authors and dates are not excused."""
        first = next((p for p, _, _ in changes if is_record(p)), None)
        new_files = c.new_records          # all of the commit's, also when one matter's history is read
        why = refusal(self.rules_now, self.author(c), "import")
        if why is None and not (c.trailers.get("Shouwen-Import-SHA256") and c.trailers.get("Shouwen-Import-Rows")):
            why = "提交中没有登记簿文件的 SHA-256 与行数（Shouwen-Import-SHA256、Shouwen-Import-Rows）"
        elif why is None and c.trailers.get("Shouwen-Import-Rows") != str(new_files):
            why = f"登记簿有 {c.trailers.get('Shouwen-Import-Rows')} 行，提交却新增了 {new_files} 件记录"
        elif why is None and self.signing_required() and not (
                self.sig(c)[0] in VALID and self.trust is not None and self.trust.signer_ok(self.sig(c)[1], self.author(c), c.sha)):
            why = "本机构要求签名，导入提交没有导入人本人经信任的签名"
        if why:
            self.problem("import-unattested", c, first, f"导入提交 {c.sha[:10]} 不能作为证据：{why}；"
                         "其中事件的署名与时间按普通提交审查")
            return False
        return True



def _label(action) -> str:
    if not isinstance(action, str):
        return str(action)
    return FOLD_ZH.get(action) or ACCOUNT_ZH.get(action) or action


def _words(ev, rules) -> str:
    """An event as people read it, not its YAML: 转办（2026年11月2日 10:00，李明（J005）；至：人口家庭科）."""
    if not isinstance(ev, dict):
        return str(ev)[:60]
    at = to_datetime(ev.get("at"))
    when = zh_moment(at) if at else str(ev.get("at") or "")
    what = describe(ev, rules)
    inner = "，".join(x for x in (when, rules.who(ev.get("by"))) if x) + (f"；{what[:60]}" if what else "")
    return f"{_label(ev.get('action'))}（{inner}）"



def _closed(events, closed=False) -> bool:
    """Whether the matter stands closed after these events: closed by an answer, explanation or delivery,
    open again after a reopening (重办)."""
    for e in reversed(events):      # the last closing or reopening decides
        action = e.get("action") if isinstance(e, dict) else None
        if isinstance(action, str) and action in CLOSING or action == "reopened":
            return action != "reopened"
    return closed
