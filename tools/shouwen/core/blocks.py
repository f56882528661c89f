"""A long list of texts kept in blocks (pure): a kept table of a hundred thousand rows is pickled and read back
as a hundred joined strings, not a hundred thousand (a third of `list`'s time after one change went to
unpickling them). A block is split into its texts only when a row in it is looked at or changed.

It is read as a list is: len, [i] (so `bisect` finds a key in it), insert, del, iteration; and `joined` gives
the texts joined by a separator without making each of them.
"""
from __future__ import annotations

SIZE = 1024         # texts a block is made with; one grows to twice that before it is cut in two
SEP = "\x1e"        # between the texts of a joined block (a block holding it in a text stays a list)


class Blocks:
    __slots__ = ("blocks", "sizes")

    def __init__(self, texts=()):
        texts = list(texts)
        self.blocks: list = [texts[i:i + SIZE] for i in range(0, len(texts), SIZE)]    # each a list, or joined
        self.sizes = [len(b) for b in self.blocks]

    def __getstate__(self):
        return [_joined(b) for b in self.blocks], self.sizes

    def __setstate__(self, state):
        self.blocks, self.sizes = state

    def __len__(self) -> int:
        return sum(self.sizes)

    def _split(self, j: int) -> list:
        b = self.blocks[j]
        if isinstance(b, str):
            b = self.blocks[j] = b.split(SEP)
        return b

    def _find(self, i: int) -> tuple[int, int]:
        if i < 0:
            i += len(self)
        if i >= 0:
            for j, n in enumerate(self.sizes):
                if i < n:
                    return j, i
                i -= n
        raise IndexError("Blocks index out of range")

    def __getitem__(self, i: int) -> str:
        j, k = self._find(i)
        return self._split(j)[k]

    def __delitem__(self, i: int):
        j, k = self._find(i)
        del self._split(j)[k]
        self.sizes[j] -= 1
        if not self.sizes[j]:
            del self.blocks[j], self.sizes[j]

    def insert(self, i: int, text: str):
        n = len(self)
        if i < 0:
            i = max(i + n, 0)
        if not self.blocks:
            self.blocks, self.sizes = [[text]], [1]
            return
        j, k = self._find(i) if i < n else (len(self.blocks) - 1, self.sizes[-1])
        b = self._split(j)
        b.insert(k, text)
        self.sizes[j] += 1
        if len(b) >= 2 * SIZE:
            self.blocks[j:j + 1] = [b[:SIZE], b[SIZE:]]
            self.sizes[j:j + 1] = [SIZE, len(b) - SIZE]

    def __iter__(self):
        for b in self.blocks:
            yield from (b.split(SEP) if isinstance(b, str) else b)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Blocks({list(self)!r})"

    def joined(self, sep: str) -> str:
        """The texts joined by `sep` (as sep.join(self) gives)."""
        return sep.join(b.replace(SEP, sep) if isinstance(b, str) else sep.join(b) for b in self.blocks)


def _joined(b):
    if isinstance(b, str) or any(SEP in t for t in b):
        return b
    return SEP.join(b)
