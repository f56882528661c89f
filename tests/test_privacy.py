"""The privacy guard finds exactly what one regular expression of every personal value finds (the way it
was looked for before it was made fast), in any text, and still catches a leak in a file of any kind."""
import pickle
import re

import pytest

from hypothesis import example, given, settings, strategies as st

from shouwen.core.record import Record
from shouwen.publish import privacy
from shouwen.publish.needles import Needles

# few letters, so that values overlap, share their first two characters and nest in one another
LETTERS = "张三丰李四ab1-/ "
words = st.text(alphabet=LETTERS, min_size=1, max_size=5)


def _alternation(values):
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(words, min_size=1, max_size=60), st.text(alphabet=LETTERS + "<>&;#", max_size=120))
def test_needles_find_what_the_alternation_finds(values, text):
    assert Needles(values).findall(text) == _alternation(values).findall(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(words, max_size=30), st.lists(words, max_size=10), st.lists(words, max_size=10),
       st.text(alphabet=LETTERS + "<>&;#", max_size=120))
def test_needles_from_a_kept_shape_grown_find_what_new_ones_find(first, added, removed, text):
    """A build keeps the values' shape and grows it for a new matter's values (publish.privacy.Values): the
    needles made from it find what needles made from the values now find, one-character values gone included."""
    from shouwen.publish.needles import grown, shape
    now = (set(first) - set(removed)) | set(added)
    kept = grown(shape(first), added, [v for v in removed if v not in now])
    assert Needles(now, kept).findall(text) == Needles(now).findall(text) == _alternation(now).findall(text) \
        if now else Needles(now, kept).findall(text) == []


def test_kept_values_find_what_the_values_find_after_a_new_matter_and_one_gone():
    first = {"张三": ("A", "来访人姓名"), "李": ("A", "来访人姓名"), "tel:13800138001": ("A", "来访人电话"),
             "tel:5": ("B", "来访人电话"), KEY: ("A", "查询密钥")}
    kept = privacy.Values(first)
    kept.shapes()
    now = kept.added({"王五": ("C", "来访人姓名"), "tel:13900139000": ("C", "来访人电话")}, gone=["李", "tel:5"])
    fresh = privacy.Values({v: w for v, w in {**first, "王五": ("C", "来访人姓名"),
                                             "tel:13900139000": ("C", "来访人电话")}.items() if v not in ("李", "tel:5")})
    text = "李四 王五 张三 电话 13900139000、5、13800138001 " + KEY
    assert privacy.find(text, privacy.Sought(now)) == privacy.find(text, privacy.Sought(fresh)) == \
        {"王五", "张三", "tel:13900139000", "tel:13800138001", KEY}
    assert dict(now) == dict(fresh) and len(now) == len(fresh) and now.digest() != kept.digest()
    again = pickle.loads(pickle.dumps(now))         # as the next build reads it back: the same values
    assert dict(again) == dict(fresh) and again.digest() == now.digest() and "李" not in again and "王五" in again
    assert again["tel:13900139000"] == ("C", "来访人电话") and again[KEY] == ("A", "查询密钥")


def _old_find(text, values):
    """The guard as it was: one alternation of the words, one of the phones, the keys as runs of hex digits."""
    keys = {v for v in values if privacy._is_key(v)}
    words = [v for v in values if not v.startswith("tel:") and v not in keys]
    phones = [v[4:] for v in values if v.startswith("tel:")]
    hits = set()
    plain_ascii = text.isascii() and "<" not in text and "&" not in text
    for plain in (text,) if plain_ascii else (privacy.normalise(text), privacy._INVISIBLE.sub(
            "", privacy.unicodedata.normalize("NFKC", privacy.html.unescape(text)))):
        ws = [w for w in words if w.isascii()] if plain.isascii() else words
        if ws:
            hits.update(_alternation(ws).findall(plain))
        for run in re.findall("[0-9a-fA-F]{64,}", plain):
            run = run.lower()
            hits.update(run[i:i + 64] for i in range(len(run) - 63) if run[i:i + 64] in keys)
        for run in privacy._PHONE_RUN.findall(plain):
            if phones:
                hits.update("tel:" + d for d in _alternation(phones).findall(re.sub(r"\D", "", run)))
    return hits


