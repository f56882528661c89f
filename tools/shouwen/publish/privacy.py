"""The privacy guard (DESIGN §7): the built site must hold nothing of a visitor or complainant.

Every personal value found in records/ is looked for in every file the build wrote, of any type:
text as it is read (tags stripped, entities decoded, full-width characters folded), and inside
spreadsheets and archives (.xlsx, .docx, .zip, .gz, .tar) member by member. Phones are compared as
digits only, so 138-0013-8001, (138) 0013 8001 and full-width digits are the same number.

A value is judged by the kind of field it came from: a name, a phone or an ID number always
identifies a person; an organisation or an address only when it is specific, so a visitor whose
organisation is 政务服务中心, or whose street is the agency's own, is not a leak on the agency's pages
(a value the rules themselves publish is the agency's, not the visitor's). Staff names are published
on purpose. A hit is `pii-leak`, naming the file and the record, never the value (it would land in a CI log).
"""
from __future__ import annotations

import gzip
import html
import io
import os
import re
import tarfile
import unicodedata
import zipfile

from ..core.problems import Problem
from .seen import _NON_DIGIT, _PHONE_RUN, KEY_LEN, Seen, key_windows
from .sought import KEY_LABEL, Sought, Values, _is_key  # noqa: F401 (KEY_LABEL, Values, _is_key: used through this module too)

PERSONAL = ("visitor", "complainant")
ALWAYS = {"name": "姓名", "phone": "电话", "id_number": "身份证号"}
IF_SPECIFIC = {"address": "地址", "organization": "单位"}
FIELDS = {**ALWAYS, **IF_SPECIFIC}
# each label made once (a site build keeps a label beside each of 185,000 values at 100,000 records)
LABELS = {(who, key): ("来访人" if who == "visitor" else "投诉人") + label
          for who in PERSONAL for key, label in FIELDS.items()}
CORRECTED = {k: f"{label}（更正）" for k, label in LABELS.items()}
MIN_LEN = 2
MIN_SPECIFIC = 4            # 东大街 or 政务中心 alone identifies nobody
MIN_PHONE_DIGITS = 7
MAX_DEPTH = 3               # archives inside archives
MAX_MEMBER_BYTES = 64 << 20

_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")


def normalise(text: str) -> str:
    """Text as a reader sees it: tags dropped, entities decoded, full-width folded, invisibles removed."""
    if "<" in text or "&" in text:      # most values have neither (thirty thousand of them a build)
        text = html.unescape(_TAG.sub("", text))
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub("", text)


def digits(s: str) -> str:
    d = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", s))
    return d[2:] if d.startswith("86") and len(d) == 13 else d


def personal_values(records, staff_names=(), agency_text: str = "", corrections=()) -> dict[str, tuple[str, str]]:
    """value -> (record id, field label) for every personal value worth looking for, in the records and in
    their corrections (record id, core.corrections.Correction): the old value as much as the new. Phones are
    keyed as 'tel:DIGITS'. `agency_text` is what the rules publish: an address or organisation found in it
    is the agency's own, not the visitor's. The first record to hold a value names it."""
    return Personal(staff_names, agency_text).values(records, corrections)


def person_of(rules) -> "Personal":
    """Personal for an agency: its staff's names, and what it publishes about itself (its own address or a
    department is not a visitor's)."""
    import json
    agency = json.dumps([rules.institution, [(s.raw, s.body) for s in rules.services.values()]],
                        ensure_ascii=False, default=str)
    return Personal([s.name for s in rules.staff.values()], agency)


class Personal:
    """personal_values one record at a time (a site build keeps each record's by its blob id): the staff
    names and the agency's own text normalised once."""

    def __init__(self, staff_names=(), agency_text: str = ""):
        self.skip = {normalise(n) for n in staff_names}
        self.agency = normalise(agency_text)

    def values(self, records, corrections=()) -> dict[str, tuple[str, str]]:
        """personal_values, with this one's staff names and agency text."""
        out: dict[str, tuple[str, str]] = {}
        for part in [self.of_record(rec) for rec in records] + [self.of_corrections([c]) for c in corrections]:
            for value, where in part.items():
                out.setdefault(value, where)
        return out

    def of_record(self, rec) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        meta = rec.meta if isinstance(rec.meta, dict) else {}
        for who in PERSONAL:
            person = meta.get(who)
            if not isinstance(person, dict):
                continue
            for key in FIELDS:
                _add(out, key, person.get(key), rec.id or rec.path, LABELS[who, key], self.skip, self.agency)
        key = meta.get("lookup")
        if isinstance(key, str) and len(key) >= 32:     # the record's lookup key opens its status without the code
            out.setdefault(key, (rec.id or rec.path, KEY_LABEL))
        return out

    def of_corrections(self, corrections) -> dict[str, tuple[str, str]]:
        """corrections: (record id, core.corrections.Correction)."""
        out: dict[str, tuple[str, str]] = {}
        for rid, c in corrections:
            who, _, key = c.field.partition(".")
            if who in PERSONAL and key in FIELDS:
                for v in (c.old, c.new):
                    _add(out, key, v, rid, CORRECTED[who, key], self.skip, self.agency)
        return out


def _add(out, key, v, rid, label, skip, agency):
    if v in (None, "") or isinstance(v, (dict, list, bool)):
        return
    if key == "phone":
        d = digits(str(v))
        if len(d) >= MIN_PHONE_DIGITS:
            out.setdefault(f"tel:{d}", (rid, label))
        return
    v = normalise(str(v)).strip()
    if len(v) < MIN_LEN or v in skip:
        return
    if key in IF_SPECIFIC and (len(v) < MIN_SPECIFIC or v in agency):
        return
    out.setdefault(v, (rid, label))
    return out


