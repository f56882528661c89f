"""Complaints, verdicts, sanctions, the penalty ladder, and the checks that hold the office to them."""
import json

import pytest

from shouwen.core.ladder import parse_ladder


def complaint(agency, against, at, finding=None, verdict_at=None, liable=(), inquiry=None):
    args = ["--as", "J022", "complain", "--channel", "hotline", "--summary", "态度生硬", "--name", "赵投诉",
            "--phone", "13600000000", "--at", at]
    for b in [against] if isinstance(against, str) else against:
        args += ["--against", b]
    if inquiry:
        args += ["--inquiry", inquiry]
    out = agency.ok(*args).output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    if finding:
        v = ["--as", "J022", "verdict", cid, f"--{finding}", "--reason", "调查属实" if finding == "substantiated" else "不属实",
             "--at", verdict_at]
        for b in liable:
            v += ["--liable", b]
        agency.ok(*v)
    return cid


@pytest.fixture
def year_of_complaints(agency):
    """J005 (综合受理科, head J004): one complaint of December 2025, then four substantiated in 2026,
    one of them shared with J006, and one unfounded."""
    c = {}
    c["old"] = complaint(agency, "J005", "2025-12-10T10:00", "substantiated", "2025-12-19T10:00")
    c["first"] = complaint(agency, "J005", "2026-02-02T10:00", "substantiated", "2026-02-10T10:00")
    c["unfounded"] = complaint(agency, "J005", "2026-02-20T10:00", "unfounded", "2026-02-27T10:00")
    c["second"] = complaint(agency, ["J005", "J006"], "2026-03-02T10:00", "substantiated", "2026-03-10T10:00",
                            liable=["J005", "J006"])
    c["third"] = complaint(agency, "J005", "2026-04-01T10:00", "substantiated", "2026-04-10T10:00")
    c["fourth"] = complaint(agency, "J005", "2026-05-06T10:00", "substantiated", "2026-05-12T10:00")
    return c


def test_the_seed_ladder_table(agency, year_of_complaints):
    c = year_of_complaints
    out = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    staff = {s["badge"]: s for s in out["staff"]}
    j5 = staff["J005"]
    assert j5["count"] == 4 and j5["complaints"] == [c["first"], c["second"], c["third"], c["fourth"]]
    assert [(m["measure"], m["complaint"]) for m in j5["measures"]] == [
        ("通报批评", c["first"]), ("警告处分", c["second"]),
        ("扣罚全年综合奖金", c["third"]), ("调离工作岗位", c["third"]),
        ("扣罚全年综合奖金", c["fourth"]), ("调离工作岗位", c["fourth"])]
    assert j5["bonus_deduction"] == 1.0 and j5["rating"] == ["不得评为优秀", "不称职"]
    # two liable on one complaint: both count; J006's is a first
    assert staff["J006"]["count"] == 1 and staff["J006"]["bonus_deduction"] == 0.2
    heads = {h["badge"]: h for h in out["heads"]}
    steps = [(f["badge"], f["complaint"], f["deduction"]) for f in heads["J004"]["from"]]
    assert steps == [("J005", c["first"], 0.05), ("J005", c["second"], 0.10), ("J006", c["second"], 0.05),
                     ("J005", c["third"], 0.15), ("J005", c["fourth"], 0.15)]
    assert heads["J004"]["bonus_deduction"] == 0.5
    # the December 2025 verdict counts in 2025 alone
    old = json.loads(agency.ok("ladder", "2025", "--format", "json").stdout)
    assert [(s["badge"], s["count"], s["bonus_deduction"]) for s in old["staff"]] == [("J005", 1, 0.2)]


