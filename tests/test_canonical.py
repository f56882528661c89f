"""The writer's canonical form: the fast writer writes what PyYAML writes, and the fast reader
reads back exactly what libyaml reads, or declines (then the reader falls back to libyaml)."""
from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml

from shouwen.core import canonical
from shouwen.core.record import dump, event_line, parse
from shouwen.core.yaml_resolve import IMPLICIT


class _Dumper(yaml.SafeDumper):
    """The writer's dumper before the fast path: PyYAML's safe dumper, times as plain timestamps."""


_Dumper.add_representer(datetime, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat()))

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CST = timezone(timedelta(hours=8))

# strings PyYAML quotes, or not, for many different reasons
TRICKY = ["", " ", "a", "-", "- a", "-a", "?", "? a", ":", "a: b", "a:b", "a #b", "a#b", "#a", "yes", "No", "on",
          "null", "~", "true", "1", "0", "089", "0935", "15740694227", "0o17", "0x1F", "1_000", "1:20", "1.5",
          "1e3", ".inf", ".nan", "2026-11-27", "2026-11-27T09:00:00+08:00", "=", "<<", "a, b", "[a]", "{a}", "a]",
          "'a'", "it's", '"a"', "a'b'", "a  b", " a", "a ", "a\tb", "a\nb", "---", "...", "--- a", "&a", "*a",
          "!a", "|", ">", "%a", "@a", "`a`", "张三", "张 三", "张三:", "张三:李四", "张三,李四", "张三, 李四",
          "【急】", "示政服发〔2026〕10号", "已告知监督投诉电话 0935-2210012。", "😀", "\u2028", "\ufeff张", "\x85",
          "J017", "registered", "a-b-c", "A/B", "100%", "(注)", "中文 #标签", "中文 # 标签"]


def _reference_dump(meta: dict) -> str:
    """The record form as PyYAML's emitter alone writes it (the writer before the fast path)."""
    def flow(obj):
        return yaml.dump([obj], Dumper=_Dumper, allow_unicode=True, default_flow_style=True,
                         width=1 << 20, sort_keys=False).strip()[1:-1]
    head = {k: v for k, v in meta.items() if k != "events"}
    out = ["---"]
    if head:
        out.append(yaml.dump(head, Dumper=_Dumper, allow_unicode=True, default_flow_style=False,
                             width=1 << 20, sort_keys=False).rstrip("\n"))
    if "events" in meta:
        out.append("events:")
        for ev in meta["events"]:
            keys = [k for k in ("at", "by", "action") if k in ev] + [k for k in ev if k not in ("at", "by", "action")]
            out.append("  - {" + ", ".join(
                f"{flow(k)}: {v.isoformat() if isinstance(v := ev[k], (date, datetime)) else flow(v)}" for k in keys) + "}")
    return "\n".join(out) + "\n---\n"


def _random_meta(rng: random.Random) -> dict:
    def value():
        kind = rng.random()
        if kind < 0.6:
            return rng.choice(TRICKY)
        if kind < 0.7:
            return rng.choice([0, 5, -3, 0.0, 0.2, 1.5, 1e20, True, False, None])
        if kind < 0.8:
            return [rng.choice(TRICKY) for _ in range(rng.randint(0, 3))]
        if kind < 0.9:
            return datetime(2026, 11, rng.randint(1, 30), rng.randint(0, 23), rng.randint(0, 59), tzinfo=CST)
        return date(2026, rng.randint(1, 12), rng.randint(1, 28))
    head = {}
    for k in rng.sample(["id", "code", "matter", "channel", "service", "summary", "yes", "a b", "张"], 4):
        head[k] = {f: value() for f in rng.sample(["name", "phone", "address"], rng.randint(0, 3))} \
            if rng.random() < 0.2 else value()
    events = [{"at": datetime(2026, 11, 27, 9, i, tzinfo=CST), "by": "J017", "action": rng.choice(["note", "rated"]),
               **{rng.choice(["text", "score", "materials", "due", "reason", "note"]): value()}} for i in range(3)]
    return {**head, "events": events}


