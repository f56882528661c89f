"""core.blocks.Blocks is read and changed as a list is, through pickling, with blocks joined and split."""
from __future__ import annotations

import pickle
from bisect import bisect_left

from hypothesis import given, settings, strategies as st

from shouwen.core import blocks
from shouwen.core.blocks import SEP, Blocks

texts = st.text(alphabet=st.sampled_from(["a", "b", "中", "\n", SEP]) | st.characters(), max_size=6)


@settings(max_examples=150, deadline=None)
@given(start=st.lists(texts, max_size=40), ops=st.lists(st.tuples(st.booleans(), st.integers(-50, 50), texts),
                                                         max_size=40), size=st.integers(1, 5))
def test_blocks_answer_as_a_list_through_changes_and_pickling(start, ops, size):
    old = blocks.SIZE
    blocks.SIZE = size
    try:
        got, want = Blocks(start), list(start)
        for add, at, text in ops:
            if add:
                got.insert(at, text)
                want.insert(at, text)
            elif want:
                del got[at % len(want)], want[at % len(want)]
            assert len(got) == len(want) and list(got) == want
            got = pickle.loads(pickle.dumps(got))       # joined where it can be, split again when read
            assert [got[i] for i in range(-len(want), len(want))] == want + want if want else True
            assert got.joined("\n") == "\n".join(want)
        assert got == want
    finally:
        blocks.SIZE = old


def test_a_sorted_blocks_is_searched_with_bisect_and_pickles_as_few_texts():
    keys = [f"{i:06d}" for i in range(0, 20000, 2)]
    got = pickle.loads(pickle.dumps(Blocks(keys)))
    assert all(isinstance(b, bytes) for b in got.blocks) and len(got.blocks) == -(-len(keys) // blocks.SIZE)
    for probe in ("000000", "000001", "012345", "019998", "019999", "zzz"):
        assert bisect_left(got, probe) == bisect_left(keys, probe)
    try:
        got[len(keys)]
    except IndexError:
        pass
    else:
        raise AssertionError("no IndexError past the end")


@settings(max_examples=100, deadline=None)
@given(start=st.lists(texts | st.just("\ud800中"), max_size=40), size=st.integers(1, 5))
def test_blocks_made_from_a_stream_read_and_write_as_the_list(start, size):
    old = blocks.SIZE
    blocks.SIZE = size
    try:
        got = Blocks.made(iter(start))      # joined block by block as the texts come
        assert got == start and len(got) == len(start)
        assert "".join(got.chunks("\n")) == "".join(t + "\n" for t in start)
        again = pickle.loads(pickle.dumps(got))
        assert again == start and "".join(again.chunks("\n")) == "".join(t + "\n" for t in start)
        assert str(blocks.Pieces(["head\n", again, "end\n"])) == "head\n" + "".join(t + "\n" for t in start) + "end\n"
        assert str(blocks.Pieces([(again, ",\n", "\n")])) == (",\n".join(start) + "\n" if start else "")
        changed = {i: f"new {i}" for i in range(0, len(start), 3)}
        assert list(again.with_changed(changed)) == [changed.get(i, t) for i, t in enumerate(start)]
        assert again == start       # the copy shares the unchanged blocks; this one is as it was
    finally:
        blocks.SIZE = old
