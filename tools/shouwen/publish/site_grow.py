"""A matter added or removed since the site was kept, placed as a build from the whole ledger would (issue 15).

A hundred matters are registered a day; each would send the site build to the whole ledger (every record's
part, every entry sealed again: seconds at a hundred thousand records). What a new matter changes is known:
its entry sealed under its key, its own decoys, the decoys that fill the count up to a round number again
(publish.lookup.fillers: the first keys in order, so another key may take a filler's place), its share of the
year's counts, and its personal values, each named by the record that holds it first in a whole build's order
(records before corrections, live before void, by path). So the build keeps how the shards were laid out
(`Layout`), and a new matter is placed from it; a matter removed is taken out likewise (a value it held
first, that others hold too, names the next holder, which is not kept: then the whole ledger). Anything it
can't tell exactly (two names that met in a shard, a key not stored in the record, an (id, code) or a lookup
key held already, a void record) goes to the whole ledger: the same site and the same guard as with no cache.
"""
from __future__ import annotations

import bisect
import json

from ..core.hashed import Hashed
from ..repo.kept_map import KeptMap
from . import lookup, shard_files
from .disclosure import shard_json
from .privacy import KEY_LABEL


KEY_BYTES = 32      # a lookup key (core.lookup_key)


def stored_key(row) -> bytes | None:
    """The lookup key a record's row (site_records._row) carries, as the record stores it; None without one."""
    return row[1][1] if row[1] is not None else None


class Layout:
    """The live entries' keys in order, how many entries and own decoys were placed, each entry's (id, code),
    the first holder of each personal value but a matter's own lookup key: (0 for a record's values, 1 for
    its corrections', void or not, path), and how many records' values or corrections hold each value held
    more than once."""

    def __init__(self, order: list, placed: int, ids: set | str, holders: dict, multi: dict):
        """`ids`: the (id, code)s, or the one text of them a line each (made a set when first asked for)."""
        self.order, self.placed, self.holders, self.multi = order, placed, holders, multi
        self._ids = ids

    @property
    def ids(self) -> set:
        if isinstance(self._ids, str):
            self._ids = set(self._ids.split("\n")) if self._ids else set()
        return self._ids

    def __getstate__(self):
        # the keys as one bytes and the (id, code)s as one text where they can be: two objects for pickle to
        # write and read back at each build that keeps or follows the site, not two hundred thousand
        order = b"".join(self.order) if all(len(k) == KEY_BYTES for k in self.order) else self.order
        ids = self._ids if isinstance(self._ids, str) or any("\n" in i for i in self._ids) else "\n".join(self._ids)
        return order, self.placed, ids, self.holders, self.multi

    def __setstate__(self, state):
        if isinstance(state, dict):         # as pickled before it was kept so
            ids = state.pop("ids")
            self.__dict__.update(state)
            self._ids = ids
            return
        order, self.placed, self._ids, self.holders, self.multi = state
        self.order = [order[i:i + KEY_BYTES] for i in range(0, len(order), KEY_BYTES)] \
            if isinstance(order, bytes) else order


class Laying:
    """A whole build's Layout made part by part, in the build's order (live entries, then void ones, each by
    path; site_pass), with where the values' first holders stand (publish.value_buckets): no part need be
    held till the end."""

    def __init__(self):
        self.last = {True: None, False: None}      # the last path of the live entries, of the void ones
        self.in_order, self.idents = True, 0
        # each live entry's (id, code) as the Layout keeps them, one line each, and by hash (to tell two alike)
        self._lines, self._hashed, self._one_line = bytearray(), Hashed(), True
        self.holders: KeptMap | None = None    # given by site_pass.Gathered.values (publish.value_buckets)
        self.multi: dict = {}

    def put(self, path: str, live_one: bool, row) -> None:
        last = self.last[live_one]
        if last is not None and last >= path:
            self.in_order = False
        self.last[live_one] = path
        if live_one and row[0] is not None:
            self.idents += 1
            ident = f"{row[0][0]}\0{row[0][1]}"
            self._hashed.add(ident)
            self._one_line = self._one_line and "\n" not in ident
            self._lines += b"\n%s" % ident.encode("utf-8", "surrogatepass")

    def layout(self, laid: dict) -> Layout | None:
        """The Layout (`laid`: what lookup.placing filled in); None when a name met another, two entries have one
        (id, code) (or two hash alike: core.hashed), an (id, code) holds a line break, or the parts were not in
        path order. Its (id, code)s as the one text it keeps them as."""
        if not laid.get("exact") or not self.in_order or not self._one_line or self._hashed.distinct() != self.idents:
            return None     # (an (id, code) of two entries: which is sealed last is not kept)
        ids = self._lines[1:].decode("utf-8", "surrogatepass")
        return Layout(laid["order"], laid["placed"], ids, self.holders, self.multi)


