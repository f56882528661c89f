"""What the schemes ask of the desk through the command line: the clock stopped for 补正 and a second
round (重办); complaints by 意见簿 and 纪检监察机关, against a department or the agency, with witnesses;
the written quarterly reports; a printable 公文 bulletin."""
import json
import os
import shutil
from datetime import date

import pytest

from shouwen.core.ledger import build
from shouwen.publish import lookup
from shouwen.repo import store
from shouwen.repo.loader import load_rules
from test_accountability import complaint


def matter(a):
    rid = a.new("2026-11-02T09:00", service="birth-permit")
    a.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    a.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    a.ok("--as", "J014", "promise", rid, "--due", "2026-11-09", "--at", "2026-11-02T11:10")
    return rid


def test_suspend_and_resume_move_the_due_date_and_show_why(agency):
    rid = matter(agency)
    bad = agency.run("--as", "J014", "suspend", rid, "--reason", "喝茶", "--at", "2026-11-04T09:00")
    assert bad.exit_code == 2 and "补正材料" in bad.stderr
    agency.ok("--as", "J014", "suspend", rid, "--reason", "补正材料", "--at", "2026-11-04T09:00")
    shown = json.loads(agency.ok("show", rid, "--today", "2026-11-06", "--format", "json").stdout)
    assert shown["suspended"] and shown["status"] == "已暂停（补正材料）"
    assert "已暂停（补正材料）" in agency.ok("show", rid, "--today", "2026-11-06").output
    # what the public lookup would show for it
    rules = load_rules(agency.path)
    led = build(store.load_records(agency.path), rules, __import__("datetime").date(2026, 11, 6))
    assert {r: p["status"] for r, _c, p in lookup.entries(led, rules)}[rid] == "已暂停（补正材料）"
    refused = agency.run("--as", "J014", "complete", rid, "--result", "x", "--at", "2026-11-05T09:00")
    assert refused.exit_code == 2 and "恢复计时" in refused.stderr
    agency.ok("--as", "J014", "resume", rid, "--at", "2026-11-11T09:00")
    shown = json.loads(agency.ok("show", rid, "--today", "2026-11-16", "--format", "json").stdout)
    assert shown["due"] == "2026-11-16" and shown["stopped"] == 5 and not shown["problems"]
    agency.ok("--as", "J014", "complete", rid, "--result", "准予", "--at", "2026-11-16T16:00")
    assert json.loads(agency.run("check", "--today", "2026-11-20", "--format", "json").stdout)["ok"]


def test_reopen_after_a_bad_rating_and_the_bulletin_counts_the_second_round(agency):
    rid = matter(agency)
    agency.ok("--as", "J014", "complete", rid, "--result", "准予", "--at", "2026-11-05T10:00")
    agency.ok("--as", "J014", "deliver", rid, "--method", "窗口领取", "--at", "2026-11-05T11:00")
    assert agency.run("--as", "J005", "reopen", rid, "--reason", "x", "--at", "2026-11-05T11:30").exit_code == 2
    agency.ok("--as", "J005", "rate", rid, "--score", "1", "--at", "2026-11-05T12:00")
    agency.ok("--as", "J005", "followup", rid, "--at", "2026-11-06T09:00")
    agency.ok("--as", "J005", "reopen", rid, "--reason", "证件信息有误", "--at", "2026-11-06T09:10")
    shown = json.loads(agency.ok("show", rid, "--today", "2026-11-06", "--format", "json").stdout)
    assert shown["round"] == 2 and not shown["closed"] and shown["forward_by"] == "2026-11-10"
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-06T10:00")
    data = json.loads(agency.ok("bulletin", "2026Q4", "--format", "json").stdout)
    assert {d["id"]: d["reopened"] for d in data["departments"]}["reception"] == 1


