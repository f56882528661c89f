"""`todo`'s and `list`'s whole-ledger answers: the table of matters, or their JSON list (issue 15).

Each is taken from what is kept of the same question, patched for the records changed since (repo.kept_rows),
else made from the ledger a row at a time, each entry's state made, used and let go (repo.index_rows), and kept.
A table is answered as pieces (core.blocks.Pieces): its lines are the kept rows' own, never joined into one text.
"""
from __future__ import annotations

import json

import click

from .context import json_item, json_list, kept_rows, read_ledger


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
    lines are made, into the spill of a large ledger (repo.spill): at 100,000 matters the rows and the ledger
    are never held with the lines."""
    from ..core import rows_delta
    from ..core.view import MATTER_HEADERS
    from ..repo.index_rows import one_at_a_time
    from ..repo.spill import Spill
    rules = desk.rules
    led = read_ledger(desk, day, now=moment)
    made, keepable = rows_delta.Builder(MATTER_HEADERS), True
    for e in one_at_a_time(led.entries):
        row = row_of(e, rules)
        if row is not None:
            made.add(e.record.path, *row)
            keepable = keepable and _keepable(e)
    bound, spill = led.moment_bound, Spill.make(desk.root, len(led.entries))
    del led
    return made.done(spill.spooled if spill else None), keepable and made.fits, bound


def matter_json(desk, day, moment, kept, shown, key_of, as_json):
    """`todo`'s or `list`'s JSON list of matters (`as_json(item, rules, problems)`: an item's object showing
    those problems), kept as its items' texts (core.items_delta) like the table's lines."""
    from ..core import items_delta
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
        changed = {n: _with_added(found.rows.lines[n], found.added[k.rsplit("\0", 1)[-1]])
                   for n, k in enumerate(found.rows.keys) if k.rsplit("\0", 1)[-1] in found.added}
        return _json_pieces(found.rows.lines.with_changed(changed))
    texts, items, bound = _made_json(desk, day, moment, shown, row_of, as_json, kept is not None)
    if items is not None and not bound:
        kept.keep(desk.rules, items)
    return at_moment(bound, _json_pieces(texts))


def _json_pieces(texts):
    """json_list's text of the items' texts (Blocks), as pieces."""
    from ..core.blocks import Pieces
    return Pieces(["[\n", (texts, ",\n", "\n"), "]\n"]) if len(texts) else json_list([])


def _made_json(desk, day, moment, shown, row_of, as_json, keep: bool):
    """The items' texts shown (Blocks), the Items to keep (None: they can't be), whether they hold for this
    moment only. Each text is spilled as it is made (repo.spill) and the ledger let go before they are put in
    order: a JSON list of 100,000 matters is 73 MB, never held."""
    from ..core import items_delta
    from ..core.blocks import SIZE, Blocks, decoded
    from ..core.rows_delta import Rows, keepable
    from ..repo.index_rows import one_at_a_time
    from ..repo.spill import Spill
    rules = desk.rules
    led = read_ledger(desk, day, now=moment)
    items = items_delta.build(sorted((e.record.path, items_delta.facts(e)) for e in led.entries + led.voided)) \
        if keep else None
    spill = Spill.make(desk.root, len(led.entries))
    spool = spill.spooled if spill else None
    rows = []       # (key, path, its text shown, or where it waits; its own text when judge added problems)
    for e in one_at_a_time(led.entries):
        row = row_of(e, rules)
        if row is None:
            continue
        key, text = row
        added = items.added.get(e.record.path) if items is not None else None
        own = None
        if added and e.problems[-len(added):] == added:
            own = json_item(as_json(shown([e], rules)[0], rules, items_delta.own_problems(e.problems, added)))
        elif added or not _keepable(e):
            items = None        # not what judge added: keep nothing rather than something else
        rows.append((key, e.record.path, spool(text.encode("utf-8", "surrogatepass")) if spool else text, own))
    bound = led.moment_bound
    del led
    rows.sort(key=lambda r: r[0])       # todo's order (list's is the ledger's)
    if items is not None and not all(keepable(path, key) for key, path, _, _ in rows):
        items = None
    shown_texts, own_texts = Blocks(), Blocks()
    for start in range(0, len(rows), SIZE):
        part = rows[start:start + SIZE]
        texts = [t if isinstance(t, str) else decoded(t) for _, _, t, _ in part]
        stored = shown_texts.add_block(texts, spool)
        own_texts.add_block([o if o is not None else t for (*_, o), t in zip(part, texts)], spool,
                            None if any(o is not None for *_, o in part) else stored)
    if items is not None:
        items.rows = Rows(Blocks(key for key, *_ in rows), own_texts,
                          "".join(f"\n{path}\t{key}\t" for key, path, *_ in rows) + "\n", None, [], [])
    return shown_texts, items, bound


def matter_object(i, rules, problems) -> dict:
    """A worklist item's entry as JSON (no events), showing `problems`."""
    out = entry_json(i.entry, rules, events=False)
    out["problems"] = [p.as_json() for p in problems]
    return out


def _with_added(text: str, added) -> str:
    """A kept item's text with the problems judge added to its entry."""
    if not added:
        return text
    obj = json.loads(text)
    obj["problems"] += [p.as_json() for p in added]
    return json_item(obj)


def entry_json(entry, rules, events: bool = True) -> dict:
    """An entry as `show`, `find` and the desk's commands give it in JSON; `events`: False for a list of matters
    (their records are then not read again)."""
    rec, st, dl = entry.record, entry.state, entry.deadlines
    out = {"id": rec.id, "path": rec.path, "matter": rec.meta.get("matter"), "service": rec.meta.get("service"),
           "channel": rec.meta.get("channel"), "first_responder": rec.meta.get("first_responder")}
    if st is not None:
        out.update({"handler": st.handler, "handler_department": st.handler_department, "stage": st.stage,
                    "closed": st.closed, "due": dl.due if dl else None, "overdue": bool(dl and dl.overdue),
                    "forward_by": dl.forward_by if dl else None, "accept_by": dl.accept_by if dl else None,
                    "promise_by": dl.promise_by if dl else None, "next_deadline": dl.next_deadline if dl else None,
                    "rating": st.rating, "status": st.status_zh, "suspended": st.suspended,
                    "suspend_reason": st.suspend_reason, "round": st.round,
                    "provisional": sorted(dl.provisional) if dl else [], "stopped": dl.suspended if dl else 0})
    if events:
        from ..core.corrections import masked_event
        out["events"] = [masked_event(e) for e in rec.events]
    out["voided"] = entry.voided.reason if entry.voided else None
    out["problems"] = [p.as_json() for p in entry.problems]
    return out


