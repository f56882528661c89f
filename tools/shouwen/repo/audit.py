"""The history audit (DESIGN §11): every commit's records, read as parsed records, against its parents.

One streamed `git log --raw` lists what each commit changed (blob ids, no diff text; gitio.walk); merges
are read against every parent with one `git diff-tree --stdin`. The records are parsed through the
one reader, cached by blob id, so a commit is judged on what its records say, not on the shape of
its diff lines: another layout, a duplicate key or a block-style event hides nothing. A merge may
only keep the union of its parents; whatever it drops or alters beyond that is reported.
Commits that touch the rules, the site's configuration, CI or hooks are audited too.
"""
from __future__ import annotations

import json
import os
import re
import time
from array import array
from dataclasses import dataclass, field

from ..collector import paused
from . import gitio, signing, store, versions
from ..core.problems import ERROR, InputError, Problem
from ..core.roles import refusal
from ..core.rules import Rules
from .audit_commit import Auditor, Unaudited
from .audit_paths import is_config, is_record, is_state, lookalike
from .loader import load_rules_at


@dataclass
class Report:
    commits: int = 0
    verified: int = 0     # signatures checked in this run (the rest were remembered)
    problems: list = field(default_factory=list)
    steps: dict = field(default_factory=dict)    # path -> [Step]


def _may_vouch(root):
    """Only a roster administrator (rules/policy.yml permissions.roster, as the rules stood just before
    the roster commit) may vouch for a key; the anchor always may."""
    def may_vouch(sha: str, badge: str) -> bool:
        try:
            before = load_rules_at(root, f"{sha}^")
        except gitio.GitError:
            return False
        return refusal(before, badge, "roster") is None
    return may_vouch


def _wanted(path, only):
    if only:
        return path in only
    return (is_record(path) or path.startswith("site/bulletins/") or is_config(path) or is_state(path)
            or lookalike(path) is not None)


def audit(root: str, rules: Rules, since: str | None = None, paths: tuple | None = None, anchor: str | None = None,
          signatures: bool = False, progress=None) -> Report:
    """Under a signing policy, `anchor` (else $SHOUWEN_TRUST_ANCHOR, else git config shouwen.trustAnchor)
    starts the chain of trust; `signatures` asks only whether each commit is signed (for `history`);
    `paths` limits the audit to these files (for `history`); `progress(done, total)` as commits are judged."""
    # None of the versions, events and steps read here is a cycle: the cycle collector would only walk what is
    # kept (the latest version of every record) again and again.
    with paused():
        return _audit(root, rules, since, paths, anchor, signatures, progress)


def _audit(root, rules, since, paths, anchor, signatures, progress, signed=False) -> Report:
    """Each commit is judged as the log is read (`versions.History`), so what is kept is each record's latest
    version, not the history; only where signatures must be verified first (all at once, by git) are the
    commits listed before they are judged."""
    only = paths
    if gitio.is_shallow(root):
        raise InputError("本库是浅克隆，只有最近的一段历史：最早的提交看起来像是凭空写下了此前的全部记录，无法据此审查；"
                         "请先运行 git fetch --unshallow 取回完整历史再审查（CI 中设 fetch-depth: 0 或 GIT_DEPTH: 0）")
    report = Report()
    rev = f"{since}..HEAD" if since else "HEAD"
    counting = gitio.commit_count(root, rev) if progress else None
    aud = Auditor(root, rules, report, {}, None, None, set(only) if only else None)
    state = {"since": since, "total": None, "seen": 0, "merges": None}

    def judge(item, chs, versions):
        c, n = item
        if state["since"]:      # the rules as they stood at `since`, once there is something to judge
            aud.now, state["since"] = load_rules_at(root, since), None
        aud.records = versions
        aud.commit(c, chs)
        if progress:
            state["total"] = state["total"] or counting()
            progress(min(n, state["total"]), state["total"])
    history = versions.History(root, judge)
    required = signed or rules.policy.signing_required
    listed = [] if required or signatures else None

    times = _Times()        # each commit's date, for its children to be judged against
    roots: list = []
    now = time.time()

    def read(c):
        state["seen"] += 1
        if not c.parents:       # the history's own start once; any other has no parent to be dated against
            roots.append(c)     # which is which is decided once all are seen (_orphans)
        parent_time = max((t for t in map(times.get, map(_key, c.parents)) if t is not None), default=None)
        times.add(_key(c.sha), int(c.when.timestamp()))
        if len(c.parents) > 1 and state["merges"] is None:     # all the merges' sides at once, when one comes
            state["merges"] = gitio.merge_changes(root, gitio.merges(root, rev))
        chs = state["merges"].get(c.sha) if len(c.parents) > 1 else [c.changes]
        if len(c.parents) > 1:
            c.links = state["merges"].links.get(c.sha)
        every = chs
        chs = [[x for x in ch if _wanted(x[0], only)] for ch in chs]
        if not any(chs) and listed is not None and not only:      # signing: every commit, whatever it touches
            chs = Unaudited(sorted({x[0] for ch in every for x in ch}))     # an empty commit too
            listed.append(((c, state["seen"]), chs))
        elif any(chs):
            report.commits += 1
            aud.check_time(c, next(x[0] for ch in chs for x in ch), parent_time, now)
            if listed is None:
                history.send((c, state["seen"]), chs)
            else:
                listed.append(((c, state["seen"]), chs))
    try:
        gitio.log_changes(root, rev, on_commit=read)
    except gitio.GitError as e:
        history.close()
        if "does not have any commits" in str(e) or "unknown revision" in str(e) and "HEAD" in str(e):
            return Report()
        if since and ("bad revision" in str(e) or "unknown revision" in str(e)):
            raise InputError(f"--since：找不到提交 {since}（应为提交号、分支名或标签，如 HEAD~10）；未审查任何内容") from None
        raise InputError(f"读取 Git 历史失败：{e}")
    _orphans(root, aud, roots, since, only)
    if listed is not None:
        _signatures(root, rules, aud, report, [c.sha for (c, _), _ in listed], anchor, signatures, required)
        for item, chs in listed:
            history.send(item, chs)
    history.close()
    if aud.needs_signatures and not signatures and not required:
        # the rules once required signing (today's don't): every commit judged again, with its signature
        return _audit(root, rules, since, paths, anchor, signatures, progress, signed=True)
    if not only:
        report.problems[:0] = _replaced(root) + _lost_bases(root) + _rewritten(root)
    store.drop_history_cache(root)
    if progress and state["seen"]:
        progress(state["seen"], max(state["seen"], state["total"] or counting()))
    return report