def test_complaints_by_book_and_discipline_office_against_a_department_or_the_agency(agency):
    cid = complaint(agency, "family", "2026-11-02T10:00", "substantiated", "2026-11-03T10:00")
    rec = json.loads(agency.ok("show", cid, "--format", "json").stdout)
    assert rec["events"][-1]["action"] == "verdict"
    out = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    assert [s["badge"] for s in out["staff"]] == ["J013"]                  # the head of 人口家庭科 answers
    r = agency.ok("--as", "J022", "complain", "--against", "agency", "--channel", "jijian", "--summary", "门难进",
                  "--witness", "J006", "--at", "2026-11-04T10:00")
    cid2 = r.output.split("已登记投诉 ")[1].split("（")[0]
    agency.ok("--as", "J022", "verdict", cid2, "--substantiated", "--reason", "属实", "--at", "2026-11-05T10:00")
    out = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    assert "J001" in [s["badge"] for s in out["staff"]]                   # the agency: its principal head
    shown = agency.ok("show", cid2).output
    assert "本机关（示例市政务服务局）" in shown and "见证人 张晓燕（J006）" in shown
    # each event in the clerk's words, with the time as people write it
    assert "2026年11月5日 10:00  结论  韩冰（J022）  结论：查实；理由：属实" in shown, shown
    assert "finding=" not in shown and "2026-11-05" not in shown
    meta = agency.file(f"records/complaints/2026/11/{cid2}.md")
    assert "witnesses:\n- J006" in meta and "channel: jijian" in meta
    agency.ok("--as", "J022", "complain", "--against", "J006", "--channel", "book", "--summary", "x", "--at", "2026-11-04T11:00")
    assert agency.run("--as", "J022", "complain", "--against", "J006", "--channel", "book", "--witness", "J999",
                      "--summary", "x").exit_code == 2
    assert agency.run("--as", "J022", "complain", "--against", "nobody", "--channel", "box", "--summary", "x").exit_code == 2


def test_a_substantiated_complaint_with_no_sanction_is_flagged_then_an_error(agency):
    cid = complaint(agency, "J006", "2026-11-02T10:00", "substantiated", "2026-11-03T10:00")
    probs = json.loads(agency.run("check", "--today", "2026-11-10", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["severity"]) for p in probs if p.get("record") == cid] == [("sanction-missing", "warning")]
    probs = json.loads(agency.run("check", "--today", "2026-11-18", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["severity"]) for p in probs if p.get("record") == cid] == [("sanction-missing", "error")]
    agency.ok("--as", "J001", "sanction", cid, "--staff", "J006", "--measure", "通报批评", "--bonus", "0.2",
              "--at", "2026-11-18T10:00")
    probs = json.loads(agency.run("check", "--today", "2026-11-18", "--format", "json").stdout)["problems"]
    assert not [p for p in probs if p.get("record") == cid]


def test_written_quarterly_reports_are_listed_and_the_missing_named(agency):
    agency.ok("--as", "J013", "report", "family", "--quarter", "2026Q3", "--summary", "本科室首问登记 12 件,均已办结",
              "--at", "2026-09-28T10:00")
    assert agency.run("--as", "J013", "report", "nowhere", "--quarter", "2026Q3", "--summary", "x").exit_code == 2
    assert agency.run("--as", "J013", "report", "family", "--quarter", "2026Q7", "--summary", "x").exit_code == 2
    shown = agency.ok("show", "HB-20260928-J013-001").output
    assert "书面情况汇报" in shown and "人口家庭科" in shown and "2026年第三季度" in shown
    page = agency.ok("bulletin", "2026Q3").stdout
    section = page.split("科室书面情况汇报")[1]
    assert "人口家庭科：2026年9月28日报送" in section
    missing = section.split("未报送书面情况汇报的科室：")[1].split("。")[0]
    assert "综合受理科" in missing and "人口家庭科" not in missing


CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")


