"""The writer's canonical record form, written and read fast (pure).

`dump` writes exactly what PyYAML's SafeDumper writes for a record (block header, one flow line
per event), without running PyYAML's emitter for every value: each scalar's style is decided by
the same analysis PyYAML makes (ported below, memoised), and any value it would not write as a
plain or single-quoted one-line scalar goes to PyYAML itself. `load_header` reads that form back
in one pass over the lines and returns None for anything else, so the caller falls back to libyaml;
what it accepts it returns exactly as libyaml's safe loader does (a test holds both).
"""
from __future__ import annotations

import re
from datetime import date, datetime

from .safeyaml import MAX_INT_TEXT
from .yaml_resolve import STR_TAG, resolve

_SPACE = "\0 \t\r\n\x85\u2028\u2029"
_BREAKS = "\n\x85\u2028\u2029"


# a string of letters and digits (any script's: CJK too), with - . _ inside: no indicator, space, break or
# unprintable character anywhere, so plain in both contexts. The names, phones, addresses, ids and keys of
# records, tens of thousands in a large demo, skip the scan below (a test holds the two the same); str
# methods, not a pattern: a character class over the Unicode ranges costs every command 11 ms to compile
_INSIDE = str.maketrans("", "", "-._")
_EVERYWHERE = (True, True, True)


def _analyze(s: str) -> tuple[bool, bool, bool]:
    """PyYAML's Emitter.analyze_scalar, reduced to what a one-line scalar needs:
    (plain allowed in block context, plain allowed in flow context, single quotes allowed)."""
    return _EVERYWHERE if s[:1].isalnum() and s.translate(_INSIDE).isalnum() else _scan(s)


def _scan(s: str) -> tuple[bool, bool, bool]:
    if not s:
        return False, False, True
    block_ind = flow_ind = False
    if s.startswith("---") or s.startswith("..."):
        block_ind = flow_ind = True
    preceded = True
    followed = len(s) == 1 or s[1] in _SPACE
    special = breaks = False
    leading = s[0] == " "
    trailing = s[-1] == " "
    n = len(s)
    for i, ch in enumerate(s):
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            if ch in "?:":
                flow_ind = True
                if followed:
                    block_ind = True
            if ch == "-" and followed:
                flow_ind = block_ind = True
        else:
            if ch in ",?[]{}":
                flow_ind = True
            if ch == ":":
                flow_ind = True
                if followed:
                    block_ind = True
            if ch == "#" and preceded:
                flow_ind = block_ind = True
        if ch in _BREAKS:
            breaks = True
        if not (ch == "\n" or "\x20" <= ch <= "\x7e"):
            if not ((ch == "\x85" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
                     or "\U00010000" <= ch < "\U0010ffff") and ch != "\ufeff"):
                special = True
        preceded = ch in _SPACE
        followed = i + 2 >= n or s[i + 2] in _SPACE
    if special or breaks or "\t" in s:
        return False, False, False          # double quotes or several lines: left to PyYAML
    plain = not (leading or trailing)
    return plain and not block_ind, plain and not flow_ind, True


_styles: dict[tuple[str, bool], str | None] = {}


def _scalar_text(s: str, flow: bool) -> str | None:
    """How the dumper writes the string `s`, or None when only PyYAML can say."""
    key = (s, flow)
    hit = _styles.get(key, False)
    if hit is not False:
        return hit
    block_plain, flow_plain, single = _analyze(s)
    implicit = resolve(s) == STR_TAG
    if implicit and (flow_plain if flow else block_plain):
        out = s
    elif single:
        out = "'" + s.replace("'", "''") + "'"
    else:
        out = None
    if len(_styles) < 200_000:
        _styles[key] = out
    return out


def scalar(v, flow: bool) -> str | None:
    if isinstance(v, str):
        return _scalar_text(v, flow)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
        text = repr(v).lower()          # SafeRepresenter.represent_float
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    return None


def _block_entry(k, v, out: list) -> bool:
    key = _scalar_text(k, False) if isinstance(k, str) and len(k) < 100 else None
    if key is None:
        return False
    if isinstance(v, dict):
        if not v:
            out.append(f"{key}: {{}}")
            return True
        out.append(f"{key}:")
        for sk, sv in v.items():
            skey = _scalar_text(sk, False) if isinstance(sk, str) and len(sk) < 100 else None
            text = scalar(sv, False) if not isinstance(sv, (dict, list)) else None
            if skey is None or text is None:
                return False
            out.append(f"  {skey}: {text}")
        return True
    if isinstance(v, list):
        if not v:
            out.append(f"{key}: []")
            return True
        out.append(f"{key}:")
        for item in v:
            text = scalar(item, False) if not isinstance(item, (dict, list)) else None
            if text is None:
                return False
            out.append(f"- {text}")
        return True
    text = scalar(v, False)
    if text is None:
        return False
    out.append(f"{key}: {text}")
    return True


