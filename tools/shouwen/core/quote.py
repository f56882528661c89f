"""A value named in a Chinese message, between Chinese quotation marks (GB/T 15834): `编号“2026-x”格式不对`,
where Python's `!r` wrote `编号 '2026-x' 格式不对`.

What `!r` did for us stays: a control character, a direction override or a byte that was not UTF-8 shows as
a visible escape (`\\n`, `\\u202e`, `\\udcb2`), never as itself; and a long value is cut, so one bad cell
cannot fill a terminal.
"""
from __future__ import annotations

LIMIT = 60      # characters of the value shown; a longer one ends in `…`

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(c: str) -> str:
    n = ord(c)
    return _NAMED.get(c) or (f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")


def plain(value) -> str:
    """A value as the user wrote it in YAML: text as itself, `null`, `true`, `[a, b]`, `{a: 1}`, a date as
    2026-11-29 (Python's repr would write None, True, ['a', 'b'], datetime.date(2026, 11, 29))."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(map(plain, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{plain(k)}: {plain(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def shown(value, limit: int | None = LIMIT) -> str:
    """`plain(value)` cut to `limit` characters and with every character a terminal would not print
    (control, direction override, lone surrogate) as an escape; no quotation marks."""
    text = plain(value)
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def quoted(value, limit: int | None = LIMIT) -> str:
    """The value between “ and ”, for a message: f"编号{quoted(rid)}格式不对"."""
    return f"“{shown(value, limit)}”"