def test_the_bulletin_as_a_gongwen_pdf_on_a4(agency, tmp_path):
    from test_bulletin import quarter_of_work
    quarter_of_work(agency)
    html = tmp_path / "q3.html"
    agency.ok("bulletin", "2026Q3", "--gongwen", str(html), "--number", "示政服首问〔2026〕3号",
              "--date", "2026-10-08")
    page = html.read_text(encoding="utf-8")
    body = page.split("<body>")[1]
    order = ["首问责任制办公室文件", "示政服首问〔2026〕3号", "2026年第三季度首问责任制执行情况通报", "各科（室）：",
             "一、总体情况", "2026年10月8日"]
    assert [body.index(x) for x in order] == sorted(body.index(x) for x in order)
    assert "size: A4" in page and "<img" not in body and "依据登记簿提交" in body
    if not CHROMIUM:
        (pytest.fail if os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1" else pytest.skip)("没有找到 chromium")
    pdf = tmp_path / "q3.pdf"
    agency.ok("bulletin", "2026Q3", "--gongwen", str(pdf), "--date", "2026-10-08")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/MediaBox [0 0 594.95996 841.91998]" in data


def test_a_placard_per_window_and_no_board_at_all_for_a_classified_agency(agency, tmp_path):
    out = tmp_path / "placard.html"
    agency.ok("placard", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="placard">') == 6 and "size: A4" in page
    one = tmp_path / "w04.html"
    agency.ok("placard", "--window", "W04", "-o", str(one))
    page = one.read_text(encoding="utf-8")
    assert page.count('<section class="placard">') == 1 and "朱立新" in page and "工号 J014" in page
    assert "0935-2210012" in page and "李明" not in page
    assert agency.run("placard", "--window", "W99", "-o", str(one)).exit_code == 2
    # a window by its Chinese name, or a start of it, as every id the clerk types
    for name in ("4号窗口", "4 号窗口 生育服务", "w04"):
        agency.ok("placard", "--window", name, "-o", str(one))
        assert "朱立新" in one.read_text(encoding="utf-8") and "李明" not in one.read_text(encoding="utf-8")
    r = agency.run("placard", "--window", "9号窗口", "-o", str(one))
    assert r.exit_code == 2 and "没有窗口“9号窗口”" in r.stderr and "您是不是要找" in r.stderr, r.stderr
    # 涉密单位除外: no placard, and the site's board lists nobody
    from shouwen.publish.disclosure import board
    with open(os.path.join(agency.path, "rules", "institution.yml"), "a", encoding="utf-8") as fh:
        fh.write("classified: true\n")
    r = agency.run("placard", "-o", str(out))
    assert r.exit_code == 2 and "涉密" in r.stderr
    from shouwen.publish.pages import Pages
    page = board(Pages(agency.path), load_rules(agency.path), {})
    assert "涉密单位" in page and "李明" not in page and "J005" not in page
    # nor do the department pages or the lobby screen name who sits at which window
    from shouwen.publish.disclosure import dept_page
    from shouwen.publish.lobby import kiosk_pages
    rules = load_rules(agency.path)
    shown = [dept_page(Pages(agency.path), rules, rules.departments["reception"], date(2026, 11, 29)),
             *kiosk_pages(Pages(agency.path), rules).values()]
    assert not [p for p in shown if "李明" in p or "工号 J005" in p]
    assert "1 号窗口" in shown[0]                  # the window itself is still shown


def test_promise_days_count_as_the_service_counts(agency):
    path = os.path.join(agency.path, "rules", "services", "birth-permit.md")
    text = open(path, encoding="utf-8").read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("---\n", "---\nclock: {unit: days}\n", 1))      # this service counts calendar days
    agency.git("commit", "-qam", "再生育审批按自然日计")
    rid = agency.new("2026-11-02T09:00", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    r = agency.run("--as", "J014", "promise", rid, "--days", "11", "--at", "2026-11-02T11:05")
    assert r.exit_code == 2 and "承诺时限 10 天" in r.stderr
    agency.ok("--as", "J014", "promise", rid, "--days", "10", "--at", "2026-11-02T11:10")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["due"] == "2026-11-12"
