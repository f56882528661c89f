"""Arbitrary YAML values in every field of a record (Hypothesis): `check` names a coded problem or none,
`list`, `todo` and `show` answer, and nothing raises. Sampled in `make test`, 300 examples per field under
`make stress`."""
import json
import os
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from robust.harness import SEED, report
from robust.harness import OK_EXITS, R1, R2, REC
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


def _run(desk, *args):
    r = desk.runner.invoke(__import__("shouwen.cli", fromlist=["cli"]).cli, ["--repo", desk.path, *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code in OK_EXITS and "内部错误" not in r.output, r.output[-800:]
    return r


def _property(desk, slot, value):
    _, old, new = slot
    full = os.path.join(desk.path, REC)
    text = desk.text.replace("code: CODE", f"code: {desk.code}")
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old.replace("CODE", desk.code), new.format(_flow(value)), 1))
    try:
        r = _run(desk, "check", "--format", "json", "--no-cache")
        probs = json.loads(r.stdout)["problems"]
        assert all(p["code"] in CODES and p["code"] != "internal-error" for p in probs), probs[:3]
        assert R2 in _run(desk, "list", "--format", "json").stdout
        _run(desk, "todo", "--all")
        _run(desk, "show", R1)
    finally:
        desk.git("checkout", "-q", "--", REC)


def _test(desk, n):
    for slot in SLOTS:
        @settings(max_examples=n, deadline=None, derandomize=False, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(values)
        def prop(value):
            _property(desk, slot, value)
        prop._hypothesis_internal_use_seed = SEED
        prop()
    report(f"hypothesis: {len(SLOTS)} fields x {n} arbitrary YAML values, seed {SEED}")


def test_arbitrary_values_in_every_field(desk):
    desk.reset(desk.base)
    _test(desk, 3)


@pytest.mark.stress
def test_arbitrary_values_in_every_field_stress(desk):
    desk.reset(desk.base)
    _test(desk, int(os.environ.get("SHOUWEN_HYPOTHESIS_EXAMPLES", 100)))
