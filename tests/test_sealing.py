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
