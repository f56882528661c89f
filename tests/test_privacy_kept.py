"""What the guard's passes found in a shard (publish.seen.Seen), kept with its clean verdict (publish.verdicts),
tells exactly whether values added since stand in it: the answer is the full scan's, for any text of plain
ASCII, any values before and any added, and for a text made from another by spans written over in place."""
from hypothesis import example, given, settings, strategies as st

from shouwen.publish import privacy, seen, verdicts
from shouwen.publish.seen import Seen

KEY = "0123456789abcdef" * 4
OTHER_KEY = "fedcba9876543210" * 4
CHUNKS = ["John", "Smith", "Zhang", "138", "0013", "8001", "800", "+86", " ", "-", "(", ")", "/", "QUJD", "=", "+",
          KEY[:40], KEY[40:], KEY.upper()[:30], OTHER_KEY[:33], OTHER_KEY[33:], "\n", "9", "a", ":", ","]
VALUES = {"John Smith": ("r1", "来访人姓名"), "Zhang": ("r2", "来访人姓名"), "张三丰": ("r3", "来访人姓名"),
          "tel:13800138001": ("r1", "来访人电话"), "tel:0013800": ("r2", "来访人电话"), "tel:8009": ("r4", "来访人电话"),
          KEY: ("r1", privacy.KEY_LABEL), OTHER_KEY: ("r2", privacy.KEY_LABEL), "Smith": ("r5", "来访人单位")}


def _clean_by_kept(text: str, before: dict, now: dict) -> bool:
    """As verdicts.Plan judges a shard found clean against `before`: by what the passes found, for `now`."""
    added = verdicts._Added(verdicts.but_keys(now) - verdicts.but_keys(before))
    return not added.meet(text.encode(), Seen.of(text), privacy.Sought(now))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(CHUNKS), max_size=40), st.sets(st.sampled_from(sorted(VALUES))),
       st.sets(st.sampled_from(sorted(VALUES))))
@example(["QUJD", "0013", "800", "9"], {"Zhang"}, {"tel:8009"})
@example([KEY[:40], KEY[40:]], {"Zhang"}, {KEY})
def test_values_added_are_found_in_what_was_kept_as_a_full_scan_finds_them(chunks, before, added):
    text = "".join(chunks)
    before = {v: VALUES[v] for v in before}
    now = {**before, **{v: VALUES[v] for v in added}}
    if before and privacy.find(text, privacy.Sought(before)):
        return      # only a shard found clean is kept
    assert _clean_by_kept(text, before, now) == (not privacy.find(text, privacy.Sought(now)))
    kept = privacy.Values(now)      # as a build keeps them: the same answer
    assert _clean_by_kept(text, privacy.Values(before), kept) == (not privacy.find(text, privacy.Sought(kept)))


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.lists(st.lists(st.sampled_from(CHUNKS), max_size=8), min_size=1, max_size=8), st.data())
def test_what_the_passes_find_follows_spans_written_over(parts, data):
    """A shard's JSON strings sealed again in place (each between its quotes, its length kept): what the passes
    find in it is what was kept of the shard before, outside the spans, and what they find in the spans."""
    strings = ["".join(p) for p in parts]
    text = "{" + ",".join(f'"{s}"' for s in strings) + "}"
    over = data.draw(st.sets(st.integers(0, len(strings) - 1)))
    spans, new, at = [], [], 1
    for n, s in enumerate(strings):
        fill = "".join(data.draw(st.lists(st.sampled_from(CHUNKS), max_size=8))) if n in over else s
        fill = (fill + "Q" * len(s))[:len(s)]
        if n in over and s:
            spans.append((at + 1, at + 1 + len(s)))
        new.append(fill)
        at += len(s) + 3
    after = "{" + ",".join(f'"{s}"' for s in new) + "}"
    moved = Seen.of(text).moved(after.encode(), spans)
    fresh = Seen.of(after)
    assert moved is not None
    assert moved.pairs() == fresh.pairs()      # in order, as the next spans are found in it
    assert moved.keys == fresh.keys


def test_a_span_that_touches_a_run_is_not_followed():
    text = "{'1380013800'}"
    assert Seen.of(text).moved(text.encode(), [(1, 5)]) is None     # starts inside a run of digits


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.lists(st.lists(st.sampled_from(CHUNKS), max_size=8), min_size=1, max_size=8), st.data())
def test_what_the_passes_find_follows_a_shard_made_again_with_a_name_added_or_let_go(parts, data):
    """A shard's JSON made again with an entry added or let go (its bytes moved after it): what the passes find
    in it is what was kept of the shard before, outside the stretch that differs, and what they find in it."""
    entries = [f'"{n:02d}":"{"".join(p)}"' for n, p in enumerate(parts)]
    before = "{" + ",".join(entries) + "}"
    at = data.draw(st.integers(0, len(entries)))
    if data.draw(st.booleans()) and at < len(entries):
        entries.pop(at)
    else:
        entries.insert(at, f'"{at:02d}+":"{"".join(data.draw(st.lists(st.sampled_from(CHUNKS), max_size=8)))}"')
    after = "{" + ",".join(entries) + "}"
    where = seen.changed(before.encode(), after.encode())
    if where is None:
        return
    a, b = where
    assert before[:a] == after[:a] and before[len(before) - (len(after) - b):] == after[b:]
    moved = Seen.of(before).moved(after.encode(), [where], len(after) - len(before))
    fresh = Seen.of(after)
    assert moved is not None and moved.pairs() == fresh.pairs() and moved.keys == fresh.keys
