"""`Spec.fine(v)`, the quick question a record's values are asked first, says exactly whether the typed check
finds anything wrong with them: a value it passes is one `check` would report nothing about."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from shouwen.core import rules_schema
from shouwen.core.schema import Spec
from shouwen.core.validate import EVENT_VALUES, INQUIRY_VALUES

TEXTS = ["", " ", "张三", "a", "x" * 600, "y" * 2100, "行一\n行二", "a\rb", "a\tb", "a\x00b", "a\x0bb", "a\x7f",
         "\ud800", "ok\udcff", "javascript:alert(1)", "<script>x</script>", "[a](data:x)", "<a onclick=x>",
         "13800000000", "0935-2210012", "+86 (0935) 221 0012 转 8", "电话：123", "１２３", "　", "a\u2028b"]
SCALARS = [None, True, False, 0, 5, -3, 101, 10 ** 7, 0.5, float("nan"), float("inf"), 2.0,
           date(2026, 11, 27), date(1800, 1, 1), datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8))),
           datetime(2026, 11, 27, 9, 30), "2026-11-27", "2026-02-30"]


def _value(rng: random.Random, fields: list, depth: int = 0):
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(TEXTS)
    if kind < 0.7 or depth > 1:
        return rng.choice(SCALARS)
    if kind < 0.85:
        return [_value(rng, fields, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(fields): _value(rng, fields, depth + 1) for _ in range(rng.randint(0, 4))}


def _specs():
    specs = [INQUIRY_VALUES, EVENT_VALUES]
    specs += [v for v in vars(rules_schema).values() if isinstance(v, Spec)]
    return specs


def _fields(spec, seen=None) -> list:
    """The field names a spec knows, anywhere within it (and two it does not)."""
    seen = set() if seen is None else seen
    if id(spec) in seen:
        return []
    seen.add(id(spec))
    out = ["other", 1]
    inner = list(getattr(spec, "fields", {}).items()) if isinstance(getattr(spec, "fields", None), dict) else []
    for name, sub in inner:
        out.append(name)
        out += [f for f in _fields(sub, seen) if isinstance(f, str)]
    for sub in [getattr(spec, a, None) for a in ("item", "key", "value")] + list(getattr(spec, "specs", ())):
        if isinstance(sub, Spec):
            out += [f for f in _fields(sub, seen) if isinstance(f, str)]
    return out


def test_fine_is_what_check_says():
    rng = random.Random(5)
    passed = 0
    for spec in _specs():
        fields = _fields(spec)
        for _ in range(3000):
            v = _value(rng, fields) if rng.random() < 0.5 else \
                {rng.choice(fields): _value(rng, fields) for _ in range(rng.randint(0, 5))}
            found: list = []
            spec.check(v, "", found)
            assert spec.fine(v) == (not found), (spec, v, found)
            passed += not found
    assert passed > 1000        # both answers are asked
