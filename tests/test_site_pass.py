"""What a build from the whole ledger takes of the records' parts in one pass (publish.site_pass), each part let
go once read, is what it took from every part held at once."""
from datetime import date

from shouwen.publish import site_follow, site_pass
from shouwen.publish.disclosure import totals
from shouwen.publish.privacy import KEY_LABEL, Values


def _row(i, live=True):
    rid = f"20261102-J005-{i:03d}"
    item = (rid, "7KQ4MX", None, b'{"n":%d}' % i, (date(2026, 11, 2), None) if i % 7 == 0 else None) if i % 5 else None
    stored = ((rid, "7KQ4MX"), bytes([i]) * 32) if i % 3 else None
    values = {f"name{i % 4}": (rid, "来访人姓名"), f"tel:1380013{i:04d}": (rid, "来访人电话"),
              "ab" * 32: (rid, KEY_LABEL)}
    corrected = {f"name{i % 6}": (rid, "来访人姓名（更正）")} if i % 4 == 1 else {}
    return item, stored, (True, False, True, bool(i % 2), i % 5 or None) if live else None, values, corrected


def _parts():
    live = [(f"records/inquiries/{i:03d}.md", f"{i:040x}", True, _row(i)) for i in range(1, 30)]
    void = [(f"records/inquiries/v{i:03d}.md", f"{i:040x}", False, _row(i, False)) for i in range(40, 45)]
    return live + void


def _layout_of(laid, rows):
    """The Layout as it was made from every part at once (before publish.site_pass)."""
    live = [p for p, kept in rows.items() if kept[1]]
    void = [p for p, kept in rows.items() if not kept[1]]
    if not laid.get("exact") or any(a >= b for part in (live, void) for a, b in zip(part, part[1:])):
        return None
    idents = [f"{row[0][0]}\0{row[0][1]}" for _, live_one, row in rows.values() if live_one and row[0] is not None]
    if len(set(idents)) != len(idents):
        return None
    holders, seen, multi = {}, set(), {}
    for phase in (0, 1):
        for path, (_, live_one, row) in rows.items():
            for v, w in row[3 + phase].items():
                if v not in seen:
                    seen.add(v)
                    if phase or w[1] != KEY_LABEL:
                        holders[v] = (phase, not live_one, path)
                else:
                    multi[v] = multi.get(v, 1) + 1
    return laid["order"], laid["placed"], set(idents), holders, multi


def _gathered(parts, folder):
    from shouwen.repo.spill import Spill
    spool = site_pass._Spool(Spill(folder) if folder is not None else None)
    got = site_pass.Gathered(True, spool)
    for path, blob, live_one, row in parts:
        at = spool.put((path, blob, live_one, row))
        got.put(*spool.get(*at), at)
    got.finish()
    return got


def test_one_pass_takes_what_every_part_held_at_once_gave(tmp_path, monkeypatch):
    from shouwen.publish import value_buckets
    monkeypatch.setattr(value_buckets, "CHUNK", 2)     # most values spooled, as at a hundred thousand records
    parts = _parts()
    got = _gathered(parts, str(tmp_path))
    rows = [p[3] for p in parts]
    values: dict = {}
    for part in [r[3] for r in rows] + [r[4] for r in rows]:
        for v, w in part.items():
            values.setdefault(v, w)
    made = got.values()
    assert dict(made.items()) == values and len(made) == len(values)
    assert made.digest() == Values(values).digest()
    in_memory = _gathered(parts, None).values()     # where no file can be had (no os.pread): the same values
    assert dict(in_memory.items()) == values and in_memory.digest() == made.digest()
    live = [p[3] for p in parts if p[2]]
    assert [(*i[:3], got.payloads.of(i[3])) for i in got.items] == [(*r[0][:2], None, r[0][3]) for r in live if r[0]]
    assert got.stored == dict(r[1] for r in live if r[1] is not None)
    assert got.totals == totals([r[2] for r in live])
    whole = {p: (b, live_one, r) for p, b, live_one, r in parts}
    laid = {"order": [b"k"], "placed": 3, "exact": True}
    made = got.laying.layout(laid)
    assert (made.order, made.placed, made.ids, dict(made.holders), made.multi) == _layout_of(laid, whole)
    daily = site_follow.Daily()
    for path, (blob, live_one, row) in whole.items():
        daily.put(path, blob, live_one, row)
    assert (got.daily.judge, got.daily.since) == (daily.judge, daily.since)
    by_bucket: dict = {}
    for path, kept in whole.items():
        by_bucket.setdefault(site_follow.bucket(path), {})[path] = kept
    assert dict(got.buckets()) == by_bucket
    assert not list(tmp_path.iterdir())         # the spool is an unnamed file, gone once read