def _orphans(root, aud, roots: list, since, only):
    """Every root but the office's own start is a history started apart and merged in (with `since`, every root
    in the range). The office's start: the root of the history this branch's last audit saw (.shouwen/audited.json),
    else the root of the larger history (an orphan is a few commits of one clerk's), not merely the first root
    the log meets: main fast-forwarded to a merge whose first parent is the orphan lists the orphan's first."""
    start = None
    if not since and roots:
        start = roots[0].sha
        if len(roots) > 1:
            _, last = _memory(root)
            known = [c for c in roots if last and gitio.is_ancestor(root, c.sha, last)]
            start = known[0].sha if len(known) == 1 else max(roots, key=lambda c: gitio.descendants(root, c.sha)).sha
    for c in roots:
        if c.sha != start and (not only or any(x[0] in only for x in c.changes)):
            aud.orphan(c, gitio.joining_merge(root, c.sha))


def _memory(root) -> tuple[dict, str | None]:
    """What .shouwen/audited.json remembers (branch -> the head last audited), and this branch's head in it."""
    branch = _branch(root)
    try:
        with open(os.path.join(root, ".shouwen", "audited.json"), encoding="utf-8") as fh:
            seen = json.load(fh)
    except (OSError, ValueError):
        seen = {}
    seen = seen if isinstance(seen, dict) else {}
    old = seen.get(branch) if branch is not None else None
    return seen, old if isinstance(old, str) else None


def _replaced(root) -> list[Problem]:
    """Replace refs and a grafts file: shouwen reads past them (gitio), but `git log` shows what they say."""
    found = []
    for old, new in gitio.replacements(root):
        if old == "info/grafts":
            commit = new.split()[0]
            msg = (f"本库有 .git/info/grafts 文件（{new[:60]}）：git log 显示的提交先后关系是它改写过的，"
                   f"审查按各提交本身记载的历史进行；请删除这个文件")
        else:
            commit = old
            msg = (f"提交 {old[:10]} 被 git replace 替换为 {new[:10]}：git log、git show 显示的是替换后的内容，"
                   f"审查按原始提交进行；请删除这个替换引用（git replace -d {old[:10]}）")
        found.append(Problem("history-replaced", msg, severity=ERROR,
                             extra={"commit": commit, "person": "（替换引用不记录作者）"}))
    return found


_BASE = re.compile(r"依据登记簿提交 `([0-9a-f]{40})`")


