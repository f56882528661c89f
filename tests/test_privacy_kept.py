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
    if not before:      # every value is added (nothing kept tells which): the same, from Values as they are kept
        every = verdicts._Added.every(kept)
        assert (not every.meet(text.encode(), Seen.of(text), privacy.Sought(kept))) == _clean_by_kept(text, {}, now)


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


def test_values_that_differ_are_never_named_alike():
    """The kept verdicts are taken for the same values by their digest: a name with a line break in it is not the
    name and the ID number on two lines (a shard would be skipped whole for values never looked for)."""
    where = ("r1", "来访人姓名")
    assert privacy.Values({"张三\n110101199001011234": where}).digest() != \
        privacy.Values({"张三": where, "110101199001011234": where}).digest()
    assert verdicts.values_digest({"张三\n110101199001011234": where}) != \
        verdicts.values_digest({"张三": where, "110101199001011234": where})
    odd = "x\n" + KEY + "\tr1"
    assert privacy.Values({odd: where}).digest() != privacy.Values({"x": where, KEY: ("r1", privacy.KEY_LABEL)}).digest()


def test_verdicts_kept_by_other_code_are_not_taken(tmp_path, monkeypatch):
    """What the guard's passes found depends on its code (the classes of characters, the key's length): a
    verdict kept by another version of the package is not taken."""
    from shouwen.repo import answers
    (tmp_path / ".shouwen" / "cache").mkdir(parents=True)
    answers.keep(str(tmp_path / verdicts.VERDICTS), verdicts.verdicts_key(), ("d", frozenset(), {"s": None}))
    assert answers.read_kept(str(tmp_path / verdicts.VERDICTS), verdicts.verdicts_key()) is not answers.MISSING
    monkeypatch.setattr(answers, "package_stamp", lambda: "another version")
    verdicts.verdicts_key.cache_clear()
    assert answers.read_kept(str(tmp_path / verdicts.VERDICTS), verdicts.verdicts_key()) is answers.MISSING
    verdicts.verdicts_key.cache_clear()


def test_a_shard_with_markup_or_a_span_touching_a_run_is_read_whole():
    """The kept path holds only for what a shard is (plain ASCII, no tag, no entity) and for spans whose edges no
    run crosses: anything else is left to the full scan, which reads tags away and follows runs across."""
    plan = verdicts.Plan.__new__(verdicts.Plan)
    plan.same, plan.added, plan.seen = True, None, {}
    sought = privacy.Sought({"tel:13800138001": ("r1", "来访人电话"), "Zhang": ("r2", "来访人姓名")})
    # a phone spelled with many separators, reaching past the span's window
    text = '{"a":"1' + " " * 70 + '3800138001"}'
    assert privacy.find(text, sought)
    at = text.index("3800138001")
    plan.prior = {"p": (Seen.of('{"a":"1' + " " * 70 + '9800138001"}'), ((at, at + 1),), 0)}
    assert not plan.clean("p", text.encode(), sought)
    # a tag the full scan reads away
    text = '{"a":"Zh<QQ' + "x" * 80 + '>ang"}'
    assert privacy.find(text, sought)
    plan.prior = {"p": (Seen.of(text), ((6, 11),), 0)}
    assert not plan.clean("p", text.encode(), sought)
