"""What a commit is refused for (the pre-commit hook, `check --staged`): the staged records and what
depends on them, at the cost of those few files, whatever the ledger's size.

Four git processes, the first three at once: the staged paths with their blob ids (`diff --cached --raw`), the
paths in Git's index under `records/` (`ls-files`: every record's id from its file name), the rules' blob ids
(`ls-files -s -- rules`), then one `cat-file --batch` for the staged records with their HEAD versions. The rules come from a cache keyed by their blob ids, read from the
index only when they changed. A staged record is judged in full; every other record by the id its file
name gives (which `check` holds to the id inside), and only where the staged ones can meet it: the same id
(`id-duplicate`), or an id they refer to (`inquiry-unknown`). Roles (`role-forbidden`,
`conflict-of-interest`) are judged for the events the commit adds, under the rules being committed, as the
writer judges them. A staged change of rules/ meets every record: all are judged under it (_brought_in_by_rules).
"""
from __future__ import annotations

import hashlib
import os

from . import gitio
from .gitio.log import listing_entries
from ..core.problems import CODES, WARNING, Problem

# What a commit may be refused for: a broken file or a dangling reference, and who may do what. Deadline
# findings are facts to record (a late forward must still be committed), so the hook leaves them to `check`.
STAGED_FAMILIES = {"record", "reference", "rules"}
ROLE_FAMILY = "role"
WATCHED = ("records/", "rules/")


def _ids_in(value, out: set) -> set:
    """Every string inside a record's header: whatever id it may refer to is among them."""
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _ids_in(v, out)
    elif isinstance(value, list):
        for v in value:
            _ids_in(v, out)
    return out


def _file_id(path: str) -> str:
    return path.rsplit("/", 1)[-1][:-3].split(".")[0]


def staged_rules(root: str, blobs: dict[str, str]):
    """The rules as Git's index has them, keyed by their blob ids: the parsed rules of the work tree when
    they are the same files (their own stat-keyed cache), else read from the index once and kept."""
    from .answers import MISSING, keep, read_kept
    from .loader import RULES_CACHE, code_stamp, load_rules
    stamp = repr(code_stamp())
    key = hashlib.sha1("\n".join([stamp] + [f"{p} {b}" for p, b in sorted(blobs.items())]).encode()).hexdigest()
    file = os.path.join(root, os.path.dirname(RULES_CACHE), f"rules-index-{key[:20]}.pickle")
    rules = read_kept(file, key)
    if rules is not MISSING:
        rules.root = root
        return rules
    import tempfile
    data = gitio.cat_files(root, list(blobs.values()))
    with tempfile.TemporaryDirectory() as tmp:
        for path, blob in blobs.items():
            full = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as fh:
                fh.write(data.get(blob, b""))
        rules = load_rules(tmp, cache=False)
    rules.root = root
    keep(file, key, rules)
    return rules