def _dumps_compared(n: int, seed: int) -> list:
    """The random records (of `n`) whose dump is not what PyYAML's dumper writes."""
    rng = random.Random(seed)
    metas = [_random_meta(rng) for _ in range(n)]
    return [meta for meta in metas if dump(meta) != _reference_dump(meta)]


def test_dump_is_what_pyyaml_writes():
    assert _dumps_compared(1000, 7) == []


@pytest.mark.stress
def test_dump_is_what_pyyaml_writes_stress():
    from robust.harness import SEED, report
    n = int(os.environ.get("SHOUWEN_CANONICAL_RECORDS", 3000))
    assert _dumps_compared(n, SEED) == []
    report(f"canonical writer against PyYAML's dumper (seed {SEED}): {n} random records")


def test_a_plain_string_is_judged_as_pyyamls_scan_judges_it():
    """The shortcut for strings of letters, digits and CJK (most of a record's values) answers what the
    character scan ported from PyYAML answers, at the edges of its ranges too."""
    edges = "aZ09-._ :#,?[]{}'\"@`!%&*|>~\t\n\r\x00\x7f\x85\x9f\xa0\xaa\xb2\u2027\u2028\u2029\u202a\ud7ff\ue000" \
            "\ufefe\ufeff\uff00\ufffd\ufffe\U00010000\U0001d7ce\U0010ffff\u0663\u00e9张，。（）"
    rng = random.Random(17)
    strings = TRICKY + [c for c in edges] + ["---a", "...a", "-a", ".a", "_a", "a-"] + ["".join(rng.choice(edges) for _ in range(rng.randint(1, 6)))
                                             for _ in range(20000)]
    for text in strings:
        assert canonical._analyze(text) == canonical._scan(text), repr(text)
    for plain in ("示例市凉州区东大街12号", "20261127-J005-001", "0935-2210012", "a.b_c"):
        assert canonical._analyze(plain) is canonical._EVERYWHERE      # taken by the shortcut


def test_fast_reader_reads_what_libyaml_reads_or_declines():
    rng = random.Random(11)
    read = declined = 0
    for _ in range(3000):
        text = dump(_random_meta(rng))
        header = text[4:text.index("\n---\n", 3) + 1]
        want = yaml.load(header, Loader=yaml.CSafeLoader)
        got = canonical.load_header(header)
        if got is None:
            declined += 1
        else:
            read += 1
            assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()], text
    assert read > 100 and declined > 100     # both paths taken (the shipped records test the share)


def test_hand_edited_layouts_are_read_as_libyaml_reads_them():
    base = ("id: 20261127-J017-003\ncode: 7KQ4MX\nchannel: visit\nvisitor:\n  name: 张三\n  phone: '13800000000'\n"
            "matter: 咨询\nevents:\n  - {at: 2026-11-27T09:32:00+08:00, by: J017, action: registered}\n")
    variants = [base, base.replace("matter: 咨询", "matter: 咨询 # a comment"), base + "matter: 又一个\n",
                base.replace("  - {at", "  -  {at"), base.replace("channel: visit", "channel: 'visit'"),
                base.replace("code: 7KQ4MX", "code: \"7KQ4MX\""), base.replace("phone: '13800000000'", "phone: 13800000000"),
                base.replace("registered}", "registered, by: J018}"), base.replace("channel: visit", "channel: yes"),
                base.replace("matter: 咨询", "matter: 咨询  "), base.replace("visitor:\n", "visitor:\n   "),
                base.replace("matter: 咨询", "matter: &m 咨询"), base.replace("\n", "\r\n")]
    for text in variants:
        try:
            want = yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            want = "error"
        got = canonical.load_header(text)
        assert got is None or got == want, text


def test_every_shipped_record_reads_the_same_both_ways():
    files = []
    for d, _, names in os.walk(os.path.join(REPO, "records")):
        files += [os.path.join(d, n) for n in names if n.endswith(".md")]
    assert len(files) > 300
    fast = 0
    for f in files:
        data = open(f, "rb").read()
        text = data.decode("utf-8")
        end = text.find("\n---", 3)
        want = yaml.load(text[3:end], Loader=yaml.CSafeLoader)
        got = canonical.load_header(text[4:end])
        fast += got is not None
        assert got is None or got == want, f
        rec = parse(os.path.relpath(f, REPO), data)
        assert rec.meta == want and dump(rec.meta, rec.body) == text, f
    assert fast >= 0.95 * len(files)


