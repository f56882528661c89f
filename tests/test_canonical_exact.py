"""The fast reader takes only the writer's exact form: whatever it reads as exact, `dump` writes back byte for
byte, so the canonical check need not write the record again to compare; any other layout is compared in
full. Either way a record is found non-canonical exactly when its bytes are not the writer's."""
from __future__ import annotations

import os
import random
import re

import pytest

from shouwen.core.canonical_check import check_canonical
from shouwen.core.record import dump, parse, read
from shouwen.repo.store import parse_checked
from robust.harness import SEED, report
from test_canonical import REPO, _random_meta

PATH = "records/inquiries/2026/11/20261127-J017-003.md"
_FIRST_KEYS = re.compile(r"\{at: ([^,]+), by: ([^,]+),")

# hand edits of a record in the writer's form: most are no longer canonical, some still are
EDITS = [
    lambda t: "\ufeff" + t,
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace("\n---\n", "\n\n---\n", 1),
    lambda t: t.replace("\n---\n", "\n----\n", 1),
    lambda t: t.replace("\n---\n", "\n--- \n", 1),
    lambda t: t.replace("\n---\n", "\n---", 1),
    lambda t: t + "正文没有换行结尾",
    lambda t: t[:-1],
    lambda t: _FIRST_KEYS.sub(lambda m: "{by: %s, at: %s," % (m.group(2), m.group(1)), t, count=1),
    lambda t: t.replace("+08:00", "-00:00", 1),
    lambda t: t.replace("+08:00", "+00:00", 1),
    lambda t: t.replace("events:\n", "events: []\nevents:\n", 1),
    lambda t: t.replace("\n---\n", "\nzz: 1\n---\n", 1),
    lambda t: t.replace(": ", ":  ", 1),
    lambda t: t.replace("  - {", "- {", 1),
    lambda t: t.replace("  - {", "  -  {", 1),
    lambda t: t.replace("---\n", "---\n" + "k" * 120 + ": x\n", 1),
    lambda t: t.replace("---\n", "---\nkk: x\n", 1),
    lambda t: t.replace("---\n", "---\nkk: 'x'\n", 1),
    lambda t: t.replace("---\n", "---\nkk:\n  a: 1\n", 1),
    lambda t: t.replace("---\n", "---\nkk:\n- a\n", 1),
    lambda t: t.replace("---\n", "---\nevents: x\n", 1),
    lambda t: t.replace("}\n", ", at: 2026-11-27T09:00:00+08:00}\n", 1),
    lambda t: t.replace("}\n", ", zz: [a, b]}\n", 1),
    lambda t: t.replace("}\n", ", zz: 1.50}\n", 1),
    lambda t: t.replace("}\n", ", zz: 007}\n", 1),
    lambda t: t.replace("}\n", ", zz: True}\n", 1),
    lambda t: t.replace("}\n", ", zz: ~}\n", 1),
]


def _judged_both_ways(text: str) -> bool:
    """The reader's verdict equals the full comparison's; when it skipped it, the bytes are dump's own."""
    data = text.encode("utf-8")
    rec, exact = read(PATH, data)
    if exact:
        assert dump(rec.meta, rec.body) == text, text
    full = check_canonical(parse(PATH, data), data)
    got = parse_checked(PATH, data).noncanonical
    assert (got is None) == (full is None) and got == full, text
    return exact


def _random_records_judged(n: int, seed: int, every: int = 1) -> int:
    """`n` random records judged as written, each also after every `every`-th hand edit (in turn: record i takes
    EDITS[i % every::every], so each edit still meets n / every records)."""
    rng = random.Random(seed)
    exact = 0
    for i in range(n):
        text = dump(_random_meta(rng), rng.choice(["", "正文。\n", "第一行\n\n第二行"]))
        exact += _judged_both_ways(text)
        for edit in EDITS[i % every::every]:
            _judged_both_ways(edit(text))
    return exact


def test_what_the_reader_takes_as_exact_is_what_the_writer_writes():
    # the fast path is taken (often declined here: keys such as "a b"; the records below give its share);
    # every edit on 50 of the 150 records here, on all of them in `make stress`
    assert _random_records_judged(150, 15, every=3) >= 8


@pytest.mark.stress
def test_what_the_reader_takes_as_exact_is_what_the_writer_writes_stress():
    n = int(os.environ.get("SHOUWEN_CANONICAL_RECORDS", 3000))
    exact = _random_records_judged(n, SEED)
    report(f"canonical reader, random records and hand edits (seed {SEED}): {n} records, {exact} read as exact")
    assert exact >= n // 50


def _text(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _shipped_judged(every: int) -> int:
    """Every shipped record judged as it is, and every tenth after each `every`-th hand edit (in turn, as above)."""
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(os.path.join(REPO, "records"))
                   for n in names if n.endswith(".md"))
    exact = 0
    for f in files:
        exact += _judged_both_ways(_text(f))
    assert exact >= 0.95 * len(files)
    for i, f in enumerate(files[::10]):
        for edit in EDITS[i % every::every]:
            _judged_both_ways(edit(_text(f)))
    return len(files)


def test_shipped_records_are_exact_and_every_edit_is_judged_the_same():
    assert _shipped_judged(every=3) > 300       # each edit on a third of the tenth here, on all of it in `make stress`


@pytest.mark.stress
def test_shipped_records_are_exact_and_every_edit_is_judged_the_same_stress():
    n = _shipped_judged(every=1)
    assert n > 300
    report(f"canonical reader, shipped records: {n} judged, {len(range(0, n, 10))} of them after each of {len(EDITS)} edits")


def test_strings_taken_plain_at_a_glance_are_plain_to_the_dumper():
    """`_SAFE` (one match) never takes a string the dumper would quote, in block or flow context."""
    from shouwen.core.canonical import _SAFE, _analyze
    from shouwen.core.yaml_resolve import STR_TAG, resolve
    alphabet = [chr(c) for c in range(0x20, 0x7f)] + list("\t\n\r\x00\x7f\x85\xa0\u2028\u2029\ufeff\ud800张，：😀\U0010ffff")
    rng = random.Random(2)
    taken = 0
    for _ in range(60000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        if _SAFE.match(s):
            taken += 1
            block, flow, _ = _analyze(s)
            assert block and flow and resolve(s) == STR_TAG, repr(s)
    assert taken > 1000


def test_safe_classes_are_the_positive_ones_over_every_code_point():
    """`_SAFE` is written by what it refuses (quick to compile); its classes take exactly the characters of
    the classes written positively, first, middle (a space too) and last, over every code point."""
    import re
    from shouwen.core.canonical import _SAFE, _SAFE_CLASSES
    uni = r"\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe"
    mid = r"\x21\x22\x24-\x2b\x2d-\x39\x3b-\x3e\x40-\x5a\x5c\x5e-\x7a\x7c\x7e" + uni
    assert _SAFE.pattern == r"%s(?:%s*%s)?\Z" % _SAFE_CLASSES
    every = "".join(map(chr, range(0x110000)))
    for positive, written in zip((r"[A-EG-MP-SU-XZa-eg-mp-su-xz_$()/;\\^%s]" % uni, r"[ %s]" % mid, r"[%s]" % mid),
                                 _SAFE_CLASSES):
        want = [m.start() for m in re.finditer(positive, every)]
        assert want and len(want) < len(every)
        assert [m.start() for m in re.finditer(written, every)] == want, positive
