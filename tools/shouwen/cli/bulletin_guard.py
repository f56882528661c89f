"""No bulletin leaves the agency with a visitor's or complainant's personal values in what a clerk typed into it
(the city's JSON, the gongwen, the page published): the guard of `bulletin`, kept by the commit it was clean at."""
from __future__ import annotations

import os

from ..core.problems import InputError
from ..repo import gitio
from .context import kept_rows, read_ledger


def refuse_personal(desk, name, qa, sha, day, what, also=()):
    """No bulletin leaves the agency with a complainant's or visitor's name or phone in it, typed into a sanction's
    measures or 文号 (the only text of a bulletin a clerk types; `also`: what is typed for the 公文 itself): one
    published is never rewritten and would stop every later site build; the city's copy and the gongwen go out of the agency. Looked for as a site build does,
    among every record's values (publish.guard_values). Texts found clean are kept so, with the commit `sha` the
    bulletin is computed from: for a later one only the records changed since can hold a value new to them, so only
    theirs are looked up; any candidate, or texts not judged before, and every record's values are looked at."""
    typed = [x for _, s in qa.sanctions for x in [*map(str, s.measures), s.decision or ""] if x]
    typed += [x for x in also if x]         # what the office types for the 公文 itself: its number, whom it goes to
    if not typed:
        return
    import hashlib
    from ..publish import guard_values
    from ..publish.privacy import leaks
    from ..repo.answers import MISSING, _prune, judging_key, keep, package_stamp, read_kept
    digest = hashlib.sha1(repr(typed).encode("utf-8", "surrogatepass")).hexdigest()
    memo = os.path.join(desk.root, ".shouwen", "cache", "bulletin-guard", f"{digest}.pickle")   # one a quarter's texts
    # the rules say what is personal (a staff member's own name is not): the code and the rules name the verdict
    rules = judging_key(desk.rules)
    key = repr(("clean bulletin texts, the commit", package_stamp(), rules, digest)) if rules else None
    last = read_kept(memo, key) if desk.use_cache and key else MISSING
    if isinstance(last, str) and _clean_since(desk, typed, last, sha, day):
        if last != sha and keep(memo, key, sha):
            _prune(os.path.dirname(memo))
        return
    # new texts (a sanction recorded since), or no verdict: every record's values, from the table kept of them
    # by the day and patched for what changed since (repo.kept_rows), else from the whole ledger
    kept = kept_rows(desk, day, None, ("guard-values", package_stamp()), "values", save_on_move=False)
    if kept is not None:
        kept.plain = True       # texts and counts: nothing shared
    parts = kept.patched(lambda: desk.rules, guard_values.patch) if kept is not None else None
    if parts is None:
        from ..repo.index_rows import Drained
        led = read_ledger(desk, day)
        entries = Drained(led.entries + led.voided)
        del led
        parts = guard_values.table(entries, desk.rules)
        if kept is not None:
            kept.keep(desk.rules, parts)
    sought = guard_values.found_in(typed, parts)
    found = list({(p.record, p.field): p for piece in typed for p in leaks(name, piece, sought)}.values())
    if found:
        raise InputError(f"{what}：其中含有投诉人或来访人的个人信息；请先更正所列记录（shouwen correct，或另记处理决定）",
                         found)
    # the values looked at were the work tree's: a verdict for the commit only when its records are the commit's
    if desk.use_cache and key and _as_committed(desk, sha) and keep(memo, key, sha):
        _prune(os.path.dirname(memo))


def _as_committed(desk, sha) -> bool:
    st = gitio.status(desk.root, "records/")
    return st.head == sha and not st.changed and not st.untracked and not st.unmerged


def _clean_since(desk, typed, last, sha, day) -> bool:
    """Whether texts found clean at commit `last` are clean at `sha`: a value gone leaves
    fewer to find, so only the records changed between the two are looked up (a few hundred at most)."""
    if last == sha:
        return True
    changed = gitio.tree_changes(desk.root, last, sha, "records/")
    if changed is None or len(changed) > 500:
        return False
    from ..core.ledger import evaluate
    from ..publish import guard_values
    from ..repo.store import parse_checked
    now = {p: b for p, _, _, _, b in changed if p.endswith(".md") and b is not None}
    data = gitio.cat_files(desk.root, list(now.values())) if now else {}
    entries = {p: evaluate(parse_checked(p, data.get(b, b"")), desk.rules, day) for p, b in now.items()}
    return guard_values.clean_after(typed, entries, desk.rules)