KEY = "0123456789abcdef" * 4
CHUNKS = ["John", "Smith", "John Smith", "138", "0013", "8001", "800", "+86", " ", "-", "(", ")", "/", "QUJD", "=",
          KEY[:40], KEY[40:], KEY.upper()[:30], "张三丰", "张三", "<b>", "&#19977;", "１３８", "\n"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(CHUNKS), max_size=40))
@example(["QUJD", "0013", "800", "="])         # the shortest phone run, alone between other characters
def test_the_guard_finds_what_it_found_before(chunks):
    values = {"John Smith": 1, "张三丰": 1, "张三": 1, "tel:13800138001": 1, "tel:0013800": 1, KEY: 1, "Smith": 1}
    text = "".join(chunks)
    assert privacy.find(text, privacy.Sought(values)) == _old_find(text, values)


def test_a_leak_in_a_large_file_of_plain_ascii_is_found_wherever_it_stands(tmp_path):
    """A lookup shard is megabytes of base64: a name, a phone or a key put into one is still found."""
    key = "ab" * 32
    rec = Record("records/inquiries/2026/11/20261102-J005-001.md",
                 {"id": "20261102-J005-001", "lookup": key, "visitor": {"name": "Li Ming", "phone": "13800138001"}})
    values = privacy.personal_values([rec], ["李明"])
    filler = '"0f1e2d3c4b5a69788796":"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo/+0123456789=",' * 20000
    site = tmp_path / "public"
    (site / "lookup" / "data").mkdir(parents=True)
    for name, leak in (("a0", ""), ("a1", "Li Ming"), ("a2", "138-0013-8001"), ("a3", key.upper()), ("a4", "1380013800")):
        (site / "lookup" / "data" / f"{name}.json").write_text("{" + filler + leak + filler + "}", encoding="ascii")
    found = {(p.path, p.field) for p in privacy.scan(str(site), values)}
    assert found == {("lookup/data/a1.json", "来访人姓名"), ("lookup/data/a2.json", "来访人电话"),
                     ("lookup/data/a3.json", "查询密钥")}


def test_a_name_inside_a_longer_name_is_reported_as_the_longer(tmp_path):
    older = Record("records/inquiries/2026/11/20261102-J005-001.md", {"id": "20261102-J005-001", "visitor": {"name": "张三"}})
    newer = Record("records/inquiries/2026/11/20261102-J005-002.md", {"id": "20261102-J005-002", "visitor": {"name": "张三丰"}})
    site = tmp_path / "public"
    site.mkdir()
    (site / "a.html").write_text("<p>来访人：张三丰</p>", encoding="utf-8")
    (site / "b.html").write_text("<p>来访人：张三，张三丰</p>", encoding="utf-8")
    found = sorted((p.path, p.record) for p in privacy.scan(str(site), privacy.personal_values([older, newer])))
    assert found == [("a.html", "20261102-J005-002"), ("b.html", "20261102-J005-001"), ("b.html", "20261102-J005-002")]


def test_values_as_a_build_keeps_them_are_the_same_values():
    """privacy.Values (the lookup keys in one string) answers as the dict it was made from, and the guard
    finds the same in a text with either."""
    key, odd = "ab" * 32, "cd" * 32
    values = {"欧阳明日": ("20261102-J005-001", "来访人姓名"), "tel:13800138001": ("20261102-J005-001", "来访人电话"),
              key: ("20261102-J005-002", privacy.KEY_LABEL), odd: ("20261102-J005-003", "来访人单位")}
    kept = privacy.Values(values)
    assert kept == values and len(kept) == 4 and kept[key] == values[key] and kept[odd] == values[odd]
    assert key in kept and "ab" * 31 not in kept and "ef" * 32 not in kept
    with pytest.raises(KeyError):
        kept["ef" * 32]
    text = f"<p>欧阳明日 138-0013-8001</p><script>var k='{key.upper()}', o='{odd}';</script>"
    assert privacy.find(text, privacy.Sought(kept)) == privacy.find(text, privacy.Sought(values)) == set(values)
    assert privacy.find("<p>东方晓</p>", privacy.Sought(kept)) == set()
    import pickle
    assert pickle.loads(pickle.dumps(kept)) == values       # as the build keeps it


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.lists(words, min_size=1, max_size=20), st.lists(st.text(alphabet="0123456789", min_size=7, max_size=11),
                                                          max_size=4),
       st.text(alphabet=LETTERS + "0123456789１２３-+()<>&;#", max_size=80))
