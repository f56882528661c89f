"""What a commit is refused for (the pre-commit hook, `check --staged`): the staged records and what
depends on them, at the cost of those few files, whatever the ledger's size.

Three git processes: the staged paths (`diff --cached`), Git's index of `records/` and `rules/` (`ls-files
-s`: every record's id from its file name, the rules by blob id), and one `cat-file --batch` for the staged
records with their HEAD versions. The rules come from a cache keyed by their blob ids, read from the
index only when they changed. A staged record is judged in full; every other record by the id its file
name gives (which `check` holds to the id inside), and only where the staged ones can meet it: the same id
(`id-duplicate`), or an id they refer to (`inquiry-unknown`). Roles (`role-forbidden`,
`conflict-of-interest`) are judged for the events the commit adds, under the rules being committed, as the
writer judges them.
"""
from __future__ import annotations

import hashlib
import os

from . import gitio
from ..core.problems import CODES, Problem

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


def staged_check(root: str, today, changed: set | None = None) -> tuple[int, list[Problem]]:
    """(records in the index, the problems the commit would bring in). `changed`: the staged paths under
    records/ and rules/, when the caller has asked Git already (`watched_changes`)."""
    changed = watched_changes(root) if changed is None else changed
    listed = gitio.index_blobs(root, "records", "rules")
    records = [(p, b) for p, (_, b) in listed.items() if p.startswith("records/") and p.endswith(".md")]
    if not changed:
        return len(records), []
    from ..core.ledger import Entry, evaluate, judge      # the judging: only when a record or rule is committed
    from ..core.record import Record, parse
    if any(mode == "120000" for p, (mode, _) in listed.items() if p == "rules"):
        from .loader import load_rules_at          # a symlinked rules/ folder (this project's own demo)
        rules = load_rules_at(root, gitio.git(root, "write-tree").strip())
    else:
        rules = staged_rules(root, {p: b for p, (_, b) in listed.items() if p.startswith("rules/")})
    mine = [(p, b) for p, b in records if p in changed]
    data = gitio.cat_files(root, [b for _, b in mine] + [f"HEAD:{p}" for p, _ in mine])
    full, before = {}, {}
    for p, b in mine:
        full[p] = evaluate(parse(p, data.get(b, b"")), rules, today)
        old = data.get(f"HEAD:{p}")
        before[p] = len(parse(p, old).events) if old is not None else 0
    wanted = {full[p].record.id for p in full} | {_file_id(p) for p in full}
    for e in full.values():
        _ids_in(e.record.meta, wanted)
    entries = [full.get(p) or Entry(Record(p, {"id": _file_id(p)}), None, None) for p, _ in records
               if p in full or _file_id(p) in wanted]
    led = judge(entries, rules, today)
    keep = []
    for p in led.problems:
        family = CODES.get(p.code, ("record",))[0]
        if p.path is not None and p.path not in changed:
            continue
        if family in STAGED_FAMILIES or p.code == "ladder-invalid":
            keep.append(p)
        elif family == ROLE_FAMILY and _new_event(p, before.get(p.path, 0)):
            keep.append(p)
    return len(records), keep


def watched_changes(root: str) -> set[str]:
    return {p for p in gitio.staged_paths(root) if p.startswith(WATCHED)}


def _new_event(p: Problem, known: int) -> bool:
    """Whether a role problem is about an event this commit adds (events[i] with i past HEAD's events)."""
    field = p.field or ""
    if not field.startswith("events["):
        return True
    try:
        return int(field[len("events["):field.index("]")]) >= known
    except ValueError:
        return True
