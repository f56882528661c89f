"""Who sits at the desk PC: each person's PIN, kept on this PC only (never in the repository).

The PINs live in `.shouwen/desk-pins.json` (git-ignored), salted and hashed with scrypt.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets

FILE = os.path.join(".shouwen", "desk-pins.json")


def _path(root: str) -> str:
    return os.path.join(root, FILE)


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=2 ** 14, r=8, p=1).hex()


def load(root: str) -> dict:
    try:
        with open(_path(root), encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return {}


def set_pin(root: str, badge: str, pin: str) -> None:
    pins = load(root)
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
