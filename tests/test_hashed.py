"""core.hashed: texts asked for by membership and told apart, held as their hashes."""
from hypothesis import given, strategies as st

from shouwen.core.hashed import Hashed


@given(st.lists(st.text(max_size=12), max_size=40), st.lists(st.text(max_size=12), max_size=10))
def test_membership_and_distinct_count_are_a_sets(added, asked):
    held = Hashed()
    for i, text in enumerate(added):
        held.add(text)
        if i % 7 == 0:      # asked for between additions too
            assert text in held
    assert len(held) == len(added) and held.distinct() == len(set(added))
    for text in added + asked:
        assert (text in held) == (text in set(added))