def head_lines(head: dict) -> list[str] | None:
    """The block-style header as SafeDumper writes it, or None to let PyYAML write it."""
    out: list[str] = []
    for k, v in head.items():
        if not _block_entry(k, v, out):
            return None
    return out


def flow_value(v) -> str | None:
    if isinstance(v, list):
        items = [scalar(x, True) if not isinstance(x, (dict, list)) else None for x in v]
        return None if None in items else "[" + ", ".join(items) + "]"
    if isinstance(v, dict):
        return None
    return scalar(v, True)


# --- reading ---------------------------------------------------------------------------

_CANON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\Z")
_CANON_DAY = re.compile(r"\d{4}-\d\d-\d\d\Z")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_DECIMAL_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_plain_memo: dict[str, object] = {}
_zones: dict = {}
_FAIL = object()


def _plain(s: str):
    """A plain scalar's value as the safe loader builds it, or _FAIL for a kind left to libyaml."""
    if not s.isascii():
        return s                    # every implicit resolver matches ASCII only
    if _CANON_TIME.match(s):        # an event's time: YAML's timestamp in the one form the writer writes
        try:
            v = datetime.fromisoformat(s)
        except ValueError:
            return _FAIL            # 2026-02-30…: libyaml says what is wrong with it
        if v.isoformat() != s:
            return _FAIL            # -00:00, +08:60: not as the writer writes that time
        zone = _zones.setdefault(s[19:], v.tzinfo)      # one tzinfo object an offset: pickled once, not per time
        return v if v.tzinfo is zone else v.replace(tzinfo=zone)
    hit = _plain_memo.get(s, _FAIL)
    if hit is not _FAIL:
        return hit
    tag = resolve(s)
    if tag == STR_TAG:
        v = s
    elif tag.endswith(":int") and _DECIMAL.match(s) and len(s) <= MAX_INT_TEXT:     # longer: libyaml's text
        v = int(s)
    elif tag.endswith(":timestamp") and _CANON_DAY.match(s):
        try:
            v = date.fromisoformat(s)
        except ValueError:
            return _FAIL
    elif tag.endswith(":float") and _DECIMAL_FLOAT.match(s) and scalar(float(s), True) == s:
        v = float(s)
    elif tag.endswith(":bool") and s in ("true", "false"):
        v = s == "true"
    elif tag.endswith(":null") and s == "null":
        v = None
    else:
        return _FAIL
    if len(_plain_memo) < 100_000:
        _plain_memo[s] = v
    return v


# A string the dumper writes plain in block and in flow context, found by one match instead of _analyze: its
# first character neither an indicator nor one that starts an implicit type (a number, bool, null, time, `<<`,
# `=`), no flow indicator, `:`, `?` or `#` in it, only printable characters and no line break, no space at
# its end. Only a subset of the plain strings (`a: b`, `true`, `2026` are left to _analyze).
# Written as what is NOT allowed: the same classes as first char [A-EG-MP-SU-XZa-eg-mp-su-xz_$()/;\\^] + _UNI,
# then [ ] + _MID, and _MID last, with _UNI = \xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe
# and _MID = \x21\x22\x24-\x2b\x2d-\x39\x3b-\x3e\x40-\x5a\x5c\x5e-\x7a\x7c\x7e + _UNI (tests/test_canonical_exact.py
# holds them equal over every code point); the classes written positively took 13 ms to compile, at every start.
_NOT_UNI = r"\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U0010ffff"
_NOT_MID = r"\x23\x2c\x3a\x3f\x5b\x5d\x7b\x7d" + _NOT_UNI           # besides \x00-\x20 (\x00-\x1f where a space may be)
_NOT_FIRST = (r"\x00-\x23\x25-\x27\x2a-\x2e\x30-\x3a\x3c-\x40\x46\x4e\x4f\x54\x59\x5b\x5d\x60\x66\x6e\x6f\x74\x79"
              r"\x7b-\x7e" + _NOT_UNI)
_SAFE_CLASSES = (f"[^{_NOT_FIRST}]", f"[^\\x00-\\x1f{_NOT_MID}]", f"[^\\x00-\\x20{_NOT_MID}]")     # first, middle, last
_SAFE = re.compile(r"%s(?:%s*%s)?\Z" % _SAFE_CLASSES)


