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
    # values in hand-made “…” were printed as typed: a line break or a carriage return went through
    "a time with a line break": (["--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "x",
                                  "--at", "2026\n11"], "时间“2026\\n11”"),
    "a status with a carriage return": (["list", "--status", "乱\r写"], "没有状态“乱\\r写”"),
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


# --- a name in a Chinese sentence: no space beside it (`对李明（J005）的处理`, not `对 李明（J005） 的处理`) ----------

NAME_SPACED = re.compile(r"[\u4e00-\u9fff，：；] [\u4e00-\u9fff]{2,4}（[A-Z]\d{3}）|（[A-Z]\d{3}） [\u4e00-\u9fff]")


def test_the_scan_for_spaced_names_finds_what_it_must():
    assert NAME_SPACED.search("已记录对 李明（J005） 的处理") and NAME_SPACED.search("李明（J005） 不在其列")
    assert not NAME_SPACED.search("已记录对李明（J005）的处理") and not NAME_SPACED.search("投诉 TS-001：李明（J005）")


def test_the_role_refusals_name_people_without_spaces(agency):
    from shouwen.core import roles
    from shouwen.repo.loader import load_rules
    rules = load_rules(agency.path)
    said = [roles.inspection_refusal(rules, "J005", "J004"), roles.conflict(rules, "J004", ["J005"]),
            roles.conflict(rules, "J005", ["J004"]), roles.conflict(rules, "J005", ["J005"]),
            roles.conflict(rules, roles.agency_head(rules), ["agency"]), roles.refusal(rules, "J005", "verdict")]
    assert all(said) and "：李明（J005）不在王芳（J004）的汇报线上方" in said[0], said
    assert [s for s in said if NAME_SPACED.search(s)] == []


def test_a_recorded_sanction_names_the_person_without_spaces(agency):
    out = agency.ok("--as", "J022", "complain", "--channel", "hotline", "--summary", "态度生硬", "--name", "赵投诉",
                    "--phone", "13600000000", "--at", "2026-03-02T10:00", "--against", "J005").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    agency.ok("--as", "J022", "verdict", cid, "--substantiated", "--reason", "调查属实", "--at", "2026-03-09T10:00")
    out = agency.ok("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "通报批评", "--bonus", "0.2",
                    "--at", "2026-03-12T10:00").output
    assert "已记录对李明（J005）的处理（通报批评）" in out and not NAME_SPACED.search(out), out


def test_no_message_in_the_package_puts_a_space_between_chinese_and_a_person(agency):
    """`rules.who(badge)` spells a person as 李明（J005）: Chinese on both ends, so no space beside it."""
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)):
        src = open(path, encoding="utf-8").read()
        for node in ast.walk(ast.parse(src)):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for i, v in enumerate(parts):
                if not (isinstance(v, ast.FormattedValue) and "who(" in (ast.get_source_segment(src, v.value) or "")):
                    continue
                before = parts[i - 1].value if i and isinstance(parts[i - 1], ast.Constant) else ""
                after = parts[i + 1].value if i + 1 < len(parts) and isinstance(parts[i + 1], ast.Constant) else ""
                label = re.fullmatch(r"\s+[\u4e00-\u9fff]+ ", before)      # `  工作人员 李明（J005）` in `show`
                if (re.search(r"[\u4e00-\u9fff，：；（）] $", before) and not label) \
                        or re.match(r" [\u4e00-\u9fff（）]", after):
                    bad.append(f"{os.path.relpath(path, REPO)}:{v.lineno}")
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad)


def test_a_named_level_or_category_of_the_rules_is_quoted_without_spaces():
    from shouwen.core.ladder import parse_ladder, parse_ladders
    level = {"severity": "较重", "measures": ["批评教育"]}
    _, probs = parse_ladder({"kind": "severity", "levels": [level, level]})
    assert [p.message for p in probs] == ["情节“较重”重复"], probs
    one = {"kind": "count", "steps": [{"nth": 1, "measures": ["批评教育"]}]}
    _, probs = parse_ladders(None, [{**one, "applies_to": ["吃拿卡要"]}, {**one, "applies_to": ["吃拿卡要"]}])
    assert [p.message for p in probs] == ["投诉类别“吃拿卡要”同时属于第 1 条和第 2 条追究规定"], probs


@pytest.mark.parametrize("line,said", [
    ("2026年11月2日 10:05｜李明（J005）｜承诺｜办结期限：下周", "办结期限“下周”应写作"),
    ("2026年11月2日 10:05｜李明（J005）｜承诺｜办结期限：2026年2月30日", "办结期限“2026年2月30日”不是有效的日期"),
    ("2026年11月2日 10:05｜李明（J005）｜评价｜评分：很好", "评分“很好”应为"),
    ("2026年2月30日 10:05｜李明（J005）｜备注｜内容：x", "时间“2026年2月30日 10:05”不是有效的"),
    ("2026年11月2日 10:05｜李明（J005）｜转办｜至：综合科", "至“综合科”应写作 名称（编号）"),
])
def test_a_bad_cell_of_the_ledgers_event_column_is_quoted(line, said):
    from shouwen.publish.ledger_lines import parse_event
    with pytest.raises(ValueError) as e:
        parse_event(line)
    assert said in str(e.value), str(e.value)
