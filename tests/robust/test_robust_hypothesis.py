"""Arbitrary YAML values in every field of a record (Hypothesis): `check` names a coded problem or none,
`list`, `todo` and `show` answer, and nothing raises. Sampled in `make test`, 100 examples per field under
`make stress`. Each test asserts its counts: no crash, every problem coded, the other record still listed."""
import os
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from robust.harness import R1, R2, REC, SEED, problems_of, report
from robust.test_robust_bad_input import SLOTS
from shouwen.core.problems import CODES

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=60),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                 timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-14))])))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)


def _flow(v) -> str:
    return yaml.safe_dump([v], default_flow_style=True, allow_unicode=True, width=1 << 20).strip()[1:-1]


def _property(desk, slot, value) -> dict:
    """Write `value` into one field, run check, list, todo and show; what they did."""
    _, old, new = slot
    full = os.path.join(desk.path, REC)
    text = desk.text.replace("code: CODE", f"code: {desk.code}")
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old.replace("CODE", desk.code), new.format(_flow(value)), 1))
    already = len(desk.crashes)
    try:
        probs = problems_of(desk.run("check", "--format", "json", "--no-cache"))
        listed = desk.run("list", "--format", "json")
        desk.run("todo", "--all")
        desk.run("show", R1)
    finally:
        desk.git("checkout", "-q", "--", REC)
    return {"crashes": desk.crashes[already:], "codes": [p["code"] for p in probs],
            "others_listed": R2 in listed.stdout}


def _each_field(desk, n) -> list:
    """Up to `n` arbitrary values in every field, Hypothesis choosing them from the seed: [(field, value, what)]."""
    seen = []
    for slot in SLOTS:
        @settings(max_examples=n, deadline=None, derandomize=False, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(values)
        def prop(value):
            seen.append((slot[0], value, _property(desk, slot, value)))
        prop._hypothesis_internal_use_seed = SEED
        prop()
    return seen


def _faults(seen):
    return {"crashes": [(f, v, o["crashes"]) for f, v, o in seen if o["crashes"]],
            "uncoded": [(f, v, o["codes"]) for f, v, o in seen
                        if any(c not in CODES or c == "internal-error" for c in o["codes"])],
            "others hidden": [(f, v) for f, v, o in seen if not o["others_listed"]]}


def test_arbitrary_values_in_every_field(desk):
    desk.reset(desk.base)
    seen = _each_field(desk, 3)
    faults = _faults(seen)
    report(f"hypothesis (sample): {len(seen)} values in {len(SLOTS)} fields, seed {SEED}")
    assert {f for f, _, _ in seen} == {slot[0] for slot in SLOTS}     # every field was tried
    assert faults["crashes"] == []             # check, list, todo, show: no traceback, no 内部错误, exit 0–3
    assert faults["uncoded"] == []             # every problem has a known code
    assert faults["others hidden"] == []       # `list` still shows the other record


@pytest.mark.stress
def test_arbitrary_values_in_every_field_stress(desk):
    desk.reset(desk.base)
    n = int(os.environ.get("SHOUWEN_HYPOTHESIS_EXAMPLES", 100))
    seen = _each_field(desk, n)
    faults = _faults(seen)
    report(f"hypothesis: {len(seen)} values in {len(SLOTS)} fields (up to {n} each), seed {SEED}, "
           f"faults {dict((k, len(v)) for k, v in faults.items())}")
    assert len(seen) >= len(SLOTS) * n // 2
    assert faults["crashes"] == []
    assert faults["uncoded"] == []
    assert faults["others hidden"] == []
