"""The whole-ledger judgement of the work tree, kept under .shouwen/ as a core.ledger_delta.Summary, so that
`check` after a few records changed judges those records only (issue 15).

It is kept under what it follows from — the judging key (the code, the rules and their history) and the
day — for one commit (HEAD when it was made) and the record files that then differed from it (`over`:
path -> (blob judged, HEAD's blob)). A later work tree is compared with it through `git status`, which
names every file that differs from HEAD with HEAD's blob, and, when HEAD has moved, `git diff-tree` between
the two commits: the records whose blob is not the one judged are judged again and the summary is patched.
Whatever it can't name exactly (no commit yet, a merge in progress, a symlink, a commit it can't read, too
many changes, an hour clock judged by the moment) goes to the index (repo.index), which makes a new one. It
is only a cache: `check --no-cache` gives the same answers.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from datetime import date, datetime

from . import gitio, store
from .answers import MISSING, fingerprint, judging_key, keep, read_kept

FOLDER = os.path.join(".shouwen", "index")

VERSION = 1
MAX_CHANGES = 2000      # more changed records than this: the index judges the whole ledger as quickly
SAVE_FROM = 8           # a patch of fewer work-tree changes is made again next time rather than written


def hour_clock(rules) -> bool:
    """Whether a deadline may be counted in hours (then a judgement by the moment is the moment's only)."""
    clocks = [rules.policy.clock] + [s.clock for s in rules.services.values()]
    return any(c is not None and c.unit == "hours" for c in clocks)


def changed_now(tree) -> dict | None:
    """path -> (its blob in the work tree, HEAD's blob), None for no file, of every record file that differs
    from HEAD, as `listing` reads the work tree; None when that can't be told from `git status`."""
    st = tree.status()
    if st.head is None or st.unmerged:
        return None
    dirty = tree.dirty()
    out = {}
    for p, (xy, m_head, m_tree, h_head, h_index) in st.changed.items():
        if "120000" in (m_head, m_tree):
            return None
        if p.endswith(".md"):
            cur = h_index if xy[0] != "D" else None         # staged only: the work tree's bytes are the index's
            out[p] = (gitio.blob_id(dirty[p]) if dirty.get(p) is not None else None if p in dirty else cur, h_head)
    for p in st.untracked:
        if p.endswith(".md") and dirty.get(p) is not None:
            out[p] = (gitio.blob_id(dirty[p]), st.changed[p][3] if p in st.changed else None)
    return out


def changed_since(root: str, tree, head: str, over: dict) -> tuple[dict, dict] | None:
    """What changed in the work tree since a judgement made for commit `head` and the files `over` (path ->
    (blob judged, HEAD's blob)) then: ({path: its blob now, None if gone} of every record file whose blob is
    not the one judged, the files that now differ from HEAD as `over` says them); None when that can't be told
    (no commit, a merge in progress, a symlink, a commit that can't be read, too many changes)."""
    now = changed_now(tree)
    if now is None:
        return None
    here = tree.status().head
    if head != here:
        moved = gitio.tree_changes(root, head, here, store.RECORDS)
        if moved is None or len(moved) > MAX_CHANGES:
            return None
        over = dict(over)
        for p, m_old, m_new, b_old, b_new in moved:
            if "120000" in (m_old, m_new):
                return None
            if p.endswith(".md"):
                over[p] = (over[p][0] if p in over else b_old, b_new)
    judged, now_over = {}, {}
    for p in over.keys() | now.keys():
        cur, in_head = now[p] if p in now else (over[p][1], over[p][1])
        if cur != (over[p][0] if p in over else in_head):
            judged[p] = cur
        if cur != in_head:
            now_over[p] = (cur, in_head)
    return (judged, now_over) if len(judged) <= MAX_CHANGES else None


def entries_now(root: str, tree, judged: dict, rules, when, rules_on) -> dict:
    """path -> the record's entry now (core.ledger.evaluate as of `when`, as the index judges it), None for
    one removed, for the `judged` of changed_since."""
    from ..core.ledger import evaluate
    dirty = tree.dirty()
    wanted = [b for p, b in judged.items() if b is not None and p not in dirty and p not in tree.status().changed]
    from_git = gitio.cat_files(root, wanted) if wanted else {}       # HEAD's version, back in the work tree
    out = {}
    for p, blob in judged.items():
        if blob is None:
            out[p] = None
            continue
        if p in dirty:
            data = dirty[p]
        elif blob in from_git or getattr(tree, "rev", None):        # a commit's records are Git's alone
            data = from_git.get(blob, b"")          # as store.contents reads a blob Git lacks
        else:
            data = store.read_bounded(os.path.join(root, p))
        out[p] = evaluate(store.parse_checked(p, data), rules, when, rules_on)
    return out


def summary_key(root: str, in_time, day: date) -> str | None:
    """What a judgement of the whole ledger on `day` follows from besides the record files: the judging key
    (the core's code, the rules and their history), this module's and the kept tables' code, the day."""
    jk = judging_key(fingerprint(root), in_time)
    if jk is None:
        return None
    h = hashlib.sha1()
    for name in ("summary.py", "kept_rows.py"):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "rb") as fh:
            h.update(fh.read())
    return f"{VERSION}:{jk}:{h.hexdigest()}:{day.isoformat()}"


