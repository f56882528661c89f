"""The hotel and company templates: their own escalation chain, liability, ladder kind and inspections."""
import json

import pytest
from click.testing import CliRunner

from shouwen.cli import cli
from conftest import Agency


def made(tmp_path, template):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / template), "--template", template])
    assert r.exit_code == 0, r.output
    a = Agency(tmp_path / template)
    assert json.loads(a.ok("check", "--today", "2026-11-30", "--format", "json").stdout)["ok"]    # policies expire
    return a


def hotel_complaint(a, against, at, verdict_at, severity, liable):
    out = a.ok("--as", "H012", "complain", "--against", against, "--channel", "box", "--summary", "客房没人打扫",
               "--at", at).output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    a.ok("--as", "H003", "verdict", cid, "--substantiated", "--severity", severity, "--liable", liable,
         "--reason", "前台已通知客房部，客房服务员未配合", "--at", verdict_at)
    return cid


def test_hotel_escalates_up_the_chain_and_the_uncooperative_colleague_answers(tmp_path):
    a = made(tmp_path, "hotel")
    rid = a.new("2026-11-02T21:00", badge="H010", name="顾客甲")
    chain = []
    for who in ("H010", "H007", "H004", "H003", "H002"):      # 员工→主管→经理→总监→副总→总经理
        a.ok("--as", who, "escalate", rid, "--reason", "超出权限", "--at", f"2026-11-02T21:{10 + len(chain):02d}")
        chain.append(json.loads(a.ok("show", rid, "--format", "json").stdout)["events"][-1]["to"])
    assert chain == ["H007", "H004", "H003", "H002", "H001"]
    # the front desk asked housekeeping, which didn't come: the housekeeper answers, not the front desk
    cid = hotel_complaint(a, "H010", "2026-11-03T09:00", "2026-11-04T10:00", "较重", "H013")
    out = json.loads(a.ok("ladder", "2026", "--format", "json").stdout)
    assert [(s["badge"], [m["measure"] for m in s["measures"]]) for s in out["staff"]] == [("H013", ["书面警告"])]
    r = a.run("--as", "H012", "complain", "--against", "H013", "--channel", "box", "--summary", "x", "--at", "2026-11-05T09:00")
    cid2 = r.output.split("已登记投诉 ")[1].split("（")[0]
    bad = a.run("--as", "H003", "verdict", cid2, "--substantiated", "--reason", "x", "--at", "2026-11-06T09:00")
    assert bad.exit_code == 2 and "情节" in bad.stderr                     # the severity ladder needs a severity
    a.ok("--as", "H001", "sanction", cid, "--staff", "H013", "--measure", "辞退", "--at", "2026-11-05T10:00")
    probs = json.loads(a.run("check", "--format", "json", "--today", "2026-11-06").stdout)["problems"]
    assert [p["code"] for p in probs if p["record"] == cid] == ["sanction-mismatch"]


def test_hotel_inspections_use_the_greeting_standards(tmp_path):
    a = made(tmp_path, "hotel")
    a.ok("--as", "H007", "inspect", "H010", "--finding", "主动问候：合格", "--finding", "姓氏称呼：不合格：未称呼客人姓氏",
         "--at", "2026-08-03T10:00")
    r = a.run("--as", "H007", "inspect", "H010", "--finding", "仪容仪表：合格")
    assert r.exit_code == 2 and "inspection_items" in r.stderr
    q = json.loads(a.ok("bulletin", "2026Q3", "--format", "json").stdout)
    assert {d["id"]: d["inspection_failed"] for d in q["departments"]}["front_office"] == 1


def test_company_discretionary_measures_and_commendation(tmp_path):
    a = made(tmp_path, "company")
    rid = a.new("2026-09-01T10:00", badge="C004", name="客户乙")
    a.ok("--as", "C002", "commend", "C004", "--inquiry", rid, "--note", "客户来电表扬解答耐心", "--at", "2026-09-02T10:00")
    out = a.ok("--as", "C002", "complain", "--against", "C005", "--channel", "hotline", "--summary", "推诿",
               "--at", "2026-09-03T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    a.ok("--as", "C002", "verdict", cid, "--substantiated", "--reason", "查有实据", "--at", "2026-09-04T10:00")
    a.ok("--as", "C001", "sanction", cid, "--staff", "C005", "--measure", "通报", "--at", "2026-09-05T10:00")
    probs = json.loads(a.run("check", "--format", "json", "--today", "2026-09-10").stdout)["problems"]
    assert not [p for p in probs if p["code"] == "sanction-mismatch"]
    a.ok("--as", "C001", "sanction", cid, "--staff", "C005", "--measure", "调岗", "--at", "2026-09-06T10:00")
    probs = json.loads(a.run("check", "--format", "json", "--today", "2026-09-10").stdout)["problems"]
    assert [p["code"] for p in probs if p["code"] == "sanction-mismatch"] == ["sanction-mismatch"]
    q = json.loads(a.ok("bulletin", "2026Q3", "--format", "json").stdout)
    assert q["commended"] == [{"badge": "C004", "count": 1}]


@pytest.mark.parametrize("template", ["hotel", "company", "county"])
def test_each_template_builds_its_public_site(tmp_path, template):
    a = made(tmp_path, template)
    a.ok("site", "build", "-o", str(tmp_path / "out"))
    scheme = open(tmp_path / "out" / "scheme" / "index.html", encoding="utf-8").read()
    assert "责任追究" in scheme


def test_company_ladder_reports_what_was_actually_decided(tmp_path):
    a = made(tmp_path, "company")
    out = a.ok("--as", "C002", "complain", "--against", "C005", "--channel", "hotline", "--summary", "推诿",
               "--at", "2026-09-03T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    a.ok("--as", "C002", "verdict", cid, "--substantiated", "--reason", "查有实据", "--at", "2026-09-04T10:00")
    assert "尚无处理决定" in a.ok("ladder", "2026").output
    a.ok("--as", "C001", "sanction", cid, "--staff", "C005", "--measure", "通报", "--at", "2026-09-05T10:00")
    a.ok("--as", "C001", "sanction", cid, "--staff", "C005", "--measure", "扣发奖金", "--bonus", "0.3",
         "--at", "2026-09-06T10:00")
    staff = json.loads(a.ok("ladder", "2026", "--format", "json").stdout)["staff"]
    assert [(s["badge"], [m["measure"] for m in s["measures"]], s["bonus_deduction"]) for s in staff] == \
        [("C005", ["通报", "扣发奖金"], 0.3)]
    assert "扣罚当年奖金 30%" in a.ok("ladder", "2026").output
