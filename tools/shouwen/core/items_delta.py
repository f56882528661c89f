"""A JSON list of matters (`todo`/`list --format json`) kept as its items' texts, which a few changed records
patch (pure; issue 15).

An item shows its entry's problems, and `ledger.judge` adds two that only the whole ledger shows: a
duplicate id (on every holder after the first in path order) and an unknown inquiry referred to. So the
items are kept without those (core.rows_delta's texts), and beside them the ids of every record file and
the references of every entry not void: a changed record looks its ids up again, and the problems judge
would add are put into the few items that have some when the list is written.
"""
from __future__ import annotations

from dataclasses import dataclass

from .ledger import duplicate_id, unknown_inquiry
from .ledger_delta import _known, _paths_with, _plain_text, id_of
from .rows_delta import Rows, build_texts
from .rows_delta import patch as patch_rows


@dataclass
class Items:
    rows: Rows          # each shown item's JSON text, its own problems only
    table: str          # "\n{path}\t{id}" of every record file, void or not, then "\n" (as ledger_delta's)
    refs: dict          # path -> the inquiry it refers to, of the entries not void that refer to one
    added: dict         # path -> [the problems judge adds to it], of the paths given some

    @property
    def spooled(self) -> bool:
        """Whether its items' texts are kept outside memory (repo.answers keeps them a block at a time)."""
        return self.rows is not None and self.rows.lines.spooled


def facts(entry) -> tuple:
    """(id or '', the inquiry it refers to or None) of an evaluated entry, as judge reads them."""
    ref = None if entry.voided is not None else getattr(entry.account, "inquiry", None) or None
    return entry.record.id or "", ref


def _added(table: str, refs: dict, path: str, rid: str) -> list:
    out = []
    if rid:
        holders = _paths_with(table, rid)
        if holders and holders[0] != path:
            out.append(duplicate_id(rid, holders[0], path))
    ref = refs.get(path)
    if ref is not None and not _known(table, ref, None):
        out.append(unknown_inquiry(ref, path, rid or None))
    return out


def build(every: list) -> Items | None:
    """From (path, facts) of every record file in path order, before the items are added (`with_rows`);
    None when a path or id can't be kept in the table."""
    if not all(_plain_text(p) and _plain_text(rid) for p, (rid, _) in every):
        return None
    table = "".join(f"\n{p}\t{rid}" for p, (rid, _) in every) + "\n"
    refs = {p: ref for p, (_, ref) in every if ref is not None}
    first = {}
    for p, (rid, _) in every:
        if rid:
            first.setdefault(rid, p)
    added = {}
    for p, (rid, ref) in every:         # as _added gives, with the ids at hand rather than searched
        found = [duplicate_id(rid, first[rid], p)] if rid and first[rid] != p else []
        if ref is not None and not (isinstance(ref, str) and ref in first):
            found.append(unknown_inquiry(ref, p, rid or None))
        if found:
            added[p] = found
    return Items(None, table, refs, added)


def with_rows(items: Items, shown: list) -> Items | None:
    """`items` with (path, key, text) of the items shown in order, each text with its own problems only."""
    items.rows = build_texts(shown)
    return items if items.rows is not None else None


def patch(items: Items, changes: dict) -> bool:
    """Apply `changes`: path -> None (no file now) or (facts, (key, text) of its item or None: not shown).
    False when it can't be kept (then make the list again)."""
    touched = set()
    for path, change in changes.items():
        old = id_of(items.table, path)
        if old:
            touched.add(old)
        if old is not False:
            i = items.table.find(f"\n{path}\t")
            items.table = items.table[:i] + items.table[items.table.index("\n", i + 1):]
        items.refs.pop(path, None)
        if change is not None:
            (rid, ref), _ = change
            if not _plain_text(path) or not _plain_text(rid):
                return False
            items.table += f"{path}\t{rid}\n"
            if rid:
                touched.add(rid)
            if ref is not None:
                items.refs[path] = ref
    again = set(changes)
    for rid in touched:
        again.update(_paths_with(items.table, rid))
    again.update(p for p, ref in items.refs.items() if isinstance(ref, str) and ref in touched)
    for p in again:
        rid = id_of(items.table, p)
        found = _added(items.table, items.refs, p, rid) if rid is not False else []
        if found:
            items.added[p] = found
        else:
            items.added.pop(p, None)
    return patch_rows(items.rows, {p: None if c is None else c[1] for p, c in changes.items()})


def own_problems(problems: list, added: list) -> list:
    """An entry's problems less those judge added (`added`, which judge put last)."""
    return problems[:len(problems) - len(added)] if added else problems
