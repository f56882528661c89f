"""The history audit (DESIGN §11): every commit's records, read as parsed records, against its parents.

One streamed `git log --raw` pass lists what each commit changed (blob ids, no diff text); merges
are read against every parent with one `git diff-tree --stdin`. The records are parsed through the
one reader, cached by blob id, so a commit is judged on what its records say, not on the shape of
its diff lines: another layout, a duplicate key or a block-style event hides nothing. A merge may
only keep the union of its parents; whatever it drops or alters beyond that is reported.
Commits that touch the rules, the site's configuration, CI or hooks are audited too.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field

from . import gitio, signing, store
from ..core.problems import InputError
from ..core.roles import refusal
from ..core.rules import Rules
from .audit_commit import ZERO, Auditor, is_config, is_record
from .loader import load_rules_at
from .versions import VersionReader


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
    return is_record(path) or path.startswith("site/bulletins/") or is_config(path)


def audit(root: str, rules: Rules, since: str | None = None, paths: tuple | None = None, anchor: str | None = None,
          signatures: bool = False, progress=lambda done, total: None) -> Report:
    """Under a signing policy, `anchor` (else $SHOUWEN_TRUST_ANCHOR, else git config shouwen.trustAnchor)
    starts the chain of trust; `signatures` asks only whether each commit is signed (for `history`);
    `paths` limits the audit to these files (for `history`); `progress(done, total)` after each commit."""
    # Every record version, event and step read here lives until the report is made, and none of them is a
    # cycle: the cycle collector would only walk them again and again (a third of a cold audit's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _audit(root, rules, since, paths, anchor, signatures, progress)
    finally:
        if collecting:
            gc.enable()


def _audit(root, rules, since, paths, anchor, signatures, progress) -> Report:
    only = paths
    report = Report()
    rev = f"{since}..HEAD" if since else "HEAD"
    reader = VersionReader(root, store.history_cache(root))

    def fetch(path, old, new):      # the record versions, read while git writes the log
        if is_record(path) and _wanted(path, only):
            reader.change(path, old, new)
    try:
        commits = gitio.log_changes(root, rev, fetch)
    except gitio.GitError as e:
        reader.close()
        if "does not have any commits" in str(e) or "unknown revision" in str(e) and "HEAD" in str(e):
            return report
        raise InputError(f"读取 Git 历史失败：{e}")
    merges = gitio.merge_changes(root, [c for c in commits if len(c.parents) > 1])
    relevant = []
    for c in commits:
        chs = merges.get(c.sha) if len(c.parents) > 1 else [c.changes]
        chs = [[x for x in ch if _wanted(x[0], only)] for ch in chs]
        if any(chs):
            relevant.append((c, chs))
    report.commits = len(relevant)
    pairs = {(p, b) for _, chs in relevant for ch in chs for p, o, n in ch if is_record(p) for b in (o, n) if b != ZERO}
    steps = [(p, o, n) for c, chs in relevant if len(c.parents) <= 1 for p, o, n in chs[0]
             if is_record(p) and o != ZERO and n != ZERO]
    records = reader.records(sorted(pairs), steps)
    trust, sigs = None, {}
    shas = [c.sha for c, _ in relevant]
    if rules.policy.signing_required and not signatures:
        anchor = signing.anchor_path(root, anchor)
        if not anchor:
            raise InputError("本机构要求签名（rules/policy.yml signing.required），审查需要信任锚：请用 --trust-anchor "
                             "指定办公室公钥文件，或设置 SHOUWEN_TRUST_ANCHOR / git config shouwen.trustAnchor")
        trust, sigs, report.verified = signing.trust_for(root, anchor, shas, _may_vouch(root))
        trust.start(shas)
    elif signatures:
        allowed = signing.key_lines(signing.roster_of(rules))
        sigs, report.verified = signing.verify(root, shas, allowed)
    aud = Auditor(root, rules, report, records, trust, sigs, set(only) if only else None)
    if since:
        aud.now = load_rules_at(root, since)
    for i, (c, chs) in enumerate(relevant, 1):
        aud.commit(c, chs)
        progress(i, len(relevant))
    return report
