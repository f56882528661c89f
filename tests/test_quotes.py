"""A value named in a message stands between Chinese quotation marks “…” (GB/T 15834), never between
Python's ASCII quotes: `编号“2026-X”格式不对`, not `编号 '2026-X' 格式不对`."""
import ast
import glob
import os
import re

import pytest

from shouwen.core.quote import quoted

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(REPO, "tools", "shouwen")
HAN = re.compile(r"[\u4e00-\u9fff]")
# an ASCII quote with a Chinese character (or a full-width mark) beside it, a space between allowed
ASCII_QUOTE_BY_CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] ?['\"]|['\"] ?[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def test_a_value_is_quoted_with_chinese_marks():
    assert quoted("2026-x") == "“2026-x”"
    assert quoted(3) == "“3”"


def test_control_characters_and_direction_overrides_stay_visible_escapes():
    assert quoted("a\nb\rc\td") == "“a\\nb\\rc\\td”"
    assert quoted("张\u202e三") == "“张\\u202e三”"
    assert quoted("\x1b[31m") == "“\\x1b[31m”"
    assert quoted("x\udcb2") == "“x\\udcb2”"         # a byte that was not UTF-8


def test_a_long_value_is_cut():
    got = quoted("长" * 500)
    assert got.startswith("“长") and got.endswith("…”") and len(got) < 80


def test_values_that_are_not_text_read_as_the_yaml_they_came_from():
    import datetime
    assert quoted(None) == "“null”"
    assert quoted(True) == "“true”"
    assert quoted(["08:30-12:00", "14:00"]) == "“[08:30-12:00, 14:00]”"
    assert quoted({"a": 1}) == "“{a: 1}”"
    assert quoted(datetime.date(2026, 11, 29)) == "“2026-11-29”"


CLI_CASES = {
    "malformed id": (["history", "2026-x"], "“2026-X”"),
    "an id with a line break": (["history", "2026\n-x"], "\\n"),
    "bad choice (click)": (["list", "--format", "xml"], "“xml”"),
    "bad quarter": (["bulletin", "2026Q9"], "“2026Q9”"),
    "bad year": (["review", "20x6"], "“20x6”"),
    "not a number (click)": (["remind", "--days", "abc"], "“abc”"),
    "a directory for a file (click)": (["import", "records"], "“records”"),
}


@pytest.mark.parametrize("args,value", CLI_CASES.values(), ids=CLI_CASES.keys())
def test_bad_input_names_the_value_between_chinese_quotes(agency, args, value):
    if "records" in args:
        os.makedirs(os.path.join(agency.path, "records"), exist_ok=True)
    r = agency.run(*args)
    assert r.exit_code == 2, r.output
    assert value in r.output, r.output
    assert not ASCII_QUOTE_BY_CHINESE.search(r.output), r.output


def test_a_bad_event_in_a_record_is_named_between_chinese_quotes(agency):
    rid = agency.new("2026-11-02T09:30")
    path = f"records/inquiries/2026/11/{rid}.md"
    agency.write(path, agency.file(path).replace("action: registered", "action: flew"))
    r = agency.run("check", "--format", "text")
    assert "未知的事件“flew”" in r.output, r.output
    assert not ASCII_QUOTE_BY_CHINESE.search(r.output), r.output


def _shows_repr_in_chinese(node) -> bool:
    if not isinstance(node, ast.JoinedStr):
        return False
    text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return bool(HAN.search(text)) and any(isinstance(v, ast.FormattedValue) and v.conversion == ord("r")
                                          for v in node.values)


def test_no_chinese_message_in_the_package_shows_a_value_with_repr():
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        for node in ast.walk(ast.parse(src)):
            if _shows_repr_in_chinese(node):
                bad.append(f"{os.path.relpath(path, REPO)}:{node.lineno}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value) \
                    and re.search(r"\{\w*!r\}", node.value):      # a format string, as in click's catalogue
                bad.append(f"{os.path.relpath(path, REPO)}:{node.lineno}")
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad)


def test_the_source_scan_finds_what_it_must():
    assert _shows_repr_in_chinese(ast.parse('f"编号 {rid!r} 格式不对"', mode="eval").body)
    assert not _shows_repr_in_chinese(ast.parse('f"编号{quoted(rid)}格式不对"', mode="eval").body)
    assert not _shows_repr_in_chinese(ast.parse('f"<v>{value!r}</v>"', mode="eval").body)
