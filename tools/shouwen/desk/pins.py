"""Who sits at the desk PC: each person's PIN, kept on this PC only (never in the repository).

The PINs live in `.shouwen/desk-pins.json` (git-ignored), salted and hashed with scrypt.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets

from ..core.problems import InputError

FILE = os.path.join(".shouwen", "desk-pins.json")
_HEX = re.compile(r"(?:[0-9a-f]{2})+\Z")


def _path(root: str) -> str:
    return os.path.join(root, FILE)


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=2 ** 14, r=8, p=1).hex()


def load(root: str) -> dict:
    """badge -> {salt, hash}: the entries that can be checked (a hand-edited one of another shape is left out).
    A file that is not such a JSON object is refused, never overwritten: it holds everybody's PINs."""
    try:
        with open(_path(root), encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise InputError(f"{FILE} 已损坏（不是本机密码文件应有的 JSON 对象）：请删除它，"
                         "再用 shouwen --as 工号 desk --set-pin 为每个人重新设置密码")
    return {badge: e for badge, e in data.items() if isinstance(e, dict)
            and all(isinstance(e.get(k), str) and _HEX.match(e[k]) for k in ("salt", "hash"))}


def set_pin(root: str, badge: str, pin: str) -> None:
    load(root)                              # a damaged file is refused, not overwritten
    try:
        with open(_path(root), encoding="utf-8") as fh:
            pins = json.load(fh)            # every entry kept as it is, even one load() leaves out
    except FileNotFoundError:
        pins = {}
    salt = secrets.token_bytes(16)
    pins[badge] = {"salt": salt.hex(), "hash": _hash(pin, salt)}
    os.makedirs(os.path.dirname(_path(root)), exist_ok=True)
    tmp = _path(root) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(pins, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, _path(root))


def check(root: str, badge: str, pin: str) -> bool:
    entry = load(root).get(badge)
    if not entry or not pin:
        return False
    return hmac.compare_digest(entry["hash"], _hash(pin, bytes.fromhex(entry["salt"])))