def staged_check(root: str, today) -> tuple[int, list[Problem]]:
    """(records in the index, the problems the commit would bring in)."""
    from .store import refuse_committed_state
    refuse_committed_state(root)        # `git add -f .shouwen` is refused here, and no cache is read while it is staged
    # three git processes at once: what the commit changes (with the blob ids it stages), the paths in records/
    # (how many records, and the ids their file names give) and the rules' blob ids
    changes = gitio.staged_changes(root, later=True)
    paths = gitio.git_bytes(root, "ls-files", "-z", "--deduplicate", "--", "records", later=True)
    listed = gitio.git_bytes(root, "ls-files", "-s", "-z", "--", "rules", later=True)
    changes = changes()
    changed = {p for p in changes if p.startswith(WATCHED)}
    odd = _lookalikes(changes)
    if not changed:
        listed()
        return Listing(paths()).record_count(), odd
    from ..core.ledger import Entry, evaluate, judge      # the judging, imported while git lists the index
    from ..core.record import Record, parse
    index, listed = Listing(paths()), listing_entries(listed())
    if any(mode == "120000" for p, (mode, _) in listed.items() if p == "rules"):
        from .loader import load_rules_at          # a symlinked rules/ folder (this project's own demo)
        rules = load_rules_at(root, gitio.git(root, "write-tree").strip())
    else:
        rules = staged_rules(root, {p: b for p, (_, b) in listed.items() if p.startswith("rules/")})
    at_mine = index.find(sorted(p for p in changed if p.startswith("records/") and p.endswith(".md")))
    blobs = {p: changes[p][1] for p in at_mine}
    unmerged = [p for p, b in blobs.items() if b is None]
    if unmerged:        # a record in conflict stands in several stages: the last one, as Git's index lists it
        blobs.update((p, b) for p, (_, b) in gitio.index_blobs(root, *unmerged).items() if p in blobs)
    data = gitio.cat_files(root, [b for b in blobs.values() if b] + [f"HEAD:{p}" for p in at_mine])
    full, before = {}, {}
    for p, b in blobs.items():
        full[p] = evaluate(parse(p, data.get(b, b"")), rules, today)
        old = data.get(f"HEAD:{p}")
        before[p] = len(parse(p, old).events) if old is not None else 0
    # What `judge` reads of other records: their ids (id-duplicate) and the inquiry a complaint names
    # (inquiry-unknown); every other record is met by the id its file name gives, and only where they match
    wanted = {v for p, e in full.items() for v in (e.record.id, _file_id(p), getattr(e.account, "inquiry", None))
              if isinstance(v, str) and v}
    at = {**index.with_file_ids(wanted), **at_mine}
    # the committed records first, then the staged ones, each in Git's order: `judge` reports a duplicate id
    # on the later holder, which is then the staged record that brings the clash in, wherever its file sorts
    order = sorted(at, key=lambda p: (p in full, at[p]))
    entries = [full.get(p) or Entry(Record(p, {"id": _file_id(p)}), None, None) for p in order]
    led = judge(entries, rules, today)
    rules_staged = any(p.startswith("rules/") for p in changed)
    keep = _brought_in_by_rules(root, rules, today, changed, led.problems) if rules_staged else []
    for p in led.problems:
        family = CODES.get(p.code, ("record",))[0]
        if p.path is not None and p.path not in changed:
            continue
        if p.code == "staff-left" and rules_staged and not _new_event(p, before.get(p.path, 0)):
            keep += _left_late([p])     # a `left:` day committed after the events it precedes
        elif family in STAGED_FAMILIES or p.code == "ladder-invalid":
            keep.append(p)
        elif family == ROLE_FAMILY and _new_event(p, before.get(p.path, 0)):
            keep.append(p)
    return index.record_count(), odd + keep


def _brought_in_by_rules(root: str, rules, today, changed: set, problems: list) -> list[Problem]:
    """What a staged change of rules/ brings in beyond its own files: a rules file it leaves broken (a window
    whose clerk left the roster) and every committed record it leaves broken (a registrant no longer in
    the roster), each record as Git's index has it, judged under the rules being committed. Only what HEAD's
    rules did not give already counts (a record committed broken past the hook is `check`'s to report). Every
    record is read, a thousand at a time on every core: the price of a change of the rules, never of a
    record's commit."""
    from . import store
    from .loader import load_rules_at
    try:
        before = load_rules_at(root, "HEAD")
    except Exception:           # no commit yet, or no rules in it: everything is brought in
        before = None
    out = _new_problems([q for q in problems if q.path and q.path.startswith("rules/") and q.path not in changed],
                        before.problems if before else [])
    items = sorted((p, b) for p, (_, b) in gitio.index_blobs(root, "records").items()
                   if p.endswith(".md") and p not in changed)
    _SHARED.update(root=root, rules=rules, before=before, today=today)       # the forked workers see them
    batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    for found in store.parallel_map(_judge_batch, batches, chunk=1, least=2):
        out += found
    return out


BATCH = 1000
_SHARED: dict = {}


def _judge_batch(items: list) -> list[Problem]:
    from ..core.ledger import evaluate
    from ..core.record import parse
    root, rules, before, today = _SHARED["root"], _SHARED["rules"], _SHARED["before"], _SHARED["today"]
    data = gitio.cat_files(root, sorted({b for _, b in items}))
    out = []
    for path, blob in items:
        rec = parse(path, data.get(blob, b""))
        found = _new_problems(evaluate(rec, rules, today).problems, [])
        if found:
            out += _new_problems(found, evaluate(rec, before, today).problems if before else [])
    return _left_late(_say_left(out, before, rules))


def _left_late(problems: list) -> list[Problem]:
    """`staff-left` on events already committed, brought in by the roster's true last day written late (a matter
    sent to them before the roster said they had left): those events can't be corrected, so the roster is not
    refused; a warning says what to do, and `check` still reports each as the error it is."""
    from dataclasses import replace
    return [replace(q, severity=WARNING, message=f"{q.message}。此事件已记入、无法更改，名册照常提交：请把其经手的"
                    "未办结事项移交同科室的同事（check 仍会报告此项）") if q.code == "staff-left" else q for q in problems]


