"""The privacy guard (DESIGN §7): the built site must hold nothing of a visitor or complainant.

Every name, phone, address and organization found in records/ is looked for in every text file
the build wrote, masked or not; a hit is `pii-leak`, naming the page and the record it came from
(never the value itself, which would put it in a CI log). Staff names are published on purpose,
so a visitor who shares a staff member's name is not a hit.
"""
from __future__ import annotations

import os
import re

from ..core.problems import Problem

PERSONAL = ("visitor", "complainant")
FIELDS = {"name": "姓名", "phone": "电话", "address": "地址", "organization": "单位"}
TEXT_FILES = (".html", ".htm", ".json", ".js", ".xml", ".txt", ".svg", ".md", ".csv", ".css")
MIN_LEN = 2


def personal_values(records, staff_names=(), corrections=()) -> dict[str, tuple[str, str]]:
    """value -> (record id, field label) for every personal value in the records, and in their
    corrections (record id, core.corrections.Correction): the old value as much as the new."""
    skip = set(staff_names)
    out: dict[str, tuple[str, str]] = {}
    for rec in records:
        for who in PERSONAL:
            person = rec.meta.get(who) if isinstance(rec.meta, dict) else None
            if not isinstance(person, dict):
                continue
            for key, label in FIELDS.items():
                v = person.get(key)
                v = str(v).strip() if v not in (None, "") else ""
                if len(v) >= MIN_LEN and v not in skip:
                    out.setdefault(v, (rec.id or rec.path, f"{'来访人' if who == 'visitor' else '投诉人'}{label}"))
    for rid, c in corrections:
        who, _, key = c.field.partition(".")
        if who in PERSONAL and key in FIELDS:
            for v in (c.old, c.new):
                v = str(v).strip() if isinstance(v, (str, int)) else ""
                if len(v) >= MIN_LEN and v not in skip:
                    out.setdefault(v, (rid, f"{'来访人' if who == 'visitor' else '投诉人'}{FIELDS[key]}（更正）"))
    return out


def scan(site_dir: str, values: dict[str, tuple[str, str]]) -> list[Problem]:
    if not values:
        return []
    # one alternation, longest first, so 张三丰 is reported as itself and not as 张三
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    problems = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.lower().endswith(TEXT_FILES):
                continue
            full = os.path.join(dirpath, name)
            with open(full, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            seen = set()
            for m in pattern.finditer(text):
                if m.group(0) in seen:
                    continue
                seen.add(m.group(0))
                rid, label = values[m.group(0)]
                page = os.path.relpath(full, site_dir).replace(os.sep, "/")
                problems.append(Problem("pii-leak", f"公开网站的 {page} 含有事项 {rid} 的{label}，个人信息不得公开",
                                        path=page, record=rid, field=label))
    return problems