class Growth:
    """The matters added in one patch: what they add to the shards and to the values."""

    def __init__(self, layout: Layout, values):
        self.layout, self.values = layout, values
        self.fill_before = lookup.fillers(layout.order, layout.placed)
        self.adding: dict = {}      # shard path -> {name: sealed}
        self.taking: dict = {}      # shard path -> {names}
        self.new_values: dict = {}
        self.gone: set = set()

    def _held(self, v) -> bool:
        return v in self.new_values or v in self.values and v not in self.gone

    def add(self, path: str, row, data: bytes | None) -> bool:
        """A live matter's row (site_records._row), its payload as it reads today; False when it can't be
        placed exactly."""
        lay, item = self.layout, row[0]
        if item is not None:
            key = stored_key(row)
            ident = f"{item[0]}\0{item[1]}"
            if key is None or ident in lay.ids:
                return False
            lay.ids.add(ident)
            bisect.insort(lay.order, key)
            lay.placed += 1 + lookup.own_decoys(key)
            shard, name = lookup.locator(key)
            self._put(shard, name, lookup.seal(key, None, data))
            for i in range(lookup.own_decoys(key)):
                self._put(*lookup.decoy(key, i))
        for phase in (0, 1):
            for v, w in row[3 + phase].items():
                here = (phase, False, path)
                if self._held(v):
                    held = lay.holders.get(v)
                    if held is None or (not phase and w[1] == KEY_LABEL):
                        return False        # a lookup key held already
                    if here < held:
                        self.new_values[v], lay.holders[v] = w, here
                    lay.multi[v] = lay.multi.get(v, 1) + 1
                else:
                    self.new_values[v] = w
                    self.gone.discard(v)
                    if phase or w[1] != KEY_LABEL:
                        lay.holders[v] = here
        return True

    def remove(self, path: str, row) -> bool:
        """A live matter's row as kept, the record gone; False when it can't be taken out exactly."""
        lay, item = self.layout, row[0]
        if item is not None:
            key = stored_key(row)
            ident = f"{item[0]}\0{item[1]}"
            at = bisect.bisect_left(lay.order, key) if key is not None else 0
            if key is None or ident not in lay.ids or at == len(lay.order) or lay.order[at] != key:
                return False
            del lay.order[at]
            lay.ids.discard(ident)
            lay.placed -= 1 + lookup.own_decoys(key)
            self._take(*lookup.locator(key))
            for i in range(lookup.own_decoys(key)):
                self._take(*lookup.decoy(key, i)[:2])
        for phase in (0, 1):
            here = (phase, False, path)
            for v in row[3 + phase]:
                held = lay.multi.get(v, 1)
                if held > 1:
                    if lay.holders.get(v, here) == here:
                        return False        # the next holder names it: not kept
                    lay.multi[v] = held - 1
                    if held == 2:
                        del lay.multi[v]
                elif not self._held(v):
                    return False
                else:
                    self.gone.add(v)
                    self.new_values.pop(v, None)
                    lay.holders.pop(v, None)
        return True

    def _take(self, shard: str, name: str):
        self.taking.setdefault(f"lookup/data/{shard}.json", set()).add(name)

    def _put(self, shard: str, name: str, content: str):
        self.adding.setdefault(f"lookup/data/{shard}.json", {})[name] = content

    def dropping(self) -> dict:
        """shard path -> names of the filling decoys no longer wanted (and the new ones put in `adding`)."""
        after = lookup.fillers(self.layout.order, self.layout.placed)
        gone, came = set(self.fill_before) - set(after), set(after) - set(self.fill_before)
        out: dict = {p: set(names) for p, names in self.taking.items()}
        for key, i in gone:
            shard, name, _ = lookup.decoy(key, i)
            out.setdefault(f"lookup/data/{shard}.json", set()).add(name)
        for key, i in came:
            self._put(*lookup.decoy(key, i))
        return out


def edited(shards: dict, sealing: dict, adding: dict, dropping: dict) -> dict | None:
    """path -> each shard changed: entries sealed again (`sealing`, in their place: the shard's JSON has sorted
    names and base64 values, so an entry of the same length is replaced where it stands: a shard_files.Patch),
    names added (`adding`, none there yet) and let go (`dropping`, each there: a shard_files.Grown, the stretch
    made again and how far the rest moved); None for one left with no name. None when a shard is not kept or a name is not where it should be."""
    out = {}
    for path in sealing.keys() | adding.keys() | dropping.keys():
        kept = shards.get(path)
        if kept is None and path in adding and path not in sealing and path not in dropping:
            kept = _NONE        # a shard that held no name yet
        if not isinstance(kept, shard_files.Shard) or not kept.holds():
            return None
        data = kept.data()
        resealed = sealing.get(path, {})
        if path not in adding and path not in dropping:
            edits = _in_place(data, resealed)
            if edits is not None:
                if edits:
                    out[path] = shard_files.Patch(kept, edits)
                continue
        whole = json.loads(data)
        for name in dropping.get(path, ()):
            if whole.pop(name, None) is None:
                return None
        for name, content in adding.get(path, {}).items():
            if name in whole:
                return None
            whole[name] = content
        if not resealed.keys() <= whole.keys():
            return None
        whole.update(resealed)
        made = shard_json(whole).encode() if whole else None      # a shard left with no name is not written
        out[path] = shard_files.Grown(kept, data, made) if made and kept is not _NONE else made
    return out


class _None(shard_files.Shard):
    def data(self) -> bytes:
        return b"{}"

    def holds(self) -> bool:
        return True


_NONE = _None("", "", ())


def _in_place(data: bytes, resealed: dict) -> tuple | None:
    """(start, bytes) of each entry's sealed string where it stands: each a whole JSON string's content (a run
    of a phone's or a key's characters ends at its quotes: publish.verdicts)."""
    out, at = [], 0
    for name, sealed in sorted(resealed.items()):      # in the shard's order: each found after the last
        at = data.find(b'"%s":"' % name.encode(), at)
        if at < 0:
            return None
        start = at + len(name) + 4
        end = data.find(b'"', start)
        if end - start != len(sealed):
            return None
        if data[start:end] != sealed.encode():      # the same bytes sealed again (a matter judged again) stay
            out.append((start, sealed.encode()))
    return tuple(out)
