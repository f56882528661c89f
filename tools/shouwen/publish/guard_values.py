"""The personal values a text that leaves the agency (a bulletin: its city copy, its gongwen, its published page)
is searched for, without making the guard ready for every record's values each time (issue 15).

Each record's values (privacy.Personal: its visitor's or complainant's, a void record's too, then its corrections'
old and new ones) are kept by path as a whole-ledger table (repo.kept_rows), patched for the records changed since,
with how many records hold each value (its lower case): for a value up to SHORT long, as 8 bytes of a hash of it
a record (core.hashed; as a dict of 290,000 texts it was 30 MB at 100,000 records). Of them only those that are
a substring of one of the text's readings are handed to privacy.leaks: the guard finds nothing else there, so
it finds what it would over them all. Texts found clean before are looked up in the changed records' values alone (`clean_after`). Only a
cache: with no cache, the same table made from the ledger.
"""
from __future__ import annotations

import re

from ..core.hashed import Hashed
from .privacy import person_of, readings

_DIGITS = re.compile(r"\D")
SHORT = 64              # values up to this long are looked up among the text's substrings; longer ones searched


def _key(v: str) -> str:
    return v if v.startswith("tel:") else v.lower()


def tabled(parts: dict) -> list:
    """The table (`table`) of these parts (path -> (its record's values, its corrections' values), each packed
    or not)."""
    t: list = [parts, Hashed(stable=True), {}]
    for sides in parts.values():
        for side in sides:
            for v in _unpacked(side):
                _more(t, _key(v))
    return t


def _more(t: list, k: str) -> None:
    if len(k) > SHORT:
        t[2][k] = t[2].get(k, 0) + 1
    else:
        t[1].add(k)


def _less(t: list, k: str) -> None:
    if len(k) > SHORT:
        t[2][k] -= 1
        if not t[2][k]:
            del t[2][k]
    else:
        t[1].remove(k)


def table(entries, rules) -> list:
    """[path -> (its record's values, its corrections' values), the values (_key) up to SHORT long, once for each
    record holding one (core.hashed), the longer ones -> how many records hold each]."""
    from ..repo.index_rows import one_at_a_time
    t = tabled({})
    patch(t, ((e.record.path, e) for e in one_at_a_time(entries)), rules)     # each header read once, let go
    return t


def patch(t: list, entries, rules) -> bool:
    """repo.kept_rows' patch: each changed record's values anew ({path: its entry now, None if gone}, or such
    pairs)."""
    parts = t[0]
    person = person_of(rules)
    for path, e in entries.items() if isinstance(entries, dict) else entries:
        for side in parts.pop(path, ()):
            for v in _unpacked(side):
                _less(t, _key(v))
        if e is not None:
            sides = (person.of_record(e.record), person.of_corrections([(e.record.id, c) for c in e.corrections]))
            parts[path] = tuple(map(_packed, sides))
            for side in sides:
                for v in side:
                    _more(t, _key(v))
    return True


_V, _S = "\x1f", "\x1e"      # between a value's value, record id and label; between values


def _packed(side: dict):
    """A record's values ({value: (record id, label)}) as one text: held as dicts, a hundred thousand records'
    were 150 MB. A side where a separator or no record id is found stays a dict."""
    out = []
    for v, (rid, label) in side.items():
        if not isinstance(rid, str) or any(_V in f or _S in f for f in (v, rid, label)):
            return side
        out.append(f"{v}{_V}{rid}{_V}{label}")
    return _S.join(out)


def _unpacked(side) -> dict:
    if isinstance(side, dict):
        return side
    return {v: (rid, label) for v, rid, label in (item.split(_V) for item in side.split(_S))} if side else {}


def clean_after(pieces: list[str], entries: dict, rules) -> bool:
    """Whether texts found clean against the ledger stay clean after these records changed ({path: its entry now,
    None if gone}): a value gone leaves fewer to find, so only the changed records' values can be new in them."""
    return not found_in(pieces, table([e for e in entries.values() if e is not None], rules))


def found_in(pieces: list[str], t: list) -> dict:
    """The values (value -> (record id, label): the first record in path order naming it, records before their
    corrections) that could be found in the texts `pieces`: whatever privacy.find finds in them is one of these."""
    parts, tally, longer_values = t
    texts = [(x, pre) for piece in pieces for r in readings(piece)
             for x, pre in ((r.lower(), ""), (_DIGITS.sub("", r), "tel:"))]
    longer = [x for x, _ in texts]
    if (len(tally) + len(longer_values)) * len(texts) <= sum(map(len, longer)) * SHORT:
        # few values (a commit's records) against many texts: each value looked for in them (a wider net: a
        # name among the digits too; privacy.leaks then judges each one exactly)
        joined = "\0".join(longer)     # one search a value: one with no NUL is never found across two texts
        held = {_key(v) for sides in parts.values() for side in sides for v in _unpacked(side)}
        hits = {k for k in held if (v := k.removeprefix("tel:")) and
                (v in joined if "\0" not in v else any(v in x for x in longer))}
    else:       # many values: the texts' substrings looked up among them (one of another's hash is let go below)
        subs: set = set()
        for x, pre in texts:
            subs.update(pre + x[i:j] for i in range(len(x)) for j in range(i + 1, min(len(x), i + SHORT) + 1))
        hits = {k for k in subs if k in tally}
        hits.update(k for k in longer_values if any(k.removeprefix("tel:") in x for x in longer))
    out: dict = {}
    if hits:
        for side in (0, 1):
            for path in sorted(parts):
                for v, where in _unpacked(parts[path][side]).items():
                    if v not in out and _key(v) in hits:
                        out[v] = where
    return out