def kept_file(root: str, kind: str, key: str | None) -> str:
    return os.path.join(root, FOLDER, f"{kind}-v{VERSION}-{hashlib.sha1((key or '').encode()).hexdigest()[:16]}.pickle")


class Following:
    """Something worked out from the work tree's whole ledger on `day` (judged as of `moment` when given),
    kept as (HEAD, over, hourly, value) under the judging key, the day and `parts`, and patched for the
    records that changed since. `save_on_move`: write it again whenever HEAD moved (else only when many
    records changed: a large value, such as an exported ledger, is patched again from an older commit
    rather than written at every commit)."""
    save_on_move = True
    plain = False       # the value is kept without pickle's memo (repo.answers.keep)

    def __init__(self, root: str, tree, in_time, day: date, moment: datetime | None, kind: str, parts: tuple = ()):
        self.root, self.tree, self.in_time, self.day, self.moment = root, tree, in_time, day, moment
        key = summary_key(root, in_time, day)
        self.key = None if key is None else f"{key}:{parts!r}" if parts else key
        self.file = kept_file(root, kind, self.key)
        self.kept = None

    def save_from(self) -> int:
        """How many changed records make the patched value worth writing again."""
        return SAVE_FROM

    def prefetch(self, *modules: str):
        """Read what is kept, and import the `modules` that patch it, while Git is asked what changed
        (store.WorkTree.start): on two cores the two overlap."""
        import importlib
        for name in modules:
            importlib.import_module(name, __package__)
        self.kept = read_kept(self.file, self.key) if self.key is not None else MISSING

    def rules_on(self, rules):
        return self.in_time.on if self.in_time is not None else None

    def changed(self, rules_of, also=None):
        """(the kept value, {path: its entry now, None if gone} for the records changed since, the rules or
        None when nothing changed, whether to write it again), or None when nothing kept can be followed.
        `also(value)`: {path: its blob} of unchanged records to judge again all the same (`self.judged` then
        holds the blob of each record judged)."""
        kept = self.kept if self.kept is not None else read_kept(self.file, self.key) if self.key is not None else MISSING
        self.kept = None
        if kept is MISSING or not isinstance(kept, tuple) or len(kept) != 4:
            return None
        head, over, hourly, value = kept
        found = None if hourly and self.moment is not None else changed_since(self.root, self.tree, head, over)
        if found is None:
            return None
        judged, self.over = found
        moved = len(judged)     # the records judged again each day (`also`) are judged again tomorrow: no reason to write
        for p, blob in (also(value) if also is not None else {}).items():
            judged.setdefault(p, blob)
        self.judged = judged
        rules = rules_of() if judged else None
        entries = entries_now(self.root, self.tree, judged, rules, self.moment or self.day,
                              self.rules_on(rules)) if judged else {}
        self.hourly = hourly
        return value, entries, rules, self.save_on_move and head != self.tree.status().head or moved >= self.save_from()

    def save(self, value, over: dict | None = None, hourly: bool | None = None):
        if keep(self.file, self.key, (self.tree.status().head, self.over if over is None else over,
                                      self.hourly if hourly is None else hourly, value), self.plain):
            _prune(os.path.dirname(self.file), os.path.basename(self.file).split("-v", 1)[0])

    def keeps(self, rules) -> bool:
        """Whether a value worked out from the whole ledger may be kept (then `save_new` keeps it)."""
        return self.key is not None and not (hour_clock(rules) and self.moment is not None)

    def save_new(self, rules, value):
        now = changed_now(self.tree)
        if now is not None:
            self.save(value, {p: v for p, v in now.items() if v[0] != v[1]}, hour_clock(rules))


