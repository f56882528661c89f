"""`todo`'s and `list`'s whole-ledger answers: the table of matters, or their JSON list (issue 15).

Each is taken from what is kept of the same question, patched for the records changed since (repo.kept_rows),
else made from the ledger a row at a time, each entry's state made, used and let go (repo.index_rows), and kept.
A table is answered as pieces (core.blocks.Pieces): its lines are the kept rows' own, never joined into one text.
"""
from __future__ import annotations

import json

import click

from .context import entry_json, json_item, json_list, kept_rows, read_ledger


def echo(answer):
    """Write an answer: a text, or core.blocks.Pieces a piece at a time."""
    for piece in (answer,) if isinstance(answer, str) else answer:
        click.echo(piece, nl=False)


def at_moment(bound: bool, text):
    """An answer that holds for this moment only (an hour clock runs) is not kept for the day."""
    from ..repo.answers import Volatile
    return Volatile(text) if bound else text


def kept_for(desk, day, moment, parts: tuple):
    """The table kept for this question (repo.kept_rows), when the index may be used: read, with what patches
    it imported, while Git says what changed."""
    # tables and JSON lists are kept apart, the newest few of each (repo.summary.KEEP)
    return kept_rows(desk, day, moment, parts, "rows" if parts[-1] == "text" else "items",
                     "..core.rows_delta", "..core.worklist", "..core.ledger", ".store")


def _row_of(shown, key_of, render):
    """core.rows_delta's row of an entry: (its place, `render(item, rules)`), None when not shown.
    `shown(entries, rules)`: the worklist items shown, in order; `key_of`: an item's place in that order."""
    def row_of(e, rules):
        items = shown([e], rules)
        return (key_of(items[0]), render(items[0], rules)) if items else None
    return row_of


def _keepable(e) -> bool:
    """Whether a shown entry's row may be kept: one with no id has no place in todo's order after a change."""
    return e.record.id is not None


def matter_table(desk, day, moment, kept, shown, key_of) -> tuple[list, int, bool]:
    """The pieces of `todo`'s or `list`'s table (text: core.blocks.Pieces' parts), how many matters, whether it
    holds for this moment only. `kept`: kept_for's, or None."""
    from ..core import rows_delta
    from ..core.view import matter_row
    row_of = _row_of(shown, key_of, matter_row)

    def patch(rows, entries, rules):
        changes = {}
        for p, e in entries.items():
            changes[p] = None if e is None or e.voided is not None else row_of(e, rules)
            if changes[p] is not None and not _keepable(e):
                return False
        return rows_delta.patch(rows, changes)
    rows = kept.patched(lambda: desk.rules, patch) if kept is not None else None
    if rows is not None:
        return rows_delta.text(rows), len(rows.keys), False
    rows, keepable, bound = _made_table(desk, day, moment, row_of)
    if kept is not None and keepable and not bound:
        kept.keep(desk.rules, rows)
    return rows_delta.text(rows), len(rows.keys), bound


def _made_table(desk, day, moment, row_of):
    """The table made from the whole ledger (rows_delta.Rows), whether it may be kept, whether it holds for this
    moment only. Each row is held as one text until the widths are known, and the ledger is let go before its
    lines are made: at 100,000 matters the rows and the ledger are never held with the lines."""
    from ..core import rows_delta
    from ..core.view import MATTER_HEADERS
    from ..repo.index_rows import one_at_a_time
    rules = desk.rules
    led = read_ledger(desk, day, now=moment)
    made, keepable = rows_delta.Builder(MATTER_HEADERS), True
    for e in one_at_a_time(led.entries):
        row = row_of(e, rules)
        if row is not None:
            made.add(e.record.path, *row)
            keepable = keepable and _keepable(e)
    bound = led.moment_bound
    del led
    return made.done(), keepable and made.fits, bound


def matter_json(desk, day, moment, kept, shown, key_of, as_json):
    """`todo`'s or `list`'s JSON list of matters (`as_json(item, rules, problems)`: an item's object showing
    those problems), kept as its items' texts (core.items_delta) like the table's lines."""
    from ..core import items_delta
    from ..repo.index_rows import let_go, one_at_a_time
    # a changed record's entry is evaluated alone: its problems are its own (what an item is kept with)
    row_of = _row_of(shown, key_of, lambda i, rules: json_item(as_json(i, rules, i.entry.problems)))

    def patch(kept_items, entries, rules):
        changes = {}
        for p, e in entries.items():
            row = None if e is None or e.voided is not None else row_of(e, rules)
            if row is not None and not _keepable(e):
                return False
            changes[p] = None if e is None else (items_delta.facts(e), row)
        return items_delta.patch(kept_items, changes)
    found = kept.patched(lambda: desk.rules, patch) if kept is not None else None
    if found is not None:
        return json_list([_with_added(text, found.added.get(k.rsplit("\0", 1)[-1]))
                          for k, text in zip(found.rows.keys, found.rows.lines)])
    rules = desk.rules
    led = read_ledger(desk, day, now=moment)
    items = shown(one_at_a_time(led.entries), rules)
    texts = [let_go(json_item(as_json(i, rules, i.entry.problems)), i) for i in items]
    if kept is not None and not led.moment_bound and all(i.entry.record.id is not None for i in items):
        kept.keep(rules, _kept_items(led, items, key_of, rules, as_json, texts))
    return at_moment(led.moment_bound, json_list(texts))


def _kept_items(led, items, key_of, rules, as_json, texts):
    """The Items to keep of a list worked out from the whole ledger (`texts`: the items' texts as shown), None
    when they can't be."""
    from ..core import items_delta
    from ..repo.index_rows import let_go
    kept = items_delta.build(sorted((e.record.path, items_delta.facts(e)) for e in led.entries + led.voided))
    if kept is None:
        return None
    rows = []
    for i, shown in zip(items, texts):
        added = kept.added.get(i.entry.record.path, [])
        if added and i.entry.problems[-len(added):] != added:
            return None         # not what judge added: keep nothing rather than something else
        own = let_go(json_item(as_json(i, rules, items_delta.own_problems(i.entry.problems, added))), i) \
            if added else shown         # the same text: kept as the one shown, not made twice
        rows.append((i.entry.record.path, key_of(i), own))
    return items_delta.with_rows(kept, rows)


def matter_object(i, rules, problems) -> dict:
    """A worklist item's entry as JSON (no events), showing `problems`."""
    out = {k: v for k, v in entry_json(i.entry, rules).items() if k != "events"}
    out["problems"] = [p.as_json() for p in problems]
    return out


def _with_added(text: str, added) -> str:
    """A kept item's text with the problems judge added to its entry."""
    if not added:
        return text
    obj = json.loads(text)
    obj["problems"] += [p.as_json() for p in added]
    return json_item(obj)
