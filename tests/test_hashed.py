"""core.hashed: texts asked for by membership, counted and told apart, held as their hashes."""
import pickle

import pytest
from hypothesis import given, strategies as st

from shouwen.core.hashed import Hashed


@given(st.lists(st.text(max_size=12), max_size=40), st.lists(st.text(max_size=12), max_size=10),
       st.lists(st.text(max_size=12), max_size=10), st.booleans())
def test_membership_counts_and_distinct_are_a_multisets(added, asked, removed, stable):
    held, counts = Hashed(stable), {}
    for i, text in enumerate(added):
        held.add(text)
        counts[text] = counts.get(text, 0) + 1
        if i % 7 == 0:      # asked for between additions too
            assert text in held
    assert len(held) == len(added) and held.distinct() == len(set(added))
    for text in removed:
        held.remove(text)
        if counts.get(text):
            counts[text] -= 1
    if stable:          # kept, and read back in another process alike
        held = pickle.loads(pickle.dumps(held))
    assert len(held) == sum(counts.values())
    for text in added + asked + removed:
        assert (text in held) == bool(counts.get(text))


def test_a_hashed_of_pythons_own_hashes_is_not_kept():
    with pytest.raises(TypeError):
        pickle.dumps(Hashed())
