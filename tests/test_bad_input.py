"""Every command given bad input exits 2 with a Chinese message and writes nothing."""
import pytest

from conftest import copy_agency

REC = "records/inquiries/2026/11/20261102-J005-001.md"
RID = "20261102-J005-001"


@pytest.fixture(scope="module")
def _accepted(tmp_path_factory, _new_bureau):
    """A 再生育审批 matter forwarded to and accepted by J014 on 2026-11-02 (written once for the module)."""
    agency = copy_agency(_new_bureau, tmp_path_factory.mktemp("accepted") / "agency")
    assert agency.new("2026-11-02T09:30", service="birth-permit") == RID
    agency.ok("--as", "J005", "forward", RID, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", RID, "--at", "2026-11-02T11:00")
    return agency.path


@pytest.fixture
def accepted(tmp_path, _accepted):
    """The test's own copy of it."""
    return copy_agency(_accepted, tmp_path / "agency")


def _commit_broken(agency, data: bytes):
    import os
    with open(os.path.join(agency.path, REC), "wb") as fh:
        fh.write(data)
    agency.git("commit", "-q", "--no-verify", "-am", "hand edit")   # as if the hook were bypassed


CASES = {
    "unknown id": (["--as", "J014", "complete", "20261102-J005-099", "--result", "x"], ["找不到事项", "20261102-J005-099", "records/inquiries/2026/11/20261102-J005-099.md"]),
    "malformed id": (["--as", "J014", "complete", "../../etc/passwd", "--result", "x"], ["编号", "格式不对"]),
    "unknown badge": (["--as", "J999", "note", RID, "--text", "x"], ["J999", "rules/staff.yml"]),
    "unknown department": (["--as", "J014", "forward", RID, "--to", "nowhere"], ["nowhere", "rules/institution.yml"]),
    "unknown staff": (["--as", "J005", "refer", RID, "--to", "family", "--staff", "J777"], ["J777"]),
    "event out of stage": (["--as", "J014", "deliver", RID, "--method", "窗口领取"], [REC, RID, "events[3].action", "须先办结"]),
    "malformed due date": (["--as", "J014", "promise", RID, "--due", "2026-13-40"], ["2026-13-40", "--due"]),
    "no such day": (["--as", "J014", "promise", RID, "--due", "2026-02-30"], ["“2026-02-30”", "2026年2月没有30日", "--due"]),
    "year out of range": (["--as", "J014", "promise", RID, "--due", "9999-12-31"], ["“9999-12-31”", "年份应在1900年至2999年之间", "--due"]),
    "no such hour": (["--as", "J014", "note", RID, "--text", "x", "--at", "2026年11月2日 25:10"], ["没有 25:10", "--at"]),
    "malformed time": (["--as", "J014", "note", RID, "--text", "x", "--at", "昨天下午"], ["昨天下午", "--at"]),
    "promise days beyond service": (["--as", "J014", "promise", RID, "--days", "11"], [REC, RID, "--days", "10 个工作日"]),
    "promise date beyond service": (["--as", "J014", "promise", RID, "--due", "2026-12-31", "--at", "2026-11-02T11:10"],
                                    [REC, RID, "events[3].due", "promise-exceeds-limit"]),
    "score out of range": (["--as", "J005", "rate", RID, "--score", "7"], ["--score"]),
    "unknown service": (["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--service", "nope"], ["nope", "rules/services"]),
    "missing matter": (["--as", "J005", "new", "--name", "甲"], ["--matter"]),
    "missing option": (["--as", "J005", "forward", RID], ["--to"]),
    "unknown option": (["--as", "J005", "forward", RID, "--too", "family"], ["--too"]),
    "bad list filter": (["list", "--department", "nowhere"], ["nowhere"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_and_writes_nothing(accepted, case):
    args, expected = CASES[case]
    head, status = accepted.head(), accepted.status()
    r = accepted.run(*args)
    assert r.exit_code == 2, r.output
    assert "错误" in r.stderr
    for needle in expected:
        assert needle in r.stderr, f"{needle!r} not in {r.stderr!r}"
    assert "Traceback" not in r.output
    assert accepted.head() == head and accepted.status() == status


def test_extension_after_the_old_due_date_is_refused(accepted):
    accepted.ok("--as", "J014", "promise", RID, "--due", "2026-11-06", "--at", "2026-11-02T11:10")
    head = accepted.head()
    r = accepted.run("--as", "J014", "extend", RID, "--due", "2026-11-12", "--reason", "核实", "--approver", "J013",
                     "--at", "2026-11-09T09:00")
    assert r.exit_code == 2 and "extension-late" in r.stderr and "events[4].at" in r.stderr
    assert accepted.head() == head and accepted.status() == ""
    accepted.ok("--as", "J014", "extend", RID, "--due", "2026-11-12", "--reason", "核实", "--approver", "J013",
                "--at", "2026-11-06T16:00")


@pytest.mark.parametrize("data,needle", [
    (b"---\nid: 20261102-J005-001\nevents: [unclosed\n---\n", "YAML"),
    ("---\nid: 20261102-J005-001\nmatter: 咨询\n---\n".encode("gbk"), "UTF-8"),
])
def test_broken_record_file_is_named_and_left_alone(accepted, data, needle):
    _commit_broken(accepted, data)
    head = accepted.head()
    r = accepted.run("--as", "J014", "note", RID, "--text", "x")
    assert r.exit_code == 2
    assert REC in r.stderr and RID in r.stderr and needle in r.stderr
    assert accepted.head() == head and accepted.status() == ""
    check = accepted.run("check", "--format", "json")
    assert check.exit_code == 1
    import json
    probs = json.loads(check.stdout)["problems"]
    assert probs[0]["path"] == REC and probs[0]["code"] in ("yaml-invalid", "encoding")


def test_broken_rules_refuse_writes_with_the_rules_file_named(accepted):
    import os
    path = os.path.join(accepted.path, "rules/services/birth-permit.md")
    text = open(path, encoding="utf-8").read().replace("承诺办结时限: 10", "承诺办结时限: 十天")
    open(path, "w", encoding="utf-8").write(text)
    accepted.git("commit", "-q", "--no-verify", "-am", "typo")
    head = accepted.head()
    r = accepted.run("--as", "J014", "note", RID, "--text", "x")
    assert r.exit_code == 2 and "rules/services/birth-permit.md" in r.stderr and "承诺办结时限" in r.stderr
    assert accepted.head() == head


def test_busy_repository_exits_3(accepted, monkeypatch):
    import fcntl, os
    from shouwen.repo import journal
    monkeypatch.setattr(journal, "LOCK_WAIT", 0.2)      # the writer gives up after 0.2 s, not 15
    os.makedirs(os.path.join(accepted.path, ".shouwen"), exist_ok=True)
    head = accepted.head()
    with open(os.path.join(accepted.path, ".shouwen", "lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        r = accepted.run("--as", "J014", "note", RID, "--text", "x")
    assert r.exit_code == 3 and "正忙" in r.stderr
    assert accepted.head() == head


def test_report_commands_refuse_bad_input_in_chinese(agency, tmp_path):
    for args, words in ((["ladder", "abc"], ["年份", "应写成 2026 或 2026年"]),
                        (["export", "-o", str(tmp_path / "no" / "such" / "x.xlsx")], ["无法读写", "不存在"]),
                        (["export", "-o", str(tmp_path / "x.txt")], [".xlsx"]),
                        (["bulletin", "2026Q9"], ["2026Q9"]),
                        (["--as", "J022", "complain", "--against", "J005", "--channel", "pigeon", "--summary", "x"],
                         ["--channel", "pigeon", "没有投诉渠道", "您是不是要找"])):
        r = agency.run(*args)
        assert r.exit_code == 2 and "Traceback" not in r.output, (args, r.output)
        assert all(w in r.stderr for w in words), (args, r.stderr)
    assert agency.status() == ""


def test_a_status_named_wrong_lists_every_status_or_says_how_many_are_left_out(agency):
    # `list --status 乱写` offered twelve statuses and stopped, 已办结 and 已送达 among those left out, with nothing
    # to say there were more: a clerk took 已办结 for no status at all
    r = agency.run("list", "--status", "乱写")
    assert r.exit_code == 2 and "已办结（completed）" in r.stderr and "已送达（delivered）" in r.stderr, r.stderr
    from shouwen.core.names import Vocabulary
    many = Vocabulary("工作人员", {f"X{n:03d}": (f"员工{n}",) for n in range(40)})
    words = many.refusal("乱")
    assert "等 40 个" in words and words.count("、") < 39, words


def test_the_choices_of_an_unknown_action_duty_or_ladder_are_listed_as_chinese_text_lists_them(agency):
    # 未知的职责 'foo'；可用：register, verdict, … : ids joined with an ASCII comma inside a Chinese sentence
    rid = agency.new("2026-11-02T09:30")
    policy = agency.file("rules/policy.yml").replace("permissions:\n", "permissions:\n  foo: any\n", 1) \
        .replace("ladder:\n  kind: count", "ladder:\n  kind: counted", 1)
    agency.write("rules/policy.yml", policy)
    rel = f"records/inquiries/2026/11/{rid}.md"
    agency.write(rel, agency.file(rel).replace("\n---\n", "\n  - {at: 2026-11-02T09:40:00+08:00, by: J005, action: bogus}"
                                                         "\n---\n", 1))
    import json
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-03").stdout)["problems"]
    said = [p["message"] for p in probs if "可用：" in p["message"]]
    assert len(said) == 3 and all(", " not in m and "、" in m for m in said), said