def _lost_bases(root) -> list[Problem]:
    """Each published bulletin names the commit it was computed from: one no longer in HEAD's history means
    the history was rewritten since (a filter-branch, a rebase, a forced push), whatever the rewrite left."""
    found = []
    for path, blob in gitio.tree_blobs(root, "HEAD", "site/bulletins/"):
        m = _BASE.search(gitio.cat_files(root, [blob]).get(blob, b"").decode("utf-8", "replace"))
        if path.endswith(".md") and m and not gitio.is_ancestor(root, m.group(1)):
            found.append(Problem("bulletin-base-lost", f"已发布的通报 {path} 依据的提交 {m.group(1)[:10]} 已不在本库的历史中："
                                 "通报发布之后，历史被改写过（如 git rebase、filter-branch 或强制推送）；请以中心仓库或备份核对",
                                 path=path, severity=ERROR, extra={"commit": m.group(1), "person": "（改写历史不留作者）"}))
    return found


def _branch(root) -> str | None:
    """The branch being audited (its short name); on CI's detached checkout, the one CI names; None for a merge
    request's pipeline, whose merge the forge makes anew at every push (no branch anyone keeps)."""
    branch = gitio.current_branch(root)
    if branch:
        return branch.removeprefix("refs/heads/")
    if os.environ.get("CI_MERGE_REQUEST_IID") or os.environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return None
    name = next((os.environ[v] for v in ("CI_COMMIT_REF_NAME", "GITHUB_REF_NAME") if os.environ.get(v)), None)
    return None if name is None or name.startswith("refs/pull/") or name.endswith("/merge") else name


def _rewritten(root) -> list[Problem]:
    """The head each branch had when this clone last audited it (`.shouwen/audited.json`; CI keeps `.shouwen/`):
    a history that no longer contains it was rewritten (amend, rebase, filter-branch, a force-push), however
    consistent it is in itself. Said at every audit until the office removes the memory."""
    branch, head = _branch(root), gitio.head(root)
    if branch is None or head is None:
        return []
    path = os.path.join(root, ".shouwen", "audited.json")
    seen, old = _memory(root)
    if old is not None and old != head and not gitio.is_ancestor(root, old):
        if gitio.is_ancestor(root, head, old):
            return []       # an older commit audited again (CI's retry of a pipeline): kept as it was
        return [Problem("history-rewritten", f"上次审查时 {branch} 在提交 {old[:10]}，现在的历史已不包含它：历史被改写过"
                        f"（amend、rebase、filter-branch 或强制推送），改写后的历史本身看不出来；原来的历史可用 git log {old[:10]} "
                        f"查看（若尚未清理）。核查之后，办公室可删除本机的记忆（rm .shouwen/audited.json；在 CI 上则清除流水线的缓存）",
                        severity=ERROR, extra={"commit": old, "person": "（改写历史不留作者）"})]
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump({**seen, branch: head}, fh)
        os.replace(path + ".tmp", path)
    except OSError:
        pass                # a read-only clone audits all the same
    return []


class _Times:
    """Each commit's date (a timestamp) by its _key. The log is read oldest first, so a commit's parents are
    nearly always among the last few read: the last RECENT are in two dicts, and every one in two arrays that
    are searched for an older parent (a merge of a long-lived branch). One dict of 616,057 commits was 69 MB."""
    RECENT = 1 << 16

    def __init__(self):
        self.keys, self.whens = array("q"), array("q")
        self.young: dict = {}
        self.old: dict = {}

    def add(self, key: int, when: int) -> None:
        self.keys.append(key)
        self.whens.append(when)
        self.young[key] = when
        if len(self.young) >= self.RECENT:
            self.old, self.young = self.young, {}

    def get(self, key: int) -> int | None:
        when = self.young.get(key)
        if when is None:
            when = self.old.get(key)
        if when is None:
            try:
                when = self.whens[self.keys.index(key)]
            except ValueError:
                return None     # a root's, or outside `--since`
        return when


def _key(sha: str) -> int:
    """A commit's first 60 bits: what the audit keeps of every commit (a small int, not a 40-character string)."""
    return int(sha[:15], 16)


def _signatures(root, rules, aud, report, shas, anchor, signatures, required):
    if required and not signatures:
        anchor = signing.anchor_path(root, anchor)
        if not anchor:
            raise InputError("本机构要求签名（rules/policy.yml signing.required），审查需要信任锚：请用 --trust-anchor "
                             "指定办公室公钥文件，或设置 SHOUWEN_TRUST_ANCHOR / git config shouwen.trustAnchor")
        aud.trust, aud.sigs, report.verified = signing.trust_for(root, anchor, shas, _may_vouch(root))
        aud.trust.start(shas)
    else:
        allowed = signing.key_lines(signing.roster_of(rules))
        aud.sigs, report.verified = signing.verify(root, shas, allowed)
