"""Lines kept in the order of their keys, each from one record, which a few changed records patch (pure;
issue 15): the rows of an exported ledger, kept as the file holds them (`export` numbers them as it
writes them, so a row's text does not depend on the rows before it). A changed record's old line is found
by its path and taken out, its new one put in by its key.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass


@dataclass
class Keyed:
    keys: list          # the lines' keys, in order (each unique: it ends with the record's path)
    lines: list         # each line, in the same order
    where: dict         # path -> its line's key


def build(items) -> Keyed:
    """From (path, key, line) in any order."""
    items = sorted(items, key=lambda x: x[1])
    return Keyed([k for _, k, _ in items], [line for _, _, line in items], {p: k for p, k, _ in items})


def patch(k: Keyed, changes: dict) -> bool:
    """Apply `changes` (path -> (key, line) of its line now, or None: it has none). False when the lines
    don't agree with themselves (then make them again)."""
    for path in changes:
        key = k.where.pop(path, None)
        if key is not None:
            at = bisect_left(k.keys, key)
            if at == len(k.keys) or k.keys[at] != key:
                return False
            del k.keys[at], k.lines[at]
    for path, new in changes.items():
        if new is not None:
            key, line = new
            at = bisect_left(k.keys, key)
            if at < len(k.keys) and k.keys[at] == key:
                return False
            k.keys.insert(at, key)
            k.lines.insert(at, line)
            k.where[path] = key
    return True