def test_no_layout_when_parts_are_out_of_order_or_share_an_id(tmp_path):
    laid = {"order": [], "placed": 0, "exact": True}
    for parts in (_parts()[::-1], _parts() + [("records/inquiries/zzz.md", "0" * 40, True, _row(2))]):
        got = _gathered(parts, str(tmp_path))
        got.values()
        assert got.laying.layout(laid) is None
        whole = {p: (b, live_one, r) for p, b, live_one, r in parts}
        assert _layout_of(laid, whole) is None
    broken = _row(3)
    broken = ((broken[0][0] + "\n", *broken[0][1:]), *broken[1:])
    got = _gathered(_parts() + [("records/inquiries/zzz.md", "0" * 40, True, broken)], str(tmp_path))
    got.values()
    assert got.laying.layout(laid) is None      # an id with a line break: the whole ledger at the next change


def test_a_layout_is_kept_compactly_and_read_back_the_same():
    import pickle
    from shouwen.publish.site_grow import Layout
    from shouwen.repo.kept_map import KeptMap
    keys = sorted(bytes([i]) * 32 for i in range(5))
    for order, ids in ((keys, {"a\0X", "b\0Y"}), ([], set()), (keys + [b"short"], {"c\0Z"}), (keys, {"odd\nid\0X"})):
        lay = Layout(list(order), 7, set(ids), KeptMap({"v": (0, False, "p")}), {"v": 2})
        back = pickle.loads(pickle.dumps(lay))
        assert (back.order, back.placed, back.ids, dict(back.holders), back.multi) == \
            (list(order), 7, set(ids), {"v": (0, False, "p")}, {"v": 2})
    text = Layout(list(keys), 7, "a\0X\nb\0Y", KeptMap({}), {})      # as a whole build makes it: one text
    assert text.ids == {"a\0X", "b\0Y"} and pickle.loads(pickle.dumps(text)).ids == {"a\0X", "b\0Y"}
    assert Layout([], 0, "", KeptMap({}), {}).ids == set()
    old = Layout.__new__(Layout)        # as pickled before (its attributes): read back as they were
    old.__setstate__({"order": keys, "placed": 1, "ids": {"a\0X"}, "holders": {}, "multi": {}})
    assert (old.order, old.placed, old.ids) == (keys, 1, {"a\0X"})


def test_parts_come_back_in_the_ledgers_order(tmp_path):
    from shouwen.publish import privacy

    class Tree:
        rev = None

        def __init__(self, listed):
            self.listed_ = listed

        def listed(self):
            return self.listed_

        def let_go(self):
            self.listed_ = None
    parts = {f"records/inquiries/{i:03d}.md": _row(i) for i in range(1, 12)}
    listed = [(p, f"{i:040x}", None) for i, p in enumerate(parts)]
    void = {listed[2][0], listed[7][0]}

    def each_row(rev, rows, take):      # in another order than the listing's, as the index hands them over
        for i in reversed(range(len(rows))):
            take(i, (f"id{i}", [], [], None, [], "void" if rows[i][0] in void else None, None, None, None, False, None))
    got, ids = site_pass.gather(str(tmp_path), Tree(listed), date(2026, 11, 2), lambda e: parts[e.record.path], {},
                                True, str(tmp_path / "spool"), each_row)
    order = [p for p, _, _ in listed if p not in void] + [p for p, _, _ in listed if p in void]
    assert [(*i[:3], got.payloads.of(i[3])) for i in got.items] == \
        [(*parts[p][0][:2], None, parts[p][0][3]) for p in order if p not in void and parts[p][0]]
    assert got.totals == totals([parts[p][2] for p in order if p not in void])
    n = got.payloads.put(b"written after the parts")      # the spool goes on after the parts
    assert got.payloads.of(n) == b"written after the parts" and got.payloads.of(got.items[0][3]) == parts[order[0]][0][3]
    values = got.values()       # read from the spool before the buckets let it go
    assert {p for _, part in got.buckets() for p in part} == set(parts)
    assert [f"id{i}" in ids for i in range(len(listed))] == [p not in void for p, _, _ in listed]
    labels = {w[1] for w in values.values()}
    assert labels <= set(site_pass.LABELS) and privacy.LABELS["visitor", "name"] in site_pass.LABELS
