"""A kept JSON list of matters (core.items_delta) patched for changed records puts in the problems only the
whole ledger shows exactly where core.ledger.judge puts them: on the later holder of an id, on an entry
whose inquiry is gone, and takes them away when the other record changes."""
from __future__ import annotations

from shouwen.core import items_delta
from shouwen.core.ledger import duplicate_id, unknown_inquiry

A, B, C, K = (f"records/inquiries/2026/11/{n}.md" for n in ("a", "b", "c", "k"))


def _items(every):
    kept = items_delta.build(sorted(every.items()))
    return items_delta.with_rows(kept, [(p, p, f"item {p}") for p in sorted(every)])


def test_a_duplicate_and_an_unknown_inquiry_follow_the_other_records():
    kept = _items({A: ("X1", None), B: ("X2", None), K: ("K1", "X9")})
    assert kept.added == {K: [unknown_inquiry("X9", K, "K1")]}
    # b takes a's id: the later holder is named; c now holds the inquiry k refers to
    assert items_delta.patch(kept, {B: (("X1", None), (B, "item b")), C: (("X9", None), (C, "item c"))})
    assert kept.added == {B: [duplicate_id("X1", A, B)]}
    # a removed: b is the only holder of X1 again; c removed: k's inquiry is gone again
    assert items_delta.patch(kept, {A: None, C: None})
    assert kept.added == {K: [unknown_inquiry("X9", K, "K1")]}
    assert kept.rows.lines == ["item b", f"item {K}"]


def test_build_agrees_with_patching_from_nothing():
    every = {A: ("X1", None), B: ("X1", "X1"), C: ("", "X7"), K: ("K1", "X1")}
    built = _items(every)
    grown = _items({})
    assert items_delta.patch(grown, {p: (f, (p, f"item {p}")) for p, f in every.items()})
    assert grown.added == built.added and grown.rows.lines == built.rows.lines
    assert built.added[B] == [duplicate_id("X1", A, B)] and built.added[C] == [unknown_inquiry("X7", C, None)]