@example(["张三"], ["13812345678"], "（＋８６）１３８-1234 5678，张 三丰")
def test_the_bulletins_guard_hands_on_every_value_the_guard_would_find(names, phones, text):
    """publish.guard_values hands privacy.leaks only the values that are a substring of one of the text's
    readings: over them the guard finds what it finds over every value."""
    from shouwen.publish import guard_values
    key = "ab" * 32
    values = {**{v: ("R1", "投诉人姓名") for v in names}, **{f"tel:{p}": ("R2", "投诉人电话") for p in phones},
              key: ("R3", "查询密钥")}
    table = guard_values.tabled({"records/x.md": (values, {})})
    # a ledger's many values make found_in look the texts' substrings up among them; a commit's few values are
    # each looked for in the texts: both ways hand on every value the guard finds
    many = {f"records/y{i}.md": ({f"无关{i}": ("R9", "投诉人姓名")}, {}) for i in range(20000)}
    wide = guard_values.tabled({"records/x.md": (values, {}), **many})
    for t in (text, text + key.upper()):
        assert privacy.leaks("x", t, values) == privacy.leaks("x", t, guard_values.found_in([t], table))
        assert privacy.leaks("x", t, values) == privacy.leaks("x", t, guard_values.found_in([t], wide))


def test_a_record_s_values_packed_in_one_text_come_back_as_they_were():
    """publish.guard_values keeps each record's values as one text; one it can't say so (a separator inside,
    no record id) stays as it was, and every table made either way finds the same."""
    from shouwen.publish import guard_values
    sides = [{}, {"张三": ("20261127-J005-001", "来访人姓名"), "tel:13900001111": ("20261127-J005-001", "来访人电话")},
             {"a\x1fb": ("X", "来访人姓名")}, {"李四": (None, "来访人姓名")}, {"王五": ("Y", "投诉人\x1e单位")}]
    for side in sides:
        assert guard_values._unpacked(guard_values._packed(side)) == side
    assert isinstance(guard_values._packed(sides[1]), str) and all(
        guard_values._packed(s) is s for s in sides[2:])


def test_the_bulletins_guard_lets_a_value_go_with_the_last_record_holding_it():
    """publish.guard_values counts the records holding each value (a short one by its hash): a record gone leaves
    a value another still holds to be found, named by that one; gone with the last, and kept so across a pickle."""
    import pickle
    from types import SimpleNamespace
    from shouwen.publish import guard_values
    rules = SimpleNamespace(institution={}, services={}, staff={})
    street = "城南区" + "和平路" * 22 + "1号"        # longer than guard_values.SHORT: counted as it is
    t = guard_values.tabled({"records/a.md": ({"张三丰": ("A", "投诉人姓名")}, {}),
                             "records/b.md": ({"张三丰": ("B", "投诉人姓名"), street: ("B", "投诉人地址")}, {})})
    assert guard_values.found_in(["张三丰同志", street], t) == {"张三丰": ("A", "投诉人姓名"), street: ("B", "投诉人地址")}
    guard_values.patch(t, {"records/a.md": None}, rules)
    t = pickle.loads(pickle.dumps(t))
    assert guard_values.found_in(["张三丰同志"], t) == {"张三丰": ("B", "投诉人姓名")}
    guard_values.patch(t, {"records/b.md": None}, rules)
    assert guard_values.found_in(["张三丰同志", street], t) == {} and len(t[1]) == 0 and t[2] == {}
