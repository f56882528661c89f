"""A long list of texts kept in blocks (pure): a kept table of a hundred thousand rows is pickled and read back
as a hundred joined blocks, not a hundred thousand strings (a third of `list`'s time after one change went to
unpickling them). A block is split into its texts only when a row in it is looked at or changed.

A joined block is UTF-8 bytes, not a str: a table's lines are smaller so (their padding is ASCII), are read
back without decoding, and pickling them leaves nothing behind (pickle caches a str's UTF-8 form in the str:
25 MB more held for a hundred thousand lines).

It is read as a list is: len, [i] (so `bisect` finds a key in it), insert, del, iteration; and `joined` gives
the texts joined by a separator without making each of them, `chunks` a block of them at a time (Pieces).
"""
from __future__ import annotations

SIZE = 1024         # texts a block is made with; one grows to twice that before it is cut in two
SEP = "\x1e"        # between the texts of a joined block (a block holding it in a text stays a list)


class Blocks:
    __slots__ = ("blocks", "sizes")

    def __init__(self, texts=()):
        texts = list(texts)
        self.blocks: list = [texts[i:i + SIZE] for i in range(0, len(texts), SIZE)]    # each a list, or bytes
        self.sizes = [len(b) for b in self.blocks]

    @classmethod
    def made(cls, texts, spool=None) -> "Blocks":
        """Blocks of `texts` (any iterable), each joined as it is made: a hundred thousand texts are never all
        held one by one. `spool(bytes)`: where a joined block goes instead of memory (repo.spill.Spill.spooled:
        anything with .bytes())."""
        out, block = cls(), []
        for t in texts:
            block.append(t)
            if len(block) == SIZE:
                out.add_block(block, spool)
                block = []
        if block:
            out.add_block(block, spool)
        return out

    def add_block(self, texts: list, spool=None, stored=None):
        """`texts` as a block after the others, joined (and spooled); `stored`: the block returned before for the
        same texts, shared rather than made again. Returns the block as stored."""
        if stored is None:
            stored = _joined(texts)
            if spool is not None and isinstance(stored, bytes):
                stored = spool(stored)
        self.blocks.append(stored)
        self.sizes.append(len(texts))
        return stored

    def with_changed(self, changed: dict) -> "Blocks":
        """A copy with the texts at the positions in `changed` (position -> text) replaced; the blocks with none
        of them are shared, not split."""
        out, at = Blocks(), 0
        for b, n in zip(self.blocks, self.sizes):
            mine = [i - at for i in changed if at <= i < at + n]
            if mine:
                texts = list(b) if isinstance(b, list) else _texts(b)
                for i in mine:
                    texts[i] = changed[i + at]
                b = texts
            out.blocks.append(b)
            out.sizes.append(n)
            at += n
        return out

    @property
    def spooled(self) -> bool:
        """Whether a block is kept outside memory (repo.answers keeps such Blocks a block at a time)."""
        return any(not isinstance(b, (list, bytes)) for b in self.blocks)

    def __getstate__(self):
        return [_joined(b) for b in self.blocks], self.sizes

    def __setstate__(self, state):
        self.blocks, self.sizes = state

    def __len__(self) -> int:
        return sum(self.sizes)

    def _split(self, j: int) -> list:
        b = self.blocks[j]
        if not isinstance(b, list):
            b = self.blocks[j] = _texts(b)
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
            yield from (b if isinstance(b, list) else _texts(b))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Blocks({list(self)!r})"

    def joined(self, sep: str) -> str:
        """The texts joined by `sep` (as sep.join(self) gives)."""
        return "".join(self.chunks(sep, ""))

    def chunks(self, sep: str = "\n", last: str = "\n"):
        """The texts joined by `sep`, then `last` (when there are any), a block at a time."""
        for j, b in enumerate(self.blocks):
            yield (sep.join(b) if isinstance(b, list) else decoded(b).replace(SEP, sep)) + (
                sep if j < len(self.blocks) - 1 else last)


class Pieces:
    """A long text as its pieces, in order: texts; Blocks, each of whose texts is a line; (Blocks, sep, last):
    its texts joined by `sep`, then `last`. Written a piece at a time (cli.tables.echo) and kept so: a list of
    a hundred thousand matters is never one text, nor made again beside the kept table whose lines it shows."""
    __slots__ = ("parts",)

    def __init__(self, parts=()):
        self.parts = list(parts)

    def __iter__(self):
        for p in self.parts:
            if isinstance(p, str):
                yield p
            elif isinstance(p, Blocks):
                yield from p.chunks()
            else:
                yield from p[0].chunks(p[1], p[2])

    @property
    def spooled(self) -> bool:
        return any(not isinstance(p, str) and (p if isinstance(p, Blocks) else p[0]).spooled for p in self.parts)

    def __str__(self) -> str:
        return "".join(self)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    __hash__ = None


def _joined(b):
    if not isinstance(b, list) or any(SEP in t for t in b):
        return b
    return SEP.join(b).encode("utf-8", "surrogatepass")      # a value read from YAML may hold a lone surrogate


def decoded(b) -> str:
    """A joined block's text (or any one text as the blocks keep it): its bytes, or those of a block kept
    elsewhere (.bytes())."""
    return (b if isinstance(b, bytes) else b.bytes()).decode("utf-8", "surrogatepass")


def _texts(b) -> list:
    return decoded(b).split(SEP)