def _texts(name: str, data: bytes, depth: int = 0):
    """(member path, text) for a file and, for a spreadsheet or an archive, everything inside it."""
    low = name.lower()
    if depth < MAX_DEPTH:
        try:
            if data[:4] == b"PK\x03\x04":          # .xlsx .docx .zip .odt …
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    for info in z.infolist():
                        if not info.is_dir() and info.file_size <= MAX_MEMBER_BYTES:
                            yield from _texts(f"{name}!{info.filename}", z.read(info), depth + 1)
                return
            if data[:2] == b"\x1f\x8b":             # .gz (a sitemap.xml.gz, a tarball)
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as g:
                    inner = g.read(MAX_MEMBER_BYTES + 1)[:MAX_MEMBER_BYTES]
                yield from _texts(name[:-3] if low.endswith(".gz") else name + "!", inner, depth + 1)
                return
            if low.endswith(".tar") or data[257:262] == b"ustar":
                with tarfile.open(fileobj=io.BytesIO(data)) as t:
                    for m in t.getmembers():
                        if m.isfile() and m.size <= MAX_MEMBER_BYTES:
                            yield from _texts(f"{name}!{m.name}", t.extractfile(m).read(), depth + 1)
                return
        except (zipfile.BadZipFile, OSError, EOFError, tarfile.TarError, ValueError):
            pass                                    # not really an archive: read it as it is
    try:
        yield name, data.decode("utf-8")
    except UnicodeDecodeError:
        enc = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "gb18030"
        yield name, data.decode(enc, errors="replace")


_HEX_RUN = re.compile(r"[0-9a-fA-F]{%d,}" % KEY_LEN)


def _clean_spans(data: bytes, spans, sought: Sought) -> bool:
    """Whether nothing sought stands in or across any span of `data` (plain ASCII; a value across a span lies
    within the longest value's reach of it)."""
    if not data.isascii():
        return False
    reach = sought.reach + 1
    text = data.decode("ascii")
    return not any(find(text[max(0, a - reach):b + reach], sought) for a, b in spans)


def readings(text: str) -> tuple:
    """What `find` searches of a text: as a reader sees it (tags dropped) and as the markup holds it (attributes:
    href="tel:…", alt, title); plain ASCII with no tag and no entity (a shard) reads the same both ways, as it is."""
    if text.isascii() and "<" not in text and "&" not in text:
        return (text,)
    return normalise(text), _INVISIBLE.sub("", unicodedata.normalize("NFKC", html.unescape(text)))


def find(text: str, sought: Sought, seen: list | None = None) -> set[str]:
    """The keys of the personal values present in one text; a text of plain ASCII read as it is (a shard) adds
    what the passes over its classes of characters found (publish.seen.Seen) to `seen`."""
    hits = set()
    variants = readings(text)
    for plain in variants:
        ascii_only = plain.isascii()
        words = sought.ascii_words if ascii_only else sought.words
        if words:
            hits.update(words.findall(plain))
        if ascii_only:      # a phone run lies within a stretch of its characters: only those are tried
            found = Seen.of(plain)
            if seen is not None and len(variants) == 1:
                seen.append(found)
            hits.update(_looked_up(found.windows(), found.phone_runs(), sought))
        else:
            hits.update(_looked_up(key_windows(run.lower() for run in _HEX_RUN.findall(plain)),
                                   [_NON_DIGIT.sub("", run) for run in _PHONE_RUN.findall(plain)], sought))
    return hits


def _looked_up(windows, phone_runs, sought: Sought) -> set[str]:
    """The sought keys among the hex runs' windows, the sought phones in the phone runs' digits."""
    hits = {k for k in windows if k in sought.keys} if sought.keys else set()
    if sought.phones:
        for d in phone_runs:
            hits.update(f"tel:{p}" for p in sought.phones.findall(d))
    return hits


def leaks(name: str, text: str, values) -> list[Problem]:
    """`pii-leak` for each personal value in one text about to be published (a bulletin before its commit)."""
    if not values:
        return []
    return [Problem("pii-leak", f"{name} 含有事项 {values[k][0]} 的{values[k][1]}，个人信息不得公开", path=name,
                    record=values[k][0], field=values[k][1]) for k in sorted(find(text, Sought(values)))]


def scan(site_dir: str, values: dict[str, tuple[str, str]], plan=None) -> list[Problem]:
    """Every file of the built site. `plan` (publish.verdicts.Plan) knows the kept shards the guard found clean
    before: one it `skips` is not read, one it finds `clean` from what it kept of it is not scanned, and it is
    told what the passes found in each other file of plain ASCII with no tag or entity (`found`)."""
    if not values:
        return []
    sought = Sought(values)
    problems = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            page = os.path.relpath(full, site_dir).replace(os.sep, "/")
            if plan is not None and plan.skips(page):
                continue
            with open(full, "rb") as fh:
                data = fh.read()
            if plan is not None and plan.clean(page, data, sought):
                continue
            hits, seen = set(), []
            for where, text in _texts(page, data):
                for key in sorted(find(text, sought, seen if where == page else None) - hits):
                    hits.add(key)
                    rid, label = values[key]
                    problems.append(Problem("pii-leak", f"公开网站的 {where} 含有事项 {rid} 的{label}，个人信息不得公开",
                                            path=page, record=rid, field=label))
            if plan is not None and len(seen) == 1:
                plan.found(page, seen[0])
    return problems
