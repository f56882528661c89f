"""Progress lookup with no server (DESIGN §7): a record's status, sealed under its id and lookup code.

The browser derives a slow key from the id and the code printed on the receipt (PBKDF2-SHA256),
from it a locator (which shard file, which entry) and a keystream that opens the entry. Without
the code there is neither the entry's name nor its content: ids are guessable, codes are not
(32^6), and the slow key makes trying codes expensive. Every sealed entry has one length (the payload
padded with spaces, which JSON ignores), and each record brings 1–3 decoys, with more to fill the shards to
a round count: neither a status nor the number of records can be read off the files. Decoys are derived from
the records' own keys, so they are the same in every build and can't be told from entries by comparing builds. Only SHA-256 is used, so the page can
fall back to a small pure-JavaScript SHA-256 where WebCrypto is missing (plain http on an
intranet is not a secure context). Pure: no I/O here.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from array import array

from ..core.lookup_key import ITERATIONS, SALT_PREFIX, derive, stored  # noqa: F401  (this module's API too)
from ..core.record import CST

SHARD_HEX = 2          # 256 shard files
SEALED_BYTES = 320     # every payload padded to this (a longer one to the next multiple of it)
ROUND_TO = 64          # the number of entries, decoys included, is a multiple of this
OWN_DECOYS = 3         # at most this many decoys travel with each record


def _mac(key: bytes, msg: bytes) -> bytes:
    """HMAC-SHA256 (the one-shot form: ten thousand records make a third of a million of them a build)."""
    return hmac.digest(key, msg, "sha256")


def _xor(data: bytes, stream: bytes) -> bytes:
    n = len(data)
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream[:n], "big")).to_bytes(n, "big")


def locator(key: bytes) -> tuple[str, str]:
    """(shard name, entry name) for a derived key."""
    h = _mac(key, b"locate").hex()
    return h[:SHARD_HEX], h[SHARD_HEX:SHARD_HEX + 20]


_COUNTERS = [counter.to_bytes(4, "big") for counter in range(SEALED_BYTES // 32 * 4)]
_INNER, _OUTER = bytes(b ^ 0x36 for b in range(256)), bytes(b ^ 0x5C for b in range(256))


def _keystream(key: bytes, n: int) -> bytes:
    """HMAC-SHA256(HMAC-SHA256(key, "encrypt"), counter) for counter 0, 1, …: what shouwen.js computes. The
    HMACs of one keystream share their key: its padded inner and outer hashes are made once and copied
    (RFC 2104), a third of the time of a one-shot HMAC each."""
    enc = _mac(key, b"encrypt").ljust(64, b"\0")
    inner, outer = hashlib.sha256(enc.translate(_INNER)), hashlib.sha256(enc.translate(_OUTER))
    blocks = -(-n // 32)
    out = []
    for counter in _COUNTERS[:blocks] if blocks <= len(_COUNTERS) else [c.to_bytes(4, "big") for c in range(blocks)]:
        i, o = inner.copy(), outer.copy()
        i.update(counter)
        o.update(i.digest())
        out.append(o.digest())
    return b"".join(out)[:n]


def payload_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def seal(key: bytes, payload: dict, data: bytes | None = None) -> str:
    """`data`: the payload as payload_bytes gives it, when the caller has it already."""
    data = payload_bytes(payload) if data is None else data
    data += b" " * (-len(data) % SEALED_BYTES)
    return base64.b64encode(_xor(data, _keystream(key, len(data)))).decode()


def decoy(key: bytes, i: int) -> tuple[str, str, str]:
    """(shard, name, sealed-looking content) of a record's i-th decoy: random to anyone without its key. No
    browser opens a decoy, so its content is one SHAKE-256 of its secret (a tenth of the HMACs of a keystream:
    ten thousand records bring twenty thousand decoys)."""
    shard, name, secret = _decoy_place(key, i)
    return shard, name, _decoy_content(secret)


def _decoy_place(key: bytes, i: int) -> tuple[str, str, bytes]:
    d = _mac(key, b"decoy:%d" % i)
    h = d.hex()
    return h[:SHARD_HEX], h[SHARD_HEX:SHARD_HEX + 20], d


def _decoy_content(secret: bytes) -> str:
    return base64.b64encode(hashlib.shake_256(b"decoy content\0" + secret).digest(SEALED_BYTES)).decode()


def own_decoys(key: bytes) -> int:
    return 1 + key[0] % 3


def fillers(order: list[bytes], placed: int) -> list[tuple[bytes, int]]:
    """(key, number) of the decoys that fill `placed` entries and own decoys up to a round count, the keys in
    `order` (sorted), when no name meets another (`shards`)."""
    n = len(order)
    return [(order[j % n], OWN_DECOYS + j // n) for j in range(-placed % ROUND_TO)] if n else []


def open_sealed(key: bytes, sealed: str) -> dict:
    data = base64.b64decode(sealed)
    return json.loads(_xor(data, _keystream(key, len(data))).decode())


class Sealed(dict):
    """What the last build sealed, by key and content (an entry's bytes, a decoy's key and number): sealing is
    a dozen HMACs an entry and three a decoy on average, paid again only for what changed. `dirty`: the
    memo now differs from what was loaded (entries added, or ones no longer in the site dropped)."""
    dirty = False


def entry_name(key: bytes, data: bytes) -> str:
    """An entry's name in the Sealed memo: its key and its bytes."""
    return "e" + hmac.digest(key, data, "sha1").hex()


