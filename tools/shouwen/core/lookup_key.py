"""The slow key that a receipt's id and lookup code open (DESIGN §7: the progress lookup), derived once.

PBKDF2-SHA256 over the code, salted with the id: the browser derives it from what the receipt says, and
from it the locator of the record's sealed entry and the key that opens it (publish.lookup). Deriving is
slow on purpose (50,000 rounds, 10-20 ms), so the writer derives it when it registers the matter and keeps
it in the record (`lookup`, hex; with `lookup_rounds` beside it where the agency's rules set fewer rounds,
`lookup.rounds` in rules/policy.yml, as the synthetic `shouwen demo` agency does and `check` warns of): the records live in the office's private repository and the site
publishes neither them nor the key (the privacy guard looks for it), and no site build derives it again.
Pure: no I/O here.
"""
from __future__ import annotations

import hashlib

ITERATIONS = 50_000
SALT_PREFIX = "shouwen-lookup:"
FIELD = "lookup"          # the record's field holding the key derived with ITERATIONS rounds
ROUNDS = "lookup_rounds"  # beside it, the rounds it was derived with where they are not ITERATIONS


def derive(record_id: str, code: str, iterations: int = ITERATIONS) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", code.strip().upper().encode(), (SALT_PREFIX + record_id.strip()).encode(),
                               iterations, 32)


def stored(meta: dict, iterations: int = ITERATIONS) -> bytes | None:
    """The key the writer kept in the record, when it is one (64 hex digits) for these rounds."""
    value = meta.get(FIELD) if isinstance(meta, dict) else None
    if meta_rounds(meta) != iterations or not isinstance(value, str) or len(value) != 64:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def meta_rounds(meta) -> int | None:
    """The rounds a record says its key was derived with (ITERATIONS unless it says otherwise)."""
    value = meta.get(ROUNDS, ITERATIONS) if isinstance(meta, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def key_fields(record_id: str, code: str, iterations: int = ITERATIONS, key: str | None = None) -> dict:
    """The header's lookup fields as the writer writes them after the code (`key`: derived already)."""
    out = {FIELD: derive(record_id, code, iterations).hex() if key is None else key}
    if iterations != ITERATIONS:
        out[ROUNDS] = iterations
    return out


def with_key(meta: dict, iterations: int = ITERATIONS) -> dict:
    """The header with the lookup key after the code, where the writer keeps it."""
    out = {}
    for k, v in meta.items():
        if k not in (FIELD, ROUNDS):
            out[k] = v
        if k == "code":
            out.update(key_fields(meta["id"], v, iterations))
    return out
