"""A whole build's shards sealed one at a time (publish.sealing) are the very shards lookup.shards makes at once,
and the memo kept shard by shard spares sealing them again."""
import json
import os

from shouwen.publish import lookup, sealing
from shouwen.publish.disclosure import seal_shards


def _entries(n):
    return [(f"20261102-J005-{i:03d}", "7KQ4MX", {"status": "正在办理", "n": i}) for i in range(n)]


def _kept(entries):
    return {(rid, code): lookup.derive(rid, code, 10) for rid, code, _ in entries}


def _streamed(root, entries, kept):
    laid: dict = {}
    where = lookup.placing(entries, iterations=10, kept=kept, layout=laid)
    return dict(sealing.sealed(root, where)), laid


def test_shards_sealed_one_at_a_time_are_those_made_at_once(tmp_path):
    entries = _entries(40) + [_entries(3)[1]]       # an (id, code) twice: the later entry takes the name
    kept = _kept(entries)
    laid: dict = {}
    whole = seal_shards(entries, None, kept, None, 10, laid)
    streamed, streamed_laid = _streamed(str(tmp_path), entries, kept)
    assert streamed == whole and streamed_laid == laid
    assert list(streamed) == sorted(whole)      # made in shard order
    assert os.path.exists(tmp_path / sealing.MEMO)


def test_the_memo_spares_sealing_again_and_is_not_written_when_unchanged(tmp_path, monkeypatch):
    root, entries = str(tmp_path), _entries(30)
    kept = _kept(entries)
    first, _ = _streamed(root, entries, kept)
    stamp = os.stat(tmp_path / sealing.MEMO).st_mtime_ns
    monkeypatch.setattr(lookup, "seal", lambda *a: (_ for _ in ()).throw(AssertionError("sealed again")))
    monkeypatch.setattr(lookup, "_decoy_content", lambda *a: (_ for _ in ()).throw(AssertionError("sealed again")))
    again, _ = _streamed(root, entries, kept)
    assert again == first and os.stat(tmp_path / sealing.MEMO).st_mtime_ns == stamp
    monkeypatch.undo()
    changed = entries[:-1] + [(entries[-1][0], entries[-1][1], {"status": "已办结"})]
    assert _streamed(root, changed, kept)[0] == seal_shards(changed, None, kept, None, 10)
    fewer = entries[:10]
    assert _streamed(root, fewer, kept)[0] == seal_shards(fewer, None, kept, None, 10)


def test_a_torn_memo_or_one_cut_short_is_only_sealed_again(tmp_path):
    root, entries = str(tmp_path), _entries(20)
    kept = _kept(entries)
    want = seal_shards(entries, None, kept, None, 10)
    _streamed(root, entries, kept)
    memo = tmp_path / sealing.MEMO
    memo.write_bytes(memo.read_bytes()[:len(memo.read_bytes()) // 2])
    assert _streamed(root, entries, kept)[0] == want
    made = sealing.sealed(root, lookup.placing(entries, iterations=10, kept=kept))
    next(made)
    made.close()        # a build cut short keeps the memo as it was, and no temporary file
    assert _streamed(root, entries, kept)[0] == want
    assert not [n for n in os.listdir(memo.parent) if n.endswith(".tmp")]
    assert all(json.loads(text) for text in want.values())


def _shards_at_once(entries, kept, iterations):
    """lookup.shards as it was before the placing was kept apart from the sealing: every entry sealed into one
    dict as it came, the decoys after them (the straightforward way, for comparison)."""
    out, derived = {}, []
    for rid, code, payload in entries:
        key = kept[(rid, code)]
        shard, name = lookup.locator(key)
        out.setdefault(shard, {})[name] = lookup.seal(key, payload)
        derived.append(key)

    def add(key, i):
        shard, name, content = lookup.decoy(key, i)
        if name in out.setdefault(shard, {}):
            return 0
        out[shard][name] = content
        return 1
    count = sum(len(v) for v in out.values())
    placed = len(derived) + sum(lookup.own_decoys(key) for key in derived)
    for key in derived:
        count += sum(add(key, i) for i in range(lookup.own_decoys(key)))
    wanted = -(-count // lookup.ROUND_TO) * lookup.ROUND_TO
    exact = count == placed
    order, j = sorted(derived), 0
    while count < wanted:
        count += add(order[j % len(order)], lookup.OWN_DECOYS + j // len(order))
        j += 1
    return out, {"order": order, "placed": placed, "exact": exact and j == wanted - placed}


def test_names_that_meet_are_placed_as_when_sealed_into_one_dict(tmp_path, monkeypatch):
    real = lookup._mac

    def crowded(key, msg):      # 4 shards of 64 names each: names meet often
        d = real(key, msg)
        return bytes([d[0] % 4, d[1] % 64]) + bytes(8) + d[10:]
    monkeypatch.setattr(lookup, "_mac", crowded)
    entries = _entries(60) + [(_entries(9)[8][0], "7KQ4MX", {"status": "已办结"})]     # an (id, code) twice
    kept = _kept(entries)
    want, want_laid = _shards_at_once(entries, kept, 10)
    laid: dict = {}
    assert lookup.shards(entries, iterations=10, kept=kept, layout=laid) == want and laid == want_laid
    assert not laid["exact"]
    streamed, _ = _streamed(str(tmp_path), entries, kept)
    assert streamed == {f"lookup/data/{s}.json": json.dumps(v, separators=(",", ":"), sort_keys=True)
                        for s, v in want.items()}
