"""Lookup keys paid once, at write time (issue 15): the writer keeps each matter's derived key in the
(private) record, the site build derives none of them, opens what a receipt's id and code open, and never
publishes a key; a record from before (no key) is still derived once and cached."""
from __future__ import annotations

import json
import os
from datetime import date

import pytest

from shouwen.core import lookup_key
from shouwen.core.record import Record
from shouwen.publish import disclosure, lookup
from shouwen.publish.privacy import personal_values, scan
from shouwen.repo.index import load_ledger
from shouwen.repo.loader import load_rules
from shouwen.repo.store import read_one


def _rec(agency, rid):
    return read_one(agency.path, f"records/inquiries/2026/11/{rid}.md")


def test_the_writer_keeps_the_key_a_receipt_opens(agency):
    rid = agency.new("2026-11-02T09:30")
    meta = _rec(agency, rid).meta
    assert list(meta)[:3] == ["id", "code", "lookup"]
    assert meta["lookup"] == lookup.derive(rid, meta["code"]).hex()
    agency.ok("--as", "J005", "note", rid, "--text", "补记", "--at", "2026-11-02T10:00")
    assert _rec(agency, rid).meta["lookup"] == meta["lookup"]      # never changes
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert not [p for p in out["problems"] if p["field"] == "lookup"]


def test_a_malformed_key_is_reported_and_the_key_is_never_corrected(agency):
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    key = _rec(agency, rid).meta["lookup"]
    agency.write(rel, text.replace(key, "not-a-key"))
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert [(p["code"], p["field"]) for p in out["problems"] if p["record"] == rid] == [("field-invalid", "lookup")]
    agency.write(rel, text)
    r = agency.run("--as", "J005", "correct", rid, "--field", "lookup", "--value", "0" * 64, "--reason", "改")
    assert r.exit_code == 2 and agency.status() == ""


def _site(agency, keys=None):
    rules = load_rules(agency.path)
    led = load_ledger(agency.path, rules, date(2026, 11, 20))
    return disclosure.generate(agency.path, rules, led, date(2026, 11, 20), keys), led


def test_the_site_build_derives_no_key_the_writer_kept(agency, monkeypatch):
    rids = [agency.new(f"2026-11-0{d}T09:30", service="birth-permit") for d in (2, 3, 4)]
    codes = {rid: _rec(agency, rid).meta["code"] for rid in rids}

    def no(*a, **k):
        raise AssertionError("derived a key the record keeps")
    monkeypatch.setattr(lookup, "derive", no)
    monkeypatch.setattr(lookup_key, "derive", no)
    keys: dict = {}
    site, _ = _site(agency, keys)
    monkeypatch.undo()
    assert keys == {}               # nothing derived, so nothing to cache
    for rid, code in codes.items():     # the browser's way: from the receipt's id and code
        key = lookup.derive(rid, code)
        shard, name = lookup.locator(key)
        assert lookup.open_sealed(key, json.loads(site.files[f"lookup/data/{shard}.json"])[name])["status"]


def test_a_record_from_before_is_derived_once_and_cached(agency):
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    key = _rec(agency, rid).meta["lookup"]
    agency.write(rel, text.replace(f"lookup: {key}\n", ""))      # as an older agency's records are
    keys: dict = {}
    site, _ = _site(agency, keys)
    code = _rec(agency, rid).meta["code"]
    assert keys == {f"{rid}:{code}:{lookup.ITERATIONS}": key}
    shard, name = lookup.locator(bytes.fromhex(key))
    assert name in json.loads(site.files[f"lookup/data/{shard}.json"])


def test_the_privacy_guard_refuses_a_published_key(tmp_path):
    key = lookup.derive("20261102-J005-001", "7KQ4MX").hex()
    rec = Record("records/inquiries/2026/11/20261102-J005-001.md",
                 {"id": "20261102-J005-001", "code": "7KQ4MX", "lookup": key, "visitor": {"name": "张三"}})
    site = tmp_path / "public"
    site.mkdir()
    (site / "leak.html").write_text(f"<p>{key}</p>", encoding="utf-8")
    (site / "inside.js").write_text(f'var x="00ff{key.upper()}ab";', encoding="utf-8")     # in a longer run
    (site / "clean.html").write_text("<p>查询码 7KQ4MX 打印在回执上</p>", encoding="utf-8")
    found = scan(str(site), personal_values([rec], ["李明"]))
    assert sorted((os.path.basename(p.path), p.record) for p in found) == [("inside.js", "20261102-J005-001"),
                                                                          ("leak.html", "20261102-J005-001")]


@pytest.mark.parametrize("value", [None, "", "xyz", "0" * 63, 5])
def test_only_a_well_formed_key_is_used(value):
    assert lookup_key.stored({"lookup": value}) is None
    assert lookup_key.stored({"lookup": "ab" * 32}, iterations=10) is None       # kept for other rounds
    assert lookup_key.stored({"lookup": "ab" * 32}) == bytes.fromhex("ab" * 32)


