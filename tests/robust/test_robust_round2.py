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


# --- the desk page ------------------------------------------------------------------------------------

@pytest.fixture
def desk_client(round2):
    """The desk page of the round2 agency in Flask's test client, logged in as 李明 (J005)."""
    import re
    from datetime import datetime

    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    _reset(round2)
    pins.set_pin(round2.path, "J005", "2468")
    app = create_app(round2.path, now=lambda: datetime(2026, 11, 2, 12, 0, tzinfo=CST))
    c = app.test_client()
    c.get("/login")
    with c.session_transaction() as s:
        csrf = s["csrf"]
    assert c.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf}).status_code == 302
    with c.session_transaction() as s:
        c.csrf = s["csrf"]
    c.once = lambda path="/new": re.search(r'name="once" value="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)
    return c


def _page(r) -> str:
    """What the page says in its main part, without tags."""
    import re
    body = r.get_data(as_text=True)
    m = re.search(r"<main.*?</main>", body, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0) if m else body))


def _chinese_page(r):
    text = _page(r)
    assert "Method Not Allowed" not in text and "Internal Server Error" not in text and "Traceback" not in text, text
    assert "Request Entity" not in text and "Content Too Large" not in text, text
    return text


@pytest.mark.parametrize("method,path", [("put", "/"), ("delete", "/new"), ("get", "/logout"), ("post", "/"),
                                         ("get", "/pad/rate"), ("patch", f"/r/{R1}")])
def test_a_wrong_method_on_the_desk_page_is_answered_in_chinese(round2, desk_client, method, path):
    before = round2.snapshot()
    r = getattr(desk_client, method)(path, data={"csrf": desk_client.csrf})
    assert r.status_code == 405
    assert "不支持" in _chinese_page(r)
    assert round2.snapshot() == before


def test_a_huge_form_is_refused_in_chinese_before_it_is_read(round2, desk_client):
    before = round2.snapshot()
    r = desk_client.post("/new", data={"csrf": desk_client.csrf, "once": desk_client.once(), "name": "王五",
                                       "matter": "问" * (2 << 20)})
    assert r.status_code == 413
    assert "过大" in _chinese_page(r)
    assert round2.snapshot() == before


def test_a_matter_sent_to_the_pad_that_does_not_exist_is_no_server_error(round2, desk_client):
    before = round2.snapshot()
    for rid in ("NOPE", "20991231-J005-999", "../../etc/passwd"):
        r = desk_client.post(f"/r/{rid}/pad", data={"csrf": desk_client.csrf})
        assert r.status_code == 404, (rid, r.status_code)
        _chinese_page(r)
    assert round2.snapshot() == before


def test_a_bug_behind_the_desk_page_is_a_chinese_page_and_one_line(round2, desk_client, monkeypatch, capsys):
    """Whatever goes wrong inside shows no English 500 page and prints no traceback on the desk's console."""
    from shouwen.desk import app as desk_app
    monkeypatch.setattr(desk_app, "find", lambda *a: 1 / 0)
    r = desk_client.get("/find?q=张三")
    assert r.status_code == 500
    assert "内部错误" in _chinese_page(r)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "ZeroDivisionError" in err


def test_a_form_token_the_desk_never_gave_is_not_called_already_submitted(round2, desk_client):
    """A form without its one-time token (or with a forged one) wrote nothing and said 已经提交过, which was false."""
    before = round2.snapshot()
    for once in ("", "forged"):
        r = desk_client.post("/new", data={"csrf": desk_client.csrf, "once": once, "name": "王五", "matter": "咨询"})
        assert r.status_code == 400
        text = _chinese_page(r)
        assert "提交过" not in text and "刷新" in text, text
    assert round2.snapshot() == before