def test_impossible_dates_are_left_to_libyaml():
    for bad in ("at: 2026-02-30T09:32:00+08:00", "at: 2026-11-27T09:32:00+25:00",
                "at: 2026-11-27T09:32:00+08:00, due: 2026-13-40"):
        assert canonical.load_header(f"id: 20261127-J017-003\nevents:\n  - {{{bad}, by: J017, action: note}}\n") is None


def test_the_resolver_table_is_pyyamls_own():
    """core.yaml_resolve carries PyYAML's implicit resolvers so that a write need not import PyYAML: the
    same tags, patterns, flags and first characters, in the same order, as the installed PyYAML."""
    from yaml.resolver import Resolver
    theirs = {ch: [(tag, r.pattern, r.flags) for tag, r in rs] for ch, rs in Resolver.yaml_implicit_resolvers.items()}
    ours = {ch: [(tag, r.pattern, r.flags) for tag, r in rs] for ch, rs in IMPLICIT.items()}
    assert ours == theirs
    resolver = Resolver()
    for s in TRICKY + ["0b101", "-0x1F", "1:20:30.5", "2026-1-2 3:04:05 +8", "Off", "NULL", ".5", "+.inf", ""]:
        assert canonical.resolve(s) == resolver.resolve(yaml.ScalarNode, s, (True, False)), s


def _line_variants(line: str, rng: random.Random) -> list[str]:
    """The writer's line and lines near it that another hand might write."""
    out = [line, line.replace(", ", ",  ", 1), line.replace(": ", ":  ", 1), "{ " + line[1:], line[:-1] + " }",
           line.replace("+08:00", "-00:00"), line.replace("+08:00", "+00:00"), line.replace("+08:00", "+07:60"),
           line.replace(": ", ": '", 1).replace(", ", "', ", 1), line.replace("T", " ", 1)]
    items = line[1:-1].split(", ")
    if len(items) > 1:
        i, j = rng.sample(range(len(items)), 2)
        items[i], items[j] = items[j], items[i]
        out.append("{" + ", ".join(items) + "}")
        out.append("{" + ", ".join(items + items[:1]) + "}")       # a duplicate key
    for v in ("-3", "007", "1.50", "1e3", "0.2", "true", "True", "~", "null", "''", "[]", "[a, b]", "[a,b]"):
        out.append(line[:-1] + f", extra: {v}}}")
    return out


def test_an_event_line_is_read_only_when_the_writer_writes_exactly_that_line():
    """The audit reads an appended line without writing it again: what load_event_line accepts must be
    the writer's own line for what it returns (so the record stays canonical) and what libyaml reads."""
    rng = random.Random(13)
    read = declined = 0
    for _ in range(500):            # some 37,000 lines
        for ev in _random_meta(rng)["events"]:
            for text in _line_variants(event_line(ev), rng):
                got = canonical.load_event_line(text)
                if got is None:
                    declined += 1
                    continue
                read += 1
                want = yaml.load(f"[{text}]", Loader=yaml.CSafeLoader)[0]
                assert event_line(got) == text, text
                assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()], text
    assert read > 1000 and declined > 1000
    line = "{at: 2026-11-27T09:32:00+08:00, by: J017, action: note, text: 已办结}"
    assert canonical.load_event_line(line) == {"at": datetime(2026, 11, 27, 9, 32, tzinfo=CST), "by": "J017",
                                               "action": "note", "text": "已办结"}
    for other in ("{by: J017, at: 2026-11-27T09:32:00+08:00, action: note}",
                  "{at: 2026-11-27T09:32:00-00:00, by: J017, action: note}",
                  "{at: 2026-11-27T09:32:00+07:60, by: J017, action: note}"):
        assert canonical.load_event_line(other) is None, other
