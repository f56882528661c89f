"""Whether a visitor's or complainant's phone can be dialled from mainland China (pure).

The office calls back (`回访`) and tells people what they need (`告知`): a number cut short (`139`) is as good
as none. `undialable` is the one rule: the desk refuses what it finds (core.phones.brought, used by the
writer), `check` warns of a record that already holds one (`phone-undialable`, never an error: old records
stay readable and take their next event). What people really give passes: mobiles with spaces, hyphens,
+86/0086 and full-width digits; landlines with an area code, in brackets too; a local number without one;
service numbers (12345, 95588, 400/800); an extension (`转`, `分机`, ext or a last hyphen group); Hong Kong,
Macau, Taiwan and foreign numbers with + and a country code; two numbers as `a/b`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from .corrections import FIELD_ZH
from .problems import ERROR, Problem
from .quote import quoted

EXPECTED = ("能拨通的号码是：11 位手机号（如 139 1234 5678）、带区号的固定电话（如 010-12345678）、本地 7 至 8 位"
            "固定电话、服务号码（如 12345、95588、400-810-8888），境外号码以 + 和国家或地区代码开头，分机写在号码后"
            "（如 转123）")
PHONE_FIELDS = ("visitor.phone", "complainant.phone")

# `转` (U+8F6C) or `分机` (U+5206 U+673A) by code point: no Chinese beside the pattern's brackets
_EXTENSION = re.compile(r"^(.*?)[\s\-]*(?:\u8f6c|\u5206\u673a|ext\.?|x)[\s\-.:]*(\d*)$", re.A)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()]")
_MOBILE = re.compile(r"1[3-9]\d{9}", re.A)
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d\d)[1-9]\d{6,7}", re.A)      # area code, then the local number
_LOCAL = re.compile(r"[2-9]\d{6,7}", re.A)                               # an office's own city, no area code
_SERVICE = re.compile(r"12\d{3}|100\d{2}|9[56]\d{3,6}|[48]00\d{7}", re.A)  # 12345, 10086, 95588, 96xxx, 400/800
_LAST_GROUP = re.compile(r"^(.*\d)\s*[\-\u2010-\u2015]\s*(\d{1,6})$", re.A)   # 010-12345678-123


def _domestic(d: str) -> bool:
    return bool(_MOBILE.fullmatch(d) or _LANDLINE.fullmatch(d) or _LOCAL.fullmatch(d) or _SERVICE.fullmatch(d))


def _from_abroad(d: str) -> str | None:
    """Why a number after + (or 00) cannot be dialled, or None."""
    if d.startswith("86"):
        n = d[2:]
        ok = _MOBILE.fullmatch(n) or _LANDLINE.fullmatch("0" + n) or _LANDLINE.fullmatch(n) or re.fullmatch(
            r"[48]00\d{7}", n, re.A)
        return None if ok else "+86 后应为 11 位手机号，或不带开头 0 的区号加号码（如 +86 10 1234 5678）"
    if d.startswith(("852", "853")):
        return None if re.fullmatch(r"[1-9]\d{7}", d[3:], re.A) else "香港、澳门号码应为 +852 或 +853 加 8 位数字"
    if d.startswith("886"):
        return None if re.fullmatch(r"[1-9]\d{7,8}", d[3:], re.A) else "台湾号码应为 +886 加 8 至 9 位数字（不带开头的 0）"
    if d.startswith("0") or not 7 <= len(d) <= 15:
        return f"境外号码应为 + 加国家或地区代码和号码，共 7 至 15 位数字（实为 {len(d)} 位）"
    return None


def _why_domestic(d: str) -> str | None:
    if _domestic(d):
        return None
    if d[:1] == "1" and d[1:2] in "3456789" and len(d) != 11:
        return f"手机号应为 11 位数字，实为 {len(d)} 位"
    if d[:1] == "1" and len(d) == 11:
        return "手机号的第二位应为 3 至 9"
    if d[:1] == "0":
        return f"带区号的固定电话应为区号加 7 至 8 位号码，实为 {len(d)} 位数字"
    return f"实为 {len(d)} 位数字，不是能拨通的号码"


def _number(text: str) -> str | None:
    """Why one number (no `/`) cannot be dialled, or None."""
    m = _EXTENSION.match(text)
    if m:
        if not m.group(2) or len(m.group(2)) > 6:
            return "分机号应为 1 至 6 位数字，写在号码后（如 转123）"
        text = m.group(1)
    d = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?\d+", d, re.A):
        return "只能含数字，以及国家或地区代码前的 + 和分机号前的“转”"
    if d.startswith("+") or d.startswith("00"):
        return _from_abroad(d[1:] if d.startswith("+") else d[2:])
    why = _why_domestic(d)
    if why and not m:
        last = _LAST_GROUP.match(text)       # an extension after a last hyphen: 0935-2210012-123
        if last and _LANDLINE.fullmatch(_SEPARATORS.sub("", last.group(1))):
            return None
    return why


def undialable(phone: str) -> str | None:
    """Why `phone` cannot be dialled from mainland China, in Chinese (what is wrong, then what is expected),
    or None when it can."""
    if _MOBILE.fullmatch(phone):        # nearly every record's, as the writer keeps it: nothing more to read
        return None
    text = unicodedata.normalize("NFKC", phone).strip().lower()
    parts = [p.strip() for p in text.split("/")]
    for part in parts:
        why = _number(part) if part else "两个号码之间用 / 分开，两边都要有号码"
        if why:
            return f"{why}；{EXPECTED}"
    return None


def _warning(phone, said: str, **where) -> Problem | None:
    """`phone-undialable` for `phone` (what the message calls it: `said`) when it is text no one can dial."""
    why = undialable(phone) if isinstance(phone, str) and phone.strip() else None
    return Problem("phone-undialable", f"{said}{quoted(phone)}无法拨通：{why}", **where) if why else None


def phone_problems(rec) -> list[Problem]:
    """A `phone-undialable` warning for each phone of the record (as it reads) that cannot be dialled."""
    out = []
    for dotted in PHONE_FIELDS:
        person, leaf = dotted.split(".")
        holder = rec.meta.get(person)
        out.append(_warning(holder.get(leaf) if isinstance(holder, dict) else None, f"{FIELD_ZH[dotted]}（{dotted}）",
                            path=rec.path, record=rec.id, field=dotted))
    return [p for p in out if p]


def public_phones(inst: dict) -> list[Problem]:
    """A `phone-undialable` warning for each number the public is given in rules/institution.yml (the
    switchboard, the hotline, each `科室`'s phone) that cannot be dialled: the site, the placard and the lobby
    screen print it."""
    found = [(f"phones.{k}", v) for k, v in (inst.get("phones") or {}).items()]
    found.append(("supervision.hotline", (inst.get("supervision") or {}).get("hotline")))

    def walk(depts, where):
        for i, d in enumerate(depts or []):
            found.append((f"{where}[{i}].phone", d.get("phone")))
            walk(d.get("children"), f"{where}[{i}].children")
    walk(inst.get("departments"), "departments")
    out = [_warning(phone, "公开电话", path="rules/institution.yml", field=field) for field, phone in found]
    return [p for p in out if p]


def brought(rec, before=None) -> list[Problem]:
    """The phones this write brings that cannot be dialled (a new record's, a correction's), as errors: the desk
    refuses them. `rec` and `before`: the record after and before the write, as each reads (corrections
    applied); a number the record already held stays a warning of `check`."""
    had = set(phone_problems(before)) if before is not None else set()
    return [replace(p, severity=ERROR) for p in phone_problems(rec) if p not in had]
