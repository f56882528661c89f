"""Many exact strings looked for in a text at once, for the privacy guard (publish/privacy.py). Pure.

One regular expression alternating every visitor's name, address and phone takes a good part of a second
to compile at ten thousand records, on every build. Here the places where a value may start are found by a
small pattern of two character classes (a first character of some value, followed by a second character of
some value), and at each such place a set says whether the text there is a value, one look-up for each
length the values of that first pair have. The answer is the one the alternation, longest value first,
gives with `findall`: scanning left to right, the longest value that starts at a place, then on after it.
"""
from __future__ import annotations

import re


def _chars(chars) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


def shape(values) -> tuple[frozenset, frozenset]:
    """What the places to look at follow from: every (first two characters, length) of the values of two
    characters or more, and the values of one character. A shape that also holds the pairs of values since
    gone finds the same (a place is only looked at; the values' set decides), so it can be kept with the
    values and added to (`grown`) rather than made again from a hundred thousand of them."""
    return shaped({(v[:2], len(v)) for v in values})


def shaped(seen) -> tuple[frozenset, frozenset]:
    """`shape` of the values whose (first two characters, length) are `seen`."""
    return frozenset(x for x in seen if x[1] >= 2), frozenset(x[0] for x in seen if x[1] == 1)


def grown(kept: tuple, added, gone=()) -> tuple:
    """The shape of the values `kept` was made of with `added` and without `gone` (values no longer held:
    the one-character values must be exact)."""
    pairs, singles = kept
    more, new_singles = shape(added)
    return pairs | more, (singles - set(gone)) | new_singles


class Needles:
    def __init__(self, values, kept: tuple | None = None):
        """`kept`: their shape (`shape`, or `grown` from it), made before."""
        self.values = frozenset(values)
        pairs, self.singles = kept if kept is not None else shape(self.values)
        lengths: dict[str, list] = {}
        for pair, n in pairs:
            lengths.setdefault(pair, []).append(n)
        # pair -> the lengths of its values, longest first (a thousand phones share the pair 13, in 7 lengths)
        self.pairs = {pair: tuple(sorted(ns, reverse=True)) for pair, ns in lengths.items()}
        starts = []
        if self.pairs:
            starts.append(f"[{_chars({p[0] for p in self.pairs})}](?=[{_chars({p[1] for p in self.pairs})}])")
        if self.singles:
            starts.append(f"[{_chars(self.singles)}]")
        self.starts = re.compile("|".join(starts)) if starts else None

    def __bool__(self):
        return self.starts is not None

    def findall(self, text: str) -> list[str]:
        """The values found, in order, as re.findall of their alternation (longest first) finds them."""
        out, end = [], 0
        if self.starts is None:
            return out
        values, pairs, singles = self.values, self.pairs, self.singles
        for m in self.starts.finditer(text):        # each place once, left to right
            i = m.start()
            if i < end:
                continue
            for n in pairs.get(text[i:i + 2], ()):
                if text[i:i + n] in values:
                    out.append(text[i:i + n])
                    end = i + n
                    break
            else:
                if text[i] in singles:
                    out.append(text[i])
                    end = i + 1
        return out
