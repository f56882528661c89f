"""Record ids and lookup codes (DESIGN §3).

An id is checked as a plain token before it is ever used to build a path.
"""
from __future__ import annotations

import re
from datetime import date

from .problems import InputError

BADGE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
# kind prefix -> record folder
KINDS = {"": "inquiries", "TS": "complaints", "JC": "inspections", "BY": "commendations", "HB": "reports"}
ID_RE = re.compile(r"^(?:(TS|JC|BY|HB)-)?(\d{4})(\d{2})(\d{2})-([A-Z][A-Z0-9]{1,9})-(\d{3})$")

# Lookup codes avoid 0/O/1/I so they survive being read over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{6}}$")


def typed_id(text: str) -> str:
    """An id as a clerk types it (read over the phone): spaces around it and the case of its letters don't
    matter, as for a badge (` 20261127-j017-003` is 20261127-J017-003; a lookup code after a dot too)."""
    return text.strip().upper() if isinstance(text, str) else text


def parse_id(record_id: str):
    """(kind folder, date, badge, seq) or None when it is not a well-formed id."""
    if not isinstance(record_id, str):
        return None
    m = ID_RE.match(record_id)
    if not m:
        return None
    prefix, y, mo, d, badge, seq = m.groups()
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    return KINDS[prefix or ""], day, badge, int(seq)


MAX_SEQ = 999       # three digits: a person's matters of one day


def make_id(day: date, badge: str, seq: int, prefix: str = "") -> str:
    if not 0 <= seq <= MAX_SEQ:
        raise InputError(f"工号 {badge} 在 {day.year}年{day.month}月{day.day}日 的编号已用完（每人每天至多 {MAX_SEQ} 件）")
    base = f"{day:%Y%m%d}-{badge}-{seq:03d}"
    return f"{prefix}-{base}" if prefix else base


def record_path(record_id: str) -> str:
    """records/<kind>/<YYYY>/<MM>/<id>.md, relative to the repository."""
    parsed = parse_id(record_id)
    if parsed is None:
        raise ValueError(record_id)
    kind, day, _, _ = parsed
    return f"records/{kind}/{day:%Y}/{day:%m}/{record_id}.md"


def new_code(rng=None) -> str:
    if rng is None:
        import secrets      # only a writer makes codes: not imported at every start of a reading command
    choice = rng.choice if rng is not None else secrets.choice
    return "".join(choice(CODE_ALPHABET) for _ in range(6))
