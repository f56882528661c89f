"""The personal values the privacy guard looks for (publish/privacy.py), as a site build keeps them.

At a hundred thousand records they are 185,000 names, phones and addresses and 100,000 lookup keys, kept with
what the site keeps and read back at every build. `Values` keeps them in the form the guard looks them up in:
the words and the phones as two sets (a leak is found by them), the shape of each (publish.needles), the keys
in one string, and where each value was found in a dict read back only for a value found in the output
(repo.kept_map). All of these are made a kept_map bucket at a time (`of_buckets`), and a new matter's values
are added to them, not made again from all of them.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ..repo.kept_map import BUCKETS, KeptMap, KeptSet
from .needles import Needles, grown, shaped
from .seen import KEY_LEN

KEY_LABEL = "查询密钥"


def _is_key(value: str) -> bool:
    return len(value) == KEY_LEN and not value.strip("0123456789abcdef")


def _key_line(v, w) -> bool:
    return _is_key(v) and w[1] == KEY_LABEL and isinstance(w[0], str) and not set(w[0]) & {"\n", "\t"}


class Sought:
    """The personal values made ready to be looked for in many texts (see publish/needles.py): the words
    (names, addresses, organisations), those of them in plain ASCII (all a text of plain ASCII, such as a
    lookup shard, can hold), the phones as digits, and the lookup keys, found as runs of hex digits."""

    def __init__(self, values):
        words, phones, keys = _parts(values)
        kept = isinstance(values, Values)
        shapes = values.shapes() if kept else (None, None)
        self.keys = _Keys(values) if keys else None
        # the longest text a value is
        self.reach = values.reach() if kept else max([KEY_LEN, *map(len, words), *map(len, phones)])
        self.words = Needles(words, shapes[0])
        self.ascii_words = Needles([v for v in words if v.isascii()])
        self.phones = Needles(phones, shapes[1])


def _parts(values) -> tuple:
    """(the words, the phones as digits, whether there is a lookup key) among the values."""
    if isinstance(values, Values):
        return values.words.frozen(), values.phones.frozen(), values.key_lines != "\n" or bool(values.odd)
    words, phones, keys = [], [], False
    for v in values:
        if v.startswith("tel:"):
            phones.append(v[4:])
        elif len(v) == KEY_LEN and _is_key(v):
            keys = True
        else:
            words.append(v)
    return words, phones, keys


def _split(plain) -> tuple[list, list]:
    """(the words, the phones as digits) of values that are no lookup key (read once)."""
    words, phones = [], []
    for v in plain:
        if v.startswith("tel:"):
            phones.append(v[4:])
        else:
            words.append(v)
    return words, phones


class _Keys:
    """The lookup keys among the values, looked up in the values themselves (no set of them is made)."""

    def __init__(self, values):
        self.values = values

    def __contains__(self, run: str) -> bool:
        return _is_key(run) and self.values.get(run) is not None     # the keys' dict, made once


class Values(Mapping):
    """personal_values as a site build keeps them, looked up like them: the words and the phones (as digits)
    that are no lookup key as two sets, where each was found apart (`where`, read only for a value asked for),
    the lookup keys (one a matter, most of the values) in one string of `key TAB record id` lines, read back as
    one object, a key-like name in a dict of its own (`odd`)."""

    def __init__(self, values: dict):
        parts: list = [{} for _ in range(BUCKETS)]
        for v, w in values.items():
            parts[KeptMap.bucket_of(v)][v] = w
        self._fill(parts)

    @classmethod
    def of_buckets(cls, buckets) -> "Values":
        """The values of each repo.kept_map bucket in turn (value -> (record, label), in the order they were
        gathered), each bucket let go once taken: what a whole build gathers is never held as one dict
        (publish.value_buckets)."""
        out = cls.__new__(cls)
        out._fill(buckets)
        return out

    def _fill(self, buckets) -> None:
        blobs, lines, odd, word_parts, phone_parts = [], [], {}, [], []
        shapes = set(), set()
        digest = hashlib.sha1()
        for part in buckets:        # a bucket's values at a time: no set of all the words or phones is made here
            plain, words, phones, keys = {}, [], [], []
            for v, w in part.items():
                if not _is_key(v):
                    plain[v] = w
                    (phones.append(v[4:]) if v.startswith("tel:") else words.append(v))
                elif _key_line(v, w):
                    keys.append(f"\n{v}\t{w[0]}")
                else:
                    odd[v] = w      # a key-like name
            # repr: a value with a line break in it is never two values (key lines' record ids hold none)
            digest.update(repr([*plain]).encode("utf-8", "surrogatepass"))
            blobs.append(KeptMap.bucket_bytes(plain))
            lines.append("".join(keys))
            for made, these, seen in zip((word_parts, phone_parts), (words, phones), shapes):
                made.append(KeptSet.part_bytes(these))
                seen.update((v[:2], len(v)) for v in these)
        self.where = KeptMap.of_buckets(blobs)      # read back a bucket at a time, for a value asked for
        self.key_lines, self.odd = "".join(lines) + "\n", odd
        self.words, self.phones = KeptSet.of_parts(word_parts), KeptSet.of_parts(phone_parts)
        self._shapes = tuple(shaped(seen) for seen in shapes)   # kept with the values (a tenth of a second each)
        digest.update(repr([*odd]).encode("utf-8", "surrogatepass"))
        digest.update(self.key_lines.encode())
        self._digest = digest.hexdigest()

    def _plain(self, v) -> bool:
        return v in self.where      # one bucket read, not the whole set of words or phones (a returning visitor)

    def shapes(self) -> tuple:
        """The shapes (publish.needles.shape) of the words and of the phones, as Sought takes them."""
        return self._shapes

    def reach(self) -> int:
        """The length of the longest value (a lookup key's at least)."""
        return max([KEY_LEN, *(n for s in self.shapes() for _, n in s[0]), *(1 for s in self.shapes() if s[1])])

    def since(self) -> tuple | None:
        """What tells the values added since another build of them (repo.kept_map.KeptMap.since)."""
        return self.where.since()

    def plain_values(self) -> frozenset:
        """Every value but the lookup keys (names, addresses, organisations, tel:phones)."""
        return self.words.frozen() | {f"tel:{p}" for p in self.phones.frozen()}

    def added(self, values: dict, gone=()) -> "Values":
        """These values too (a lookup key among them not here yet), or these places for them; those `gone` not."""
        out = Values({})
        out.where, out.odd = self.where.derived(), dict(self.odd)
        lost, key_lines = {v for v in gone if self._plain(v)}, self.key_lines
        for v in gone:
            if v in lost:
                out.where.discard(v)
            elif out.odd.pop(v, None) is None:
                at = key_lines.find(f"\n{v}\t")
                key_lines = key_lines[:at] + key_lines[key_lines.index("\n", at + 1):] if at >= 0 else key_lines
        lines, came = [], []
        for v, w in values.items():
            if not _is_key(v):
                out.where[v] = w
                came.append(v)
            elif _key_line(v, w):
                lines.append(f"\n{v}\t{w[0]}")
            else:
                out.odd[v] = w
        out.key_lines = key_lines[:-1] + "".join(lines) + "\n"
        (words, phones), (lost_words, lost_phones) = _split(came), _split(lost)
        out.words, out.phones = self.words.changed(words, lost_words), self.phones.changed(phones, lost_phones)
        back = _split(lost & set(came))     # a value let go and put back in the same patch is still held
        out._shapes = (grown(self._shapes[0], words, set(lost_words) - set(back[0])),
                       grown(self._shapes[1], phones, set(lost_phones) - set(back[1])))
        # named by the values it was made from and what changed (two ways to the same values may differ in name:
        # a guard's verdict kept under the other name is then only checked again)
        h = hashlib.sha1(self.digest().encode())
        h.update(repr((sorted(map(str, gone)), sorted((v, w[0] if _key_line(v, w) else None)
                                                       for v, w in values.items()))).encode("utf-8", "surrogatepass"))
        out._digest = h.hexdigest()
        return out

    def digest(self) -> str:
        return self._digest

    def __getstate__(self):
        return self.where, self.words, self.phones, self.key_lines, self.odd, self.shapes(), self.digest()

    def __setstate__(self, state):
        self.where, self.words, self.phones, self.key_lines, self.odd, self._shapes, self._digest = state

    def __getitem__(self, value):
        if isinstance(value, str) and self._plain(value):
            return self.where[value]
        if value in self.odd:
            return self.odd[value]
        if not (isinstance(value, str) and _is_key(value)):
            raise KeyError(value)
        if "by_key" not in self.__dict__:      # the keys' record ids, made when a key-like run is first met
            self.by_key = dict(line.split("\t", 1) for line in self.key_lines.split("\n") if line)
        return self.by_key[value], KEY_LABEL

    def __contains__(self, value) -> bool:
        if not isinstance(value, str):
            return False
        if self._plain(value) or value in self.odd:
            return True
        if "by_key" in self.__dict__ or not _is_key(value):
            return value in self.__dict__.get("by_key", ())
        return f"\n{value}\t" in self.key_lines       # one search, not the keys' dict made (a new matter's)

    def __iter__(self):
        yield from self.where
        yield from self.odd
        for line in self.key_lines.split("\n"):
            if line:
                yield line.split("\t", 1)[0]

    def __bool__(self):
        return self.key_lines != "\n" or bool(self.odd) or len(self.words) > 0 or len(self.phones) > 0

    def __len__(self):
        return len(self.words) + len(self.phones) + len(self.odd) + self.key_lines.count("\n") - 1