class Kept(Following):
    """The summary of the work tree's ledger for `check` on `day` (judged as of `moment` when given)."""

    def __init__(self, root: str, tree, in_time, day: date, moment: datetime | None, since: datetime):
        super().__init__(root, tree, in_time, day, moment, "summary")
        self.since = since

    def answer(self, rules_of) -> tuple | None:
        """(records counted, problems, latest events) as `check` gives them, from the kept summary patched
        for what changed since; None when there is none that can be patched. `rules_of()`: the rules."""
        from ..core import ledger_delta
        return self._patched(rules_of, False, lambda s: (ledger_delta.count(s), ledger_delta.problems(s),
                                                           ledger_delta.latest(s)))

    def complaints(self, rules_of) -> list | None:
        """The complaints not void, in path order (what the ladder reads of the ledger), likewise."""
        return self._patched(rules_of, True, lambda s: [s.complaints[p] for p in sorted(s.complaints)])

    def _patched(self, rules_of, complaints_too: bool, answer):
        found = self.changed(rules_of)
        if found is None:
            return None
        (s, complaints), entries, rules, again = found
        from ..core import ledger_delta
        changes = {}
        if entries:
            from ..core.accountability import Complaint
            changes = {p: None if e is None else
                       (*ledger_delta.light_of(e, self.since), e.account if isinstance(e.account, Complaint) else None)
                       for p, e in entries.items()}
        if s.complaints is None and (complaints_too or ledger_delta.touches_complaints(s, changes)):
            s.complaints = pickle.loads(complaints)
        if changes and not ledger_delta.patch(s, changes, rules, self.day, self.rules_on(rules)):
            return None
        found = answer(s)
        if again:
            self.save(_packed(s, complaints))
        return found

    def keeper(self, rules):
        """What the index calls with the ledger's entries before judging them (repo.index.load_ledger's
        `before_judge`): their summary is kept. None when nothing may be kept."""
        if not self.keeps(rules):
            return None

        def summarize(entries):
            from ..core.ledger_delta import summarize
            s = summarize(entries, rules, self.day, self.rules_on(rules), self.since)
            if s is not None:
                self.save_new(rules, _packed(s, None))
        return summarize


KEEP = 6        # of each kind (a summary is about 100 bytes a record): other days, rules, questions


def _prune(folder: str, kind: str):
    try:
        names = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith(f"{kind}-v")]
        names.sort(key=lambda f: os.stat(f).st_mtime_ns, reverse=True)
        for f in names[KEEP:]:
            os.unlink(f)
    except OSError:
        pass        # another command pruned at the same moment: only costs room


def _packed(s, complaints: bytes | None) -> tuple:
    """(the summary, its complaints as pickled bytes apart: read only when a change touches a complaint)."""
    if s.complaints is not None:
        complaints = pickle.dumps(s.complaints, protocol=pickle.HIGHEST_PROTOCOL)
    s.complaints = None
    return s, complaints