def _value(s: str, flow: bool):
    """A scalar as written by the dumper: accepted only when the dumper writes its value exactly so."""
    if _SAFE.match(s):
        return s
    if s.startswith("'"):
        inner = s[1:-1].replace("''", "'")
        return inner if len(s) >= 2 and _scalar_text(inner, flow) == s else _FAIL
    v = _plain(s)
    if isinstance(v, str) and _scalar_text(v, flow) != s:
        return _FAIL
    return v


# A flow mapping's items: a key, then a single-quoted scalar, a flow list of plain scalars or a plain scalar.
# Each item can match in one way only (a quoted scalar ends at its first lone quote, a plain one at the next
# comma), so the whole line is checked by one match and its items taken by another.
_VAL = r"'(?:[^']|'')*'|\[[^\[\]{}'\"]*\]|[^,\[\]{}'\"]+"
_FLOW = re.compile(r"\{(?:[A-Za-z_][A-Za-z0-9_]*: (?:%s), )*[A-Za-z_][A-Za-z0-9_]*: (?:%s)\}\Z" % (_VAL, _VAL))
_ITEMS = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (%s)(?:, |\}\Z)" % _VAL)
_flow_keys: set[str] = set()     # keys the dumper writes plain in flow context


def _flow_map(s: str):
    if s == "{}":
        return {}
    if not _FLOW.match(s):
        return _FAIL
    out = {}
    for key, raw in _ITEMS.findall(s, 1):
        if key in out:
            return _FAIL
        if key not in _flow_keys:
            if _scalar_text(key, True) != key:
                return _FAIL
            if len(_flow_keys) < 10_000:
                _flow_keys.add(key)
        if raw[0] == "[":
            inner = raw[1:-1]
            v = [_value(x, True) for x in inner.split(", ")] if inner else []
            if _FAIL in v or ("," in inner.replace(", ", "")):
                return _FAIL
        else:
            v = _value(raw, True)
            if v is _FAIL:
                return _FAIL
        out[key] = v
    return out


EVENT_KEY_ORDER = ("at", "by", "action")     # the writer puts these first, the rest as the event has them


def _in_order(ev: dict) -> bool:
    """An event's keys in the writer's order: at, by, action (those present) before any other."""
    want = [k for k in EVENT_KEY_ORDER if k in ev]
    return list(ev)[:len(want)] == want


def load_event_line(s: str) -> dict | None:
    """The event on one line (without its `  - `), only when the writer writes exactly this line for it:
    keys in its order, every value as `_value` accepts it (the dumper's own text), its separators."""
    ev = _flow_map(s)
    return None if ev is _FAIL or not _in_order(ev) else ev


_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,98}):(?: (.+))?\Z")     # the writer leaves longer keys to PyYAML


def load_header(text: str) -> dict | None:
    """The header lines (between the two `---`) of a record in the writer's form, or None."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return None
    out: dict = {}
    i, n = 0, len(lines)
    while i < n:
        m = _KEY.match(lines[i])
        if m is None:
            return None
        key, raw = m.group(1), m.group(2)
        if key in out or _scalar_text(key, False) != key:
            return None         # a duplicate key: libyaml decides (and the check reports it)
        i += 1
        if raw is not None:
            if key == "events":
                return None     # the writer writes events as a list of flow mappings, whatever they hold
            if raw == "{}":
                v = {}
            elif raw == "[]":
                v = []
            else:
                v = _value(raw, False)
                if v is _FAIL:
                    return None
            out[key] = v
            continue
        if key == "events":             # the events, last: one flow mapping a line, `at, by, action` first
            if i >= n or not lines[i].startswith("  - {"):
                return None
            items = []
            while i < n and lines[i].startswith("  - "):
                ev = _flow_map(lines[i][4:])
                if ev is _FAIL or not _in_order(ev):
                    return None
                items.append(ev)
                i += 1
            if i < n:
                return None
            out[key] = items
        elif i < n and lines[i].startswith("- "):           # a block list of scalars
            items = []
            while i < n and lines[i].startswith("- "):
                v = _value(lines[i][2:], False)
                if v is _FAIL:
                    return None
                items.append(v)
                i += 1
            out[key] = items
        elif i < n and lines[i].startswith("  ") and not lines[i].startswith("   "):   # a mapping of scalars
            sub: dict = {}
            while i < n and lines[i].startswith("  ") and not lines[i].startswith("   "):
                sm = _KEY.match(lines[i][2:])
                if sm is None or sm.group(2) is None or sm.group(1) in sub or _scalar_text(sm.group(1), False) != sm.group(1):
                    return None
                v = _value(sm.group(2), False)
                if v is _FAIL:
                    return None
                sub[sm.group(1)] = v
                i += 1
            out[key] = sub
        else:
            return None         # `key:` alone is null, or a layout this reader does not know
    return out