def test_one_step_at_a_time(agency):
    """The seed's table read row by row: after the first, second and third substantiated complaint."""
    expect = [(0.2, ["通报批评"], ["不得评为优秀"], 0.05), (0.7, ["警告处分"], ["不得评为优秀", "不称职"], 0.15),
              (1.0, ["扣罚全年综合奖金", "调离工作岗位"], ["不得评为优秀", "不称职"], 0.30)]
    for n, (bonus, new, rating, head) in enumerate(expect, 1):
        complaint(agency, "J005", f"2026-0{n + 1}-02T10:00", "substantiated", f"2026-0{n + 1}-09T10:00")
        out = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
        j5 = out["staff"][0]
        assert (j5["count"], j5["step"]) == (n, n)
        assert [m["measure"] for m in j5["measures"]][-len(new):] == new
        assert j5["bonus_deduction"] == pytest.approx(bonus) and j5["rating"] == rating
        assert out["heads"][0]["badge"] == "J004" and out["heads"][0]["bonus_deduction"] == pytest.approx(head)


def test_a_ladder_that_gets_milder_is_invalid(agency):
    text = agency.file("rules/policy.yml").replace("bonus_deduction: 0.50", "bonus_deduction: 0.10")
    agency.write("rules/policy.yml", text)
    r = agency.run("check", "--format", "json")
    hit = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "ladder-invalid"]
    assert r.exit_code == 1 and hit and hit[0]["field"] == "ladder.steps[1].bonus_deduction"
    assert hit[0]["path"] == "rules/policy.yml"
    w = agency.run("--as", "J022", "complain", "--against", "J005", "--channel", "box", "--summary", "x")
    assert w.exit_code == 2 and "ladder-invalid" in w.stderr
    lad, probs = parse_ladder({"kind": "severity", "levels": [{"severity": "严重", "measures": []}]})
    assert lad is None and probs[0].field == "ladder.levels[0].measures"
    lad, probs = parse_ladder({"kind": "severity", "levels": [{"severity": "一般", "measures": ["批评教育"]},
                                                              {"severity": "严重", "measures": ["辞退"]}]})
    assert probs == [] and lad.levels["严重"].measures == ["辞退"]


def test_recorded_sanctions_are_held_to_the_ladder(agency):
    cid = complaint(agency, "J005", "2026-03-02T10:00", "substantiated", "2026-03-09T10:00")
    agency.ok("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "警告处分", "--bonus", "0.5",
              "--decision", "示政服〔2026〕5号", "--at", "2026-03-12T10:00")
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-03-20").stdout)["problems"]
    hit = [p for p in probs if p["code"] == "sanction-mismatch"]
    assert hit and hit[0]["severity"] == "error" and hit[0]["record"] == cid and "通报批评" in hit[0]["message"]
    assert "；扣罚奖金 50%" in hit[0]["message"]          # two differences, joined as Chinese text is (GB/T 15834)
    other = complaint(agency, "J006", "2026-03-03T10:00", "substantiated", "2026-03-09T11:00")
    agency.ok("--as", "J003", "sanction", other, "--staff", "J006", "--measure", "批评教育", "--bonus", "0",
              "--deviation", "初犯且主动整改，领导小组决定从轻", "--at", "2026-03-12T11:00")
    third = complaint(agency, "J007", "2026-03-04T10:00", "substantiated", "2026-03-09T12:00")
    agency.ok("--as", "J003", "sanction", third, "--staff", "J007", "--measure", "通报批评", "--bonus", "0.2",
              "--at", "2026-03-12T12:00")
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-03-20").stdout)["problems"]
    by = {p["record"]: p["severity"] for p in probs if p["code"] == "sanction-mismatch"}
    assert by == {cid: "error", other: "warning"}
    r = agency.run("--as", "J003", "sanction", third, "--staff", "J009", "--measure", "通报批评", "--bonus", "2")
    assert r.exit_code == 2


