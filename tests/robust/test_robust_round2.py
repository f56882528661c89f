"""What the s7 sweep (the second round) found: numbers too long for Python to print in a record or an
argument, the desk page's errors, hostile spreadsheets, Click's own messages.

Each test is one defect: exit 2 or a coded problem naming the file and the field, never a traceback or
`内部错误`, nothing written where a command refuses, the other commands unaffected.
"""
import os

import pytest

from robust.harness import R1, R2, REC, make_desk, problems_of

HUGE = "9" * 5000          # past Python's 4,300 digits: int() of it raises, str() of such a number too


@pytest.fixture(scope="module")
def round2(tmp_path_factory):
    d = make_desk(tmp_path_factory.mktemp("round2") / "agency")
    return d


def _reset(d):
    d.reset(d.base)
    d.crashes.clear()


def _edit(d, rel, old, new):
    _reset(d)
    full = os.path.join(d.path, rel)
    text = open(full, encoding="utf-8").read()
    assert old in text, (rel, old)
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))
    d.commit_all()


@pytest.mark.parametrize("value", [HUGE, "0x" + "f" * 4000, "1" + "_0" * 4400, ":".join(["59"] * 2500)])
def test_a_number_too_long_to_print_in_a_record_is_named_and_stops_nothing(round2, value):
    """`matter: 999…9` (5,000 digits) stopped check, list, show, todo and remind for the whole ledger."""
    _edit(round2, REC, "matter: 咨询再生育审批", f"matter: {value}")
    r = round2.run("check", "--format", "json")
    assert r.exit_code == 1, r.output
    probs = problems_of(r)
    assert not [p for p in probs if p["code"] == "internal-error"], probs
    assert [p for p in probs if p.get("path") == REC], probs
    for args in (["list"], ["show", R1], ["show", R2], ["--as", "J005", "todo"], ["remind", "--dry-run"],
                 ["find", "张三"]):
        r = round2.run(*args)
        assert r.exit_code in (0, 1), (args, r.output)
    assert round2.crashes == [], round2.crashes


@pytest.mark.parametrize("args", [["--as", "J014", "promise", R1, "--days", HUGE],
                                  ["--as", "J014", "promise", R1, "--days", HUGE + "个工作日"],
                                  ["--as", "J005", "rate", R1, "--score", HUGE],
                                  ["--as", "J005", "rate", R1, "--score", HUGE + "分"]])
def test_a_number_too_long_for_python_as_an_argument_is_refused(round2, args):
    _reset(round2)
    before = round2.snapshot()
    r = round2.run(*args)
    assert r.exit_code == 2 and "错误" in r.stderr and args[4] in r.stderr, r.output
    assert round2.snapshot() == before
    assert round2.crashes == [], round2.crashes