def _say_left(problems: list, before, rules) -> list[Problem]:
    """A badge the staged roster deleted while records still name it: the refusal says who, and how a
    departure is recorded instead (the line kept, with `left:`)."""
    import re
    from dataclasses import replace
    gone = {b: s for b, s in before.staff.items() if b not in rules.staff} if before is not None else {}
    out = []
    for q in problems:
        b = next((b for b in gone if q.code == "staff-unknown"
                  and re.search(rf"(?<![A-Za-z0-9]){re.escape(b)}(?![A-Za-z0-9])", q.message)), None)
        out.append(q if b is None else replace(q, message=(
            f"{q.message}：{gone[b].name}（{b}）已从名册删除，但记录仍用到该工号；离职或调离请保留其名册行，"
            "加上 left: 最后工作日（如 left: 2026-10-31）")))
    return out


def _new_problems(found: list, was: list) -> list[Problem]:
    """Those of `found` that can refuse a commit and that `was` did not hold already."""
    old = {(q.code, q.path, q.field) for q in was}
    return [q for q in found if CODES.get(q.code, ("record",))[0] in STAGED_FAMILIES
            and (q.code, q.path, q.field) not in old]


def _lookalikes(changes: dict) -> list[Problem]:
    """Staged paths a case-blind desk (Windows, macOS) would check out over a record or the rules."""
    from .audit_paths import lookalike
    found = []
    for p, (status, _) in changes.items():
        why = lookalike(p) if status != "D" else None
        if why:
            found.append(Problem("path-lookalike", f"{why}；在不区分大小写的电脑（Windows、macOS）上检出时会覆盖"
                                 "真正的文件，而 check 与审查都不读它", path=p, severity="error"))
    return found


class Listing:
    """`git ls-files -z --deduplicate -- records` (the paths only: half the bytes of `-s`, and the blob ids
    the commit stages come from `git diff --cached --raw`), searched where a commit needs it: parsing each of
    a hundred thousand paths cost more than the rest of the hook. A record is found by its path, or by the
    id its file name gives (`<id>.md`, `<id>.<code>.md`), each with its place in the index's order. Where
    the searches would cost more than parsing it all (many staged records) it is parsed whole. A place is
    a path's offset, or its number once parsed whole: one kind in one check."""

    SEARCHES = 20           # staged records searched for one by one (each with its id and what it names)

    def __init__(self, out: bytes):
        self.out, self.whole = out, None

    def _parse(self) -> dict:
        if self.whole is None:
            self.whole = {p.decode("utf-8", "surrogateescape"): i for i, p in enumerate(self.out.split(b"\0")) if p}
        return self.whole

    def record_count(self) -> int:
        return self.out.count(b".md\0")      # each path once (--deduplicate), ending at its NUL

    def find(self, paths: list[str]) -> dict[str, int]:
        """path -> place of those of `paths` the index lists."""
        if self.whole is not None or len(paths) > self.SEARCHES:       # then `with_file_ids` reads it whole too
            return {p: self._parse()[p] for p in paths if p in self._parse()}
        out = {}
        for p in paths:
            path = p.encode("utf-8", "surrogateescape") + b"\0"
            if self.out.startswith(path):
                out[p] = 0
            elif (at := self.out.find(b"\0" + path)) >= 0:
                out[p] = at + 1
        return out

    def with_file_ids(self, ids: set[str]) -> dict[str, int]:
        """path -> place of every record whose file name gives one of `ids`."""
        if self.whole is not None:
            return {p: i for p, i in self._parse().items() if p.endswith(".md") and _file_id(p) in ids}
        out, listing = {}, self.out
        for rid in ids:
            if any(c in rid for c in "/.\0"):
                continue            # a file's id has no dot or slash
            needle = b"/" + rid.encode("utf-8", "surrogateescape") + b"."
            i = listing.find(needle)
            while i >= 0:
                start = listing.rfind(b"\0", 0, i) + 1
                p = listing[start:listing.find(b"\0", i)].decode("utf-8", "surrogateescape")
                if p.endswith(".md") and _file_id(p) == rid:
                    out[p] = start
                i = listing.find(needle, i + 1)
        return out


def _new_event(p: Problem, known: int) -> bool:
    """Whether a role problem is about an event this commit adds (events[i] with i past HEAD's events)."""
    field = p.field or ""
    if not field.startswith("events["):
        return True
    try:
        return int(field[len("events["):field.index("]")]) >= known
    except ValueError:
        return True