def test_verdict_late_and_followup_late(agency):
    cid = complaint(agency, "J005", "2026-11-02T10:00")
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-20").stdout)["problems"]
    assert [p["record"] for p in probs if p["code"] == "verdict-late"] == [cid]
    assert not [p for p in json.loads(agency.run("check", "--format", "json", "--today", "2026-11-16").stdout)["problems"]
                if p["code"] == "verdict-late"]          # 10 working days: due 2026-11-16
    rid = agency.new("2026-11-02T09:00")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:10")
    agency.ok("--as", "J005", "rate", rid, "--score", "2", "--at", "2026-11-02T09:20")
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-10").stdout)["problems"]
    assert [p["record"] for p in probs if p["code"] == "followup-late"] == [rid]
    agency.ok("--as", "J005", "followup", rid, "--at", "2026-11-06T09:00")
    probs = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-10").stdout)["problems"]
    assert not [p for p in probs if p["code"] == "followup-late"]


def test_complaint_names_an_inquiry_and_keeps_the_complainant_private(agency):
    rid = agency.new("2026-11-02T09:00")
    cid = complaint(agency, "J005", "2026-11-03T10:00", inquiry=rid)
    text = agency.file(f"records/complaints/2026/11/{cid}.md")
    assert "inquiry: " + rid in text and "赵投诉" in text
    assert agency.run("--as", "J022", "complain", "--against", "J005", "--channel", "box", "--summary", "x",
                      "--inquiry", "20261102-J005-009").exit_code == 2
    assert agency.run("--as", "J022", "complain", "--against", "J099", "--channel", "box", "--summary", "x").exit_code == 2
    assert agency.run("--as", "J022", "verdict", cid, "--reason", "x").exit_code == 2     # neither finding given


def test_commendation_and_inspection_are_records(agency):
    agency.ok("--as", "J004", "commend", "J005", "--note", "耐心细致", "--at", "2026-08-03T10:00")
    # the bureau's items: 文明办事用语 and the 接待守则 (让坐、倒茶、办事、送行)
    out = agency.ok("--as", "J004", "inspect", "J006", "--finding", "文明用语:合格", "--finding", "倒茶:不合格:未倒茶",
                    "--at", "2026-08-04T10:00").output
    assert "不合格 倒茶" in out
    assert agency.run("--as", "J004", "inspect", "J006", "--finding", "文明用语").exit_code == 2
    assert agency.run("--as", "J004", "inspect", "J006", "--finding", "复述确认:合格").exit_code == 2
    assert json.loads(agency.run("check", "--format", "json", "--today", "2026-08-10").stdout)["ok"]


def test_show_and_receipt_of_accountability_records(agency):
    cid = complaint(agency, "J005", "2026-11-03T10:00", "substantiated", "2026-11-05T10:00")
    out = agency.ok("show", cid).output
    assert "被投诉人 李明（J005）" in out and "结论 查实（2026年11月5日）" in out and "赵投诉" not in out
    data = json.loads(agency.ok("show", cid, "--format", "json").stdout)
    assert data["kind"] == "complaints" and data["finding"] == "substantiated" and data["liable"] == ["J005"]
    r = agency.run("receipt", cid)
    assert r.exit_code == 2 and cid in r.stderr
    steps = json.loads(agency.ok("history", cid, "--format", "json").stdout)["steps"]
    assert [s["event"]["action"] for s in steps] == ["registered", "verdict"]
    assert agency.run("--as", "J005", "answer", cid, "--answer", "x").exit_code == 2


def test_a_sanction_names_the_person_sanctioned_not_a_handler(agency):
    # `show` and `history` of a complaint read 处理 … 承办人：李明（J005）: the sanctioned person was called the
    # matter's handler (the word of a forward's `staff`)
    cid = complaint(agency, "J005", "2026-11-03T10:00", "substantiated", "2026-11-05T10:00")
    agency.ok("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "通报批评", "--bonus", "20%",
              "--at", "2026-11-06T10:00")
    for out in (agency.ok("show", cid).output, agency.ok("history", cid).output):
        assert "被处理人：李明（J005）" in out and "承办人" not in out, out