def decoy_name(key: bytes, i: int) -> str:
    return f"d{key.hex()}:{i}"


def _remembered(memo, fresh: dict, name: str, make):
    if memo is None:
        return make()
    value = memo.get(name)
    if value is None:
        value = make()
        memo.dirty = True
    fresh[name] = value
    return value


def shards(entries: list[tuple[str, str, dict]], keys: dict | None = None,
           iterations: int = ITERATIONS, kept: dict | None = None, sealed: Sealed | None = None,
           layout: dict | None = None) -> dict[str, dict[str, str]]:
    """shard -> {name: sealed} of every entry and decoy (`placing`, each shard then `Placing.fill`ed). sealed: a
    memo of sealed entries and decoys (`Sealed`), left holding this build's only."""
    where = placing(entries, keys, iterations, kept, layout)
    fresh: dict = {}
    out = {shard: where.fill(shard, sealed, fresh) for shard in where.by_shard}
    if sealed is not None:
        if len(fresh) != len(sealed):
            sealed.dirty = True
        sealed.clear()
        sealed.update(fresh)
    return out


DECOY_SLOTS = 256       # a decoy's number is below this (own ones, then fillers up to ROUND_TO)
NAME_BYTES = 10         # an entry's name: 20 hex digits after the shard's


class Placing:
    """Where each entry and decoy goes, nothing sealed yet: shard -> (the names placed there, as NAME_BYTES each
    in one bytearray; what fills each: an entry's place among the entries, or ~(its key's place * DECOY_SLOTS +
    number) for a decoy), in the order placed, the shards in the order first met. Kept as bytes and machine
    integers, not a string and an int object each (a third of a million at 100,000 records); a shard is sealed
    on its own (`fill`): a whole build need not hold every sealed entry at once (publish.sealing)."""

    def __init__(self):
        self.keys: list[bytes] = []         # each entry's key
        self.data = []          # each entry's payload as payload_bytes gives it (`placing`'s data)
        self.by_shard: dict[str, tuple[bytearray, array]] = {}

    def put(self, mac: bytes, src: int) -> None:
        shard = mac[:SHARD_HEX // 2].hex()
        names, srcs = self.by_shard.get(shard) or self.by_shard.setdefault(shard, (bytearray(), array("q")))
        names += mac[SHARD_HEX // 2:SHARD_HEX // 2 + NAME_BYTES]
        srcs.append(src)

    def names(self, shard: str) -> dict[bytes, int]:
        """name -> what fills it: a later entry of the same name takes its place, a decoy whose name is taken is
        not placed (as names met when `shards` put them in one dict)."""
        names, srcs = self.by_shard[shard]
        out: dict = {}
        for k, src in enumerate(srcs):
            name = bytes(names[k * NAME_BYTES:(k + 1) * NAME_BYTES])
            if src >= 0 or name not in out:
                out[name] = src
        return out

    def fill(self, shard: str, sealed: Sealed | None = None, fresh: dict | None = None) -> dict[str, str]:
        """{name: sealed} of one shard. sealed: the memo (`Sealed`) to take from; what this shard took or sealed
        is put in `fresh`."""
        out = {}
        for name, src in self.names(shard).items():
            if src >= 0:
                key, data = self.keys[src], self.data[src]
                out[name.hex()] = _remembered(sealed, fresh, entry_name(key, data), lambda: seal(key, None, data))
            else:
                key, i = self.keys[~src // DECOY_SLOTS], ~src % DECOY_SLOTS
                out[name.hex()] = _remembered(sealed, fresh, decoy_name(key, i),
                                              lambda: _decoy_content(_decoy_place(key, i)[2]))
        return out


def placing(entries, keys: dict | None = None, iterations: int = ITERATIONS, kept: dict | None = None,
            layout: dict | None = None, data=None) -> Placing:
    """entries: (id, code, payload), or (id, code, payload or None, payload_bytes(payload)) when the caller has the
    bytes. kept: (id, code) -> the key the writer stored in the record (`stored_keys`), used as it is. keys:
    a memo of the keys derived here, by (id, code, iterations), for records written before the writer stored
    them: deriving is deliberately slow and a record's id and code never change. layout: filled with the keys
    in order, how many entries and own decoys were placed, and whether every name was a new one (then a matter
    added or removed can be placed as this would: `fillers`). data: where the entries' bytes are put in order
    (`append`) and read back by place (a list by default; publish.site_pass keeps them on disk)."""
    where = Placing()
    if data is not None:
        where.data = data
    derived = where.keys
    for rid, code, payload, *serialised in entries:
        key = kept.get((rid, code)) if kept else None
        if key is None:
            memo = f"{rid}:{code}:{iterations}"
            key = bytes.fromhex(keys[memo]) if keys is not None and memo in keys else derive(rid, code, iterations)
            if keys is not None:
                keys[memo] = key.hex()
        where.put(_mac(key, b"locate"), len(derived))
        derived.append(key)
        where.data.append(serialised[0] if serialised else payload_bytes(payload))
    for k, key in enumerate(derived):       # a record's own decoys: they come and go with it, as its entry does
        for i in range(own_decoys(key)):
            where.put(_mac(key, b"decoy:%d" % i), ~(k * DECOY_SLOTS + i))
    taken = {}      # shard -> its names, for the few shards the fillers go to
    count = sum(len(where.names(shard)) for shard in where.by_shard)
    placed = len(derived) + sum(own_decoys(key) for key in derived)
    wanted = -(-count // ROUND_TO) * ROUND_TO
    exact = count == placed
    order, j = sorted(range(len(derived)), key=derived.__getitem__), 0
    while count < wanted:       # then up to a round count
        k, i = order[j % len(order)], OWN_DECOYS + j // len(order)
        mac = _mac(derived[k], b"decoy:%d" % i)
        shard, name = mac[:SHARD_HEX // 2].hex(), mac[SHARD_HEX // 2:SHARD_HEX // 2 + NAME_BYTES]
        names = taken.get(shard)
        if names is None:
            names = taken[shard] = set(where.names(shard)) if shard in where.by_shard else set()
        if name not in names:
            names.add(name)
            where.put(mac, ~(k * DECOY_SLOTS + i))
            count += 1
        j += 1
    if layout is not None:
        layout.update(order=[derived[k] for k in order], placed=placed, exact=exact and j == wanted - placed)
    return where


def stored_keys(ledger, iterations: int = ITERATIONS) -> dict[tuple[str, str], bytes]:
    """(id, code) -> the key each record keeps (from the index's copy of its header: no record is read)."""
    out = {}
    for e in ledger.entries:
        meta = e.record.meta
        key = stored(meta, iterations)
        if key is not None and isinstance(meta.get("code"), str):
            out[(e.record.id, meta["code"])] = key
    return out


# What the public reads for each stage: where the matter stands, in plain words.
PUBLIC_STAGE = {"registered": "已登记，正在转送承办科室", "answered": "已当场答复", "referred": "已引导到承办科室办理",
                "relayed": "已转告承办人，等待答复", "forwarded": "已转送承办科室，等待签收",
                "accepted": "承办科室已受理，正在办理", "returned": "正在重新确定承办科室", "promised": "正在办理",
                "extended": "已延期办理", "escalated": "已上报，正在协调办理", "explained": "已说明不能办理的理由",
                "completed": "已办结，可以领取", "delivered": "已办结，结果已领取或送达"}


def entries(ledger, rules) -> list[tuple[str, str, dict]]:
    """Each inquiry's sealed payload (`entry`)."""
    return [x for x in (entry(e, rules) for e in ledger.entries) if x is not None]


def entry(e, rules) -> tuple[str, str, dict] | None:
    """(id, code, payload) of an inquiry, None for any other entry. The payload: its stage in plain words,
    the handling department, the dates, whether its clock is stopped for `补正`, and where and when a completed
    result is collected. How many working days an open matter is overdue the page counts from its due day and
    the build's (publish.lobby.workdays); while the clock stands still (`补正`, within the policy's limit) the
    matter has no due day yet, which would move with every day: nothing in a payload changes with the day alone."""
    rec, st = e.record, e.state
    code = rec.meta.get("code")
    if st is None or not rec.id or not isinstance(code, str) or rec.kind != "inquiries":
        return None
    svc = rules.service_for(rec.meta.get("service"))
    dept = st.handler_department or (rules.staff[st.first_responder].department
                                     if st.first_responder in rules.staff else None)
    due = e.deadlines.due if e.deadlines else None
    if st.suspended and (e.deadlines is None or e.deadlines.suspended < rules.policy.suspend_limit):
        due = None          # set when the clock starts again (or its limit is reached)
    payload = {
        "status": st.status_zh, "stage": PUBLIC_STAGE.get(st.stage, ""),
        "closed": st.closed, "department": rules.dept_name(dept) if dept else "",
        "service": svc.name if svc else "",
        "registered": st.registered_at.astimezone(CST).date().isoformat() if st.registered_at else None,
        "due": due.isoformat() if due else None,
        "completed": st.completed_at.astimezone(CST).date().isoformat() if st.completed_at else None,
        "suspended": st.suspended}
    if st.stage == "completed" and svc is not None:
        payload["pickup"] = {"place": str(svc.raw.get("取件地点") or svc.raw.get("办理地点") or ""),
                             "hours": str(svc.raw.get("办理时间") or ""), "result": str(svc.raw.get("结果名称") or "")}
    return rec.id, code, payload
