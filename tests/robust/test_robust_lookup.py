"""Sealed lookup entries don't leak a status through their length, nor the number of records through
the shards: every entry has one length and decoys fill the count to a round number, the same in every build."""
from shouwen.publish import lookup


def _entries(n):
    statuses = ["已当场答复", "已转办", "已受理", "已办结", "已登记"]
    return [(f"2026110{i % 9 + 1}-J005-{i:03d}", "7KQ4MX", {"status": statuses[i % 5], "closed": i % 2 == 0,
             "department": "人口家庭科" if i % 3 else "", "service": "再生育审批" * (i % 2), "registered": "2026-11-02",
             "due": None if i % 4 else "2026-11-09", "completed": None}) for i in range(n)]


def test_entries_have_one_length_and_decoys_hide_the_count():
    entries = _entries(23)
    shards = lookup.shards(entries, iterations=10)
    sealed = [v for shard in shards.values() for v in shard.values()]
    assert len({len(v) for v in sealed}) == 1
    assert len(sealed) % lookup.ROUND_TO == 0 and len(sealed) > 23 + 23
    for rid, code, payload in entries:                 # the real ones still open with their code
        key = lookup.derive(rid, code, 10)
        shard, name = lookup.locator(key)
        assert lookup.open_sealed(key, shards[shard][name]) == payload
    assert lookup.shards(entries, iterations=10) == shards           # decoys are the same in every build
    more = lookup.shards(entries + _entries(24)[23:], iterations=10)
    names = set().union(*map(set, more.values()))
    for rid, code, _ in entries:        # a record's entry and its own decoys stay from build to build
        key = lookup.derive(rid, code, 10)
        assert lookup.locator(key)[1] in names
        assert all(lookup.decoy(key, i)[1] in names for i in range(1 + key[0] % 3))
