"""The privacy guard's verdicts on the kept lookup shards (issue 15).

A shard put in the output as the kept file itself (publish.shard_files: same device, inode, size and time) and
found clean before against the same personal values is not read again; one made from such a shard (entries
sealed again in their place, or one stretch made again with names added or let go) is scanned in those spans
only, and the rest of it judged from what was kept. With each clean verdict is kept what the passes
over the shard's classes of characters found in it (publish.seen.Seen: its phone runs' digits and hex runs),
which depends on its bytes alone. A shard found clean against values V is clean against V and Δ, the values
added since (a value gone only leaves fewer to find), exactly when no phone of Δ is in its phone runs' digits,
no lookup key among all the values is a window of its hex runs, and, only if Δ has words of plain ASCII, none
of those is in its text (a shard is plain ASCII: no other word can stand in it; privacy.find reads it so).
So a new matter's values are looked up in what was kept, not in 130 MB passed over again. Kept as (the values'
digest, {shard digest: Seen, or None when the passes were not kept}, what tells the values added since:
publish.sought.Values.since, so that Δ is known without keeping, or reading, every value again).
"""
from __future__ import annotations

import functools
import hashlib
import os

from . import privacy, seen as passes
from .needles import Needles
from .shard_files import Shard, _stamp
from ..repo import answers
from ..repo.kept_map import added_since

VERDICTS = os.path.join(".shouwen", "cache", "guard-verdicts.pickle")
VERDICTS_KEY = "clean shards: (values digest, {shard digest: what the passes found}, what names the values added)"


@functools.cache
def verdicts_key() -> str:
    """What the passes find is the guard's code's as much as the bytes': kept verdicts hold for this package."""
    return repr((VERDICTS_KEY, answers.package_stamp()))


def values_digest(values) -> str:
    """The personal values the guard looks for, named (in the order they were gathered)."""
    if hasattr(values, "digest"):
        return values.digest()      # privacy.Values
    return hashlib.sha1(repr(list(values)).encode("utf-8", "surrogatepass")).hexdigest()    # no two sets alike


def but_keys(values) -> frozenset:
    """The values that look like no lookup key (names, addresses, organisations, tel:phones): what the values
    added are told by. A key, or a name that looks like one, is looked up among a shard's hex runs against
    all the values: they are few (none in sealed base64 but by chance)."""
    if isinstance(values, privacy.Values):
        return values.plain_values()
    return frozenset(v for v in values if not privacy._is_key(v))


class _Added:
    """The values added since a shard was found clean (Δ), made ready to be looked up in what was kept of it."""

    def __init__(self, added):
        self.phones = [v[4:] for v in added if v.startswith("tel:")]
        self.ascii = Needles([v for v in added if not v.startswith("tel:") and v.isascii()])

    @classmethod
    def every(cls, values) -> "_Added":
        """All the values but the keys (`but_keys`), the phones and words of privacy.Values as they are kept
        (not a set of every value made again with 'tel:' before a hundred thousand phones)."""
        if not isinstance(values, privacy.Values):
            return cls(but_keys(values))
        out = cls(())
        out.phones = values.phones.frozen()
        out.ascii = Needles([v for v in values.words.frozen() if v.isascii()])
        return out

    def meet(self, data: bytes, seen, sought) -> bool:
        """Whether a value may stand in `data` (plain ASCII) that did not before: a phone added in a phone
        run's digits, any key in a hex run, a word of plain ASCII added in the text."""
        if any(p in seen.digits for p in self.phones):
            return True
        if sought.keys and any(k in sought.keys for k in seen.windows()):
            return True
        return bool(self.ascii) and bool(self.ascii.findall(data.decode("ascii")))


class Plan:
    """For privacy.scan: which linked shards it may skip, judge from what was kept, or must scan; then
    `remember` keeps the verdicts of this build's clean shards."""

    def __init__(self, root: str, site_dir: str, linked: dict[str, Shard], values):
        self.root = root
        self.vdigest = values_digest(values)
        kept = answers.read_kept(os.path.join(root, VERDICTS), verdicts_key())
        vdigest, clean, since = kept if isinstance(kept, tuple) and len(kept) == 3 else ("", {}, None)
        self.same = vdigest == self.vdigest
        self.kept = clean
        self.since = values.since() if isinstance(values, privacy.Values) else None
        self._values, self._since = values, since
        # the linked shards still the kept file itself: only of those is a verdict taken or kept
        self.trusted = {p: s for p, s in linked.items() if _stamp(os.path.join(site_dir, p)) == s.stamp and s.holds()}
        self.whole, self.prior, self.seen = set(), {}, {}
        for path, s in self.trusted.items():
            if s.digest in clean and self.same:
                self.whole.add(path)
                self.seen[path] = clean[s.digest]
            elif s.digest in clean and clean[s.digest] is not None:
                self.prior[path] = (clean[s.digest], (), 0)
            elif s.parent and s.spans and s.parent in clean and (self.same or clean[s.parent] is not None):
                self.prior[path] = (clean[s.parent], s.spans, s.shift)

    @functools.cached_property
    def added(self) -> "_Added":
        """The values added since the verdicts were found (a few more at most, each only looked up again); when
        that can't be told (the values kept anew since), all of them: the same verdicts, in seconds. Made when a
        shard is first judged from what was kept (none is in a first build)."""
        added = added_since(self._since, self.since)
        return _Added.every(self._values) if added is None else _Added([v for v in added if not privacy._is_key(v)])

    def skips(self, page: str) -> bool:
        return page in self.whole

    def clean(self, page: str, data: bytes, sought) -> bool:
        """Whether a shard made from one found clean (the same bytes, or spans sealed again) is clean now, told
        from what was kept: the spans scanned against all the values, the rest looked up for the values added."""
        # what a shard is (plain ASCII, no tag, no entity: privacy.find reads it as it stands), and spans no run
        # crosses: anything else is the full scan's
        if page not in self.prior or not data.isascii() or b"<" in data or b"&" in data:
            return False
        seen, spans, shift = self.prior[page]
        if spans and not passes.bounded(data, spans):
            return False
        if spans:
            if not privacy._clean_spans(data, spans, sought):
                return False
            seen = seen.moved(data, spans, shift) if seen is not None else None
        if not self.same and (seen is None or self.added.meet(data, seen, sought)):
            return False
        self.seen[page] = seen
        return True

    def found(self, page: str, seen) -> None:
        if page in self.trusted:        # only a kept shard's verdict is kept
            self.seen[page] = seen

    def remember(self, leaked: set[str]) -> None:
        """Keep the verdicts of this build's shards that were clean (those of other values are let go)."""
        clean = {s.digest: self.seen.get(p) for p, s in self.trusted.items() if p not in leaked}
        if self.same:       # the shards this build's were made from, for a build made from them again (another
            clean.update((s.parent, self.kept[s.parent]) for s in self.trusted.values()     # day, patched from
                         if s.parent in self.kept and s.parent not in clean)               # an older commit)
        answers.keep(os.path.join(self.root, VERDICTS), verdicts_key(), (self.vdigest, clean, self.since))