def test_sealed_entries_are_remembered_and_give_the_very_same_shards(monkeypatch):
    entries = [(f"20261102-J005-{i:03d}", "7KQ4MX", {"status": "正在办理", "n": i}) for i in range(1, 9)]
    kept = {(rid, code): lookup.derive(rid, code, 10) for rid, code, _ in entries}
    plain = lookup.shards(entries, iterations=10, kept=kept)
    memo = lookup.Sealed()
    assert lookup.shards(entries, iterations=10, kept=kept, sealed=memo) == plain and memo.dirty
    calls = []
    real_seal = lookup.seal
    monkeypatch.setattr(lookup, "seal", lambda key, payload, *a: calls.append(payload) or real_seal(key, payload, *a))
    monkeypatch.setattr(lookup, "_decoy_content", lambda *a: (_ for _ in ()).throw(AssertionError("decoy sealed again")))
    memo.dirty = False
    again = lookup.shards(entries, iterations=10, kept=kept, sealed=memo)
    assert again == plain and calls == [] and not memo.dirty
    changed = entries[:-1] + [(entries[-1][0], entries[-1][1], {"status": "已办结", "n": 8})]
    monkeypatch.undo()
    assert lookup.shards(changed, iterations=10, kept=kept, sealed=memo) == lookup.shards(changed, iterations=10, kept=kept)
    assert memo.dirty       # the old entry is dropped, the new one kept


def test_the_keystream_is_the_one_the_browser_computes():
    """shouwen.js: HMAC-SHA256(HMAC-SHA256(key, "encrypt"), counter as 4 bytes big-endian), counter 0, 1, …"""
    import hashlib
    import hmac
    key = lookup.derive("20261102-J005-001", "7KQ4MX", 10)
    enc = hmac.new(key, b"encrypt", hashlib.sha256).digest()
    want = b"".join(hmac.new(enc, c.to_bytes(4, "big"), hashlib.sha256).digest() for c in range(40))
    for n in (1, 32, 320, 700, 1280):
        assert lookup._keystream(key, n) == want[:n]


def test_an_agency_with_fewer_rounds_says_so_and_every_part_uses_them(agency):
    """`lookup.rounds` (the synthetic demo's 1,000): the writer derives with them and says so in the record,
    the site's entry opens with a key of those rounds and its page derives them, `check` warns."""
    agency.write("rules/policy.yml", agency.file("rules/policy.yml") + "lookup:\n  rounds: 1000\n")
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    meta = _rec(agency, rid).meta
    assert list(meta)[:4] == ["id", "code", "lookup", "lookup_rounds"] and meta["lookup_rounds"] == 1000
    key = lookup.derive(rid, meta["code"], 1000)
    assert meta["lookup"] == key.hex() != lookup.derive(rid, meta["code"]).hex()
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert [(p["code"], p["severity"], p["field"]) for p in out["problems"]] == [
        ("lookup-rounds-weak", "warning", "lookup.rounds")]
    assert "查询码密钥迭代次数 1,000 低于 50,000：仅适用于演示，正式单位请改回" in out["problems"][0]["message"]
    assert _opens(agency, key) and "ITERATIONS = 1000;" in _job(agency).site.files["assets/shouwen.js"]
    assert lookup_key.stored(meta) is None and lookup_key.stored(meta, 1000) == key    # never taken for 50,000
    # the rules back at 50,000: the record's key is one of other rounds, derived again as if it had none
    agency.write("rules/policy.yml", agency.file("rules/policy.yml").replace("lookup:\n  rounds: 1000\n", ""))
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert [(p["code"], p["severity"], p["record"], p["field"]) for p in out["problems"]] == [
        ("lookup-rounds-other", "warning", rid, "lookup_rounds")]
    assert _opens(agency, lookup.derive(rid, meta["code"])) and not _opens(agency, key)


def _job(agency):
    from shouwen.publish import sitebuild
    return sitebuild.prepare(agency.path, date(2026, 11, 20))


def _opens(agency, key) -> bool:
    """Whether the built site has an entry this key finds and opens."""
    shard, name = lookup.locator(key)
    data = _job(agency).site.files.get(f"lookup/data/{shard}.json")
    data = data.data() if hasattr(data, "data") else data          # a shard kept as a file by the build
    entry = json.loads(data).get(name) if data else None
    return bool(entry and lookup.open_sealed(key, entry)["status"])


@pytest.mark.parametrize("rounds", ["很多", "999", "1.5e4"])
def test_the_rounds_are_checked(agency, rounds):
    """An integer of at least 1,000: anything else is reported naming the file and the field, and the
    agency's rounds stay 50,000."""
    policy = agency.file("rules/policy.yml")
    agency.write("rules/policy.yml", policy + f"lookup:\n  rounds: {rounds}\n")
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert [(p["code"], p["path"], p["field"]) for p in out["problems"] if "lookup" in (p.get("field") or "")] == [
        ("field-invalid", "rules/policy.yml", "lookup.rounds")]
    assert load_rules(agency.path).policy.lookup_rounds == lookup.ITERATIONS
