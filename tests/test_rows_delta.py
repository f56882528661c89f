"""A kept table of matters (core.rows_delta) patched for changed rows gives view.table's lines exactly, and
says so when it can't (a padded column that gets wider or narrower)."""
from __future__ import annotations

from datetime import date

from shouwen.core import rows_delta
from shouwen.core.view import MATTER_HEADERS, table


def _row(rid, stage="已登记", due="2026年12月1日", who="李明", matter="咨询"):
    return [rid, stage, due, "", who, matter]


def _rows(n):
    return {f"records/inquiries/2026/11/{i:03d}.md": _row(f"20261101-J005-{i:03d}") for i in range(n)}


def _kept(rows):
    return rows_delta.build(MATTER_HEADERS, [(p, p, cells) for p, cells in sorted(rows.items())])


def test_a_patched_table_is_the_table_of_the_rows_now():
    rows = _rows(8)
    kept = _kept(rows)
    assert rows_delta.lines(kept) == table(MATTER_HEADERS, [rows[p] for p in sorted(rows)])
    changes = {"records/inquiries/2026/11/003.md": None,                          # removed
               "records/inquiries/2026/11/005.md": _row("20261101-J005-005", matter="一件更长的发问事由"),  # last column
               "records/inquiries/2026/11/010.md": _row("20261101-J005-010")}    # new
    assert rows_delta.patch(kept, {p: None if c is None else (p, c) for p, c in changes.items()})
    for p, c in changes.items():
        rows.pop(p, None) if c is None else rows.__setitem__(p, c)
    assert rows_delta.lines(kept) == table(MATTER_HEADERS, [rows[p] for p in sorted(rows)])
    assert len(kept.keys) == len(rows)


def test_a_column_that_changes_width_is_refused():
    wider = _kept(_rows(4))
    assert not rows_delta.patch(wider, {"records/inquiries/2026/11/001.md":
                                        ("records/inquiries/2026/11/001.md", _row("20261101-J005-001", who="欧阳明月"))})
    rows = _rows(4)
    rows["records/inquiries/2026/11/002.md"] = _row("20261101-J005-002", who="欧阳明月")
    narrower = _kept(rows)         # the only wide cell taken out: the column would shrink
    assert not rows_delta.patch(narrower, {"records/inquiries/2026/11/002.md": None})


def test_todo_order_is_the_worklists():
    keys = [rows_delta.todo_key(d, rid, p) for d, rid, p in [
        (None, "A", "p1"), (date(2026, 12, 1), "B", "p2"), (date(2026, 12, 1), "AB", "p3"), (date(2026, 11, 30), "Z", "p4")]]
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]


def test_rows_made_one_at_a_time_in_any_order_are_the_table_in_its_keys_order():
    import random
    from shouwen.core.blocks import Pieces
    rows = {p: _row(rid, due=f"2026年12月{int(rid[-3:]) % 9 + 1}日", matter="咨询\x1f" if rid.endswith("7") else "咨询")
            for p, (rid, *_) in _rows(40).items()}
    keyed = sorted((rows_delta.todo_key(date(2026, 12, int(c[0][-3:]) % 9 + 1), c[0], p), p, c) for p, c in rows.items())
    made = rows_delta.Builder(MATTER_HEADERS)
    for key, p, cells in random.Random(7).sample(keyed, len(keyed)):    # the ledger's order, not the table's
        made.add(p, key, cells)
    got, want = made.done(), rows_delta.build(MATTER_HEADERS, [(p, key, c) for key, p, c in keyed])
    assert made.fits and rows_delta.lines(got) == rows_delta.lines(want) == table(MATTER_HEADERS, [c for *_, c in keyed])
    assert (list(got.keys), got.widths, got.counts) == (list(want.keys), want.widths, want.counts)
    assert sorted(got.where.split("\n")) == sorted(want.where.split("\n"))     # searched, in no order
    changed = "records/inquiries/2026/11/007.md"
    for kept in (got, want):
        assert rows_delta.patch(kept, {changed: (keyed[0][0][:8] + rows[changed][0] + "\0" + changed, rows[changed])})
    assert rows_delta.lines(got) == rows_delta.lines(want)
    assert str(Pieces(rows_delta.text(got))) == "".join(line + "\n" for line in rows_delta.lines(want))
