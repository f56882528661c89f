"""What the privacy guard's passes over a text of plain ASCII find before any value is looked up (issue 15).

In a lookup shard (sealed base64 in JSON) a phone can only stand in a stretch of phone characters and a lookup
key only in a run of hex digits: the guard (publish/privacy.py) marks those classes of characters and looks
the values up in what it finds. At a hundred thousand records those passes are the guard's cost, not the
values. What they find depends on the bytes alone, is small (a few hundred short runs of digits a shard) and
is kept with a shard's clean verdict (publish/verdicts.py): a shard found clean against some values is then
judged against new ones by looking them up in what was kept, without the passes.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left

KEY_LEN = 64
_PHONE_CHAR = r"[\d\s\-.()()/]"
_PHONE_RUN = re.compile(r"\+?\d" + _PHONE_CHAR + r"{5,}\d")
PHONE_RUN_LEAST = 7         # the shortest text _PHONE_RUN matches: a digit, five more of its class, a digit
_NON_DIGIT = re.compile(r"\D")


def _marks(pattern: str) -> bytes:
    """A bytes.translate table: b"x" for each ASCII character `pattern` matches, b"." for every other byte."""
    return bytes(ord("x") if re.fullmatch(pattern, chr(b)) else ord(".") for b in range(128)) + b"." * 128


_HEX_MARKS = _marks("[0-9a-fA-F]")
_PHONE_MARKS = _marks(r"\+|" + _PHONE_CHAR)
_OUTSIDE = bytes(h == p == ord(".") for h, p in zip(_HEX_MARKS, _PHONE_MARKS))     # in neither class


def _runs(text: str, marks: bytes, least: int):
    """(start, run) of the runs of at least `least` characters of one class in a text of plain ASCII, each
    whole: marked in C (bytes.translate) and found with bytes.find, not tried by a pattern at every character."""
    marked = text.encode("ascii").translate(marks)
    least_run = b"x" * least
    i = marked.find(least_run)
    while i >= 0:
        j = marked.find(b".", i)
        j = len(marked) if j < 0 else j
        yield i, text[i:j]
        i = marked.find(least_run, j)


class Seen:
    """The candidates in a text of plain ASCII: the digits of every phone run (_PHONE_RUN in a stretch of phone
    characters), each with where its stretch starts, and every run of at least KEY_LEN hex digits, lowercased,
    with where it starts. A phone is in the text exactly when it is in some run's digits; a key exactly when
    it is one of a run's KEY_LEN-long windows (publish.privacy.find looks them up so)."""
    __slots__ = ("at", "digits", "keys")

    def __init__(self, at: bytes = b"", digits: str = "", keys: tuple = ()):
        self.at, self.digits, self.keys = at, digits, keys      # starts (array "q"), digits joined by newlines

    @classmethod
    def of(cls, text: str, base: int = 0) -> "Seen":
        at, digits = array("q"), []
        for i, stretch in _runs(text, _PHONE_MARKS, PHONE_RUN_LEAST):
            for run in _PHONE_RUN.findall(stretch):
                at.append(base + i)
                digits.append(_NON_DIGIT.sub("", run))
        keys = tuple((base + i, run.lower()) for i, run in _runs(text, _HEX_MARKS, KEY_LEN))
        return cls(at.tobytes(), "\n".join(digits), keys)

    def phone_runs(self) -> list[str]:
        return self.digits.split("\n") if self.digits else []

    def pairs(self) -> list[tuple[int, str]]:
        """(where its stretch starts, digits) of each phone run."""
        at = array("q")
        at.frombytes(self.at)
        return list(zip(at, self.phone_runs()))

    def windows(self):
        """Every KEY_LEN-long window of the hex runs."""
        return key_windows(run for _, run in self.keys)

    def moved(self, data: bytes, spans, shift: int = 0) -> "Seen | None":
        """What the passes find in `data`: these candidates' text (the parent) with the bytes of `spans` (start,
        end in `data`; apart) written over, each span's length kept, or, for one span, the bytes after it moved
        by `shift`; None when a span touches a character of either class (a run could then reach across it, and
        only the passes over the whole text could tell)."""
        spans = sorted(spans)
        if not bounded(data, spans) or any(b > c for (_, b), (c, _) in zip(spans, spans[1:])) \
                or shift and len(spans) != 1:
            return None
        at = array("q")
        at.frombytes(self.at)       # in order: runs are found left to right, and kept so here
        digits, out_at, out_digits, keys, last = self.phone_runs(), array("q"), [], [], 0
        old = [(a, b - shift) for a, b in spans]        # where each span stood in the parent
        for a, b in spans:
            i = bisect_left(at, a, last)
            new = Seen.of(data[a:b].decode("ascii"), a)
            out_at.extend(at[last:i])
            out_at.frombytes(new.at)
            out_digits += digits[last:i] + new.phone_runs()
            keys += new.keys
            last = bisect_left(at, b - shift, i)
        out_at.extend(array("q", [i + shift for i in at[last:]]) if shift else at[last:])
        out_digits += digits[last:]
        keys += [(i + shift if shift and i >= old[0][1] else i, r) for i, r in self.keys
                 if not any(a <= i < b for a, b in old)]
        return Seen(out_at.tobytes(), "\n".join(out_digits), tuple(sorted(keys)))


def key_windows(runs):
    """Every KEY_LEN-long window of runs of hex digits (in lower case): where a lookup key could stand."""
    for run in runs:
        yield from (run[i:i + KEY_LEN] for i in range(len(run) - KEY_LEN + 1))


def bounded(data: bytes, spans) -> bool:
    """Whether each span of `data` stands between characters of neither class, inside it: no phone or hex run can
    then reach across its edges (what touches a span lies within it)."""
    return all(0 < a and b < len(data) and _OUTSIDE[data[a - 1]] and _OUTSIDE[data[b]] for a, b in spans)


def changed(old: bytes, new: bytes) -> tuple[int, int] | None:
    """(start, end) in `new` of what differs from `old` (their common head and tail taken off), widened to a
    character of neither class on each side; None when that reaches either end."""
    n = min(len(old), len(new))
    lo, hi = 0, n
    while lo < hi:          # the common head's length, found by halving (each comparison a copy and a memcmp)
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if old[:mid] == new[:mid] else (lo, mid - 1)
    head, lo, hi = lo, 0, n - lo
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if old[len(old) - mid:] == new[len(new) - mid:] else (lo, mid - 1)
    start, end = head, len(new) - lo
    while start > 0 and not _OUTSIDE[new[start - 1]]:
        start -= 1
    while end < len(new) and not _OUTSIDE[new[end]]:
        end += 1
    return (start, end) if 0 < start and end < len(new) else None
