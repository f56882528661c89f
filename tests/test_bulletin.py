"""Quarterly assessment and bulletins, the year-end review and the city's roll-up."""
import json
import os
import subprocess
import shutil

from click.testing import CliRunner

from shouwen.cli import cli
from conftest import Agency
from test_accountability import complaint


def quarter_of_work(a):
    """A small third quarter: answered, forwarded and completed matters, a bad rating, a complaint,
    a commendation and an inspection."""
    r1 = a.new("2026-07-06T09:00")
    a.ok("--as", "J005", "answer", r1, "--answer", "已答复", "--at", "2026-07-06T09:10")
    a.ok("--as", "J005", "rate", r1, "--score", "5", "--at", "2026-07-06T09:20")
    r2 = a.new("2026-07-07T09:00", service="birth-permit")
    a.ok("--as", "J005", "forward", r2, "--to", "family", "--staff", "J014", "--at", "2026-07-07T10:00")
    a.ok("--as", "J014", "accept", r2, "--at", "2026-07-08T09:00")
    a.ok("--as", "J014", "promise", r2, "--due", "2026-07-15", "--at", "2026-07-08T09:10")
    a.ok("--as", "J014", "complete", r2, "--result", "准予", "--at", "2026-07-14T16:00")
    a.ok("--as", "J014", "deliver", r2, "--method", "窗口领取", "--at", "2026-07-15T10:00")
    a.ok("--as", "J005", "rate", r2, "--score", "2", "--at", "2026-07-15T10:10")
    r3 = a.new("2026-08-03T09:00", badge="J006")
    a.ok("--as", "J006", "forward", r3, "--to", "social", "--at", "2026-08-10T10:00")      # late
    complaint(a, "J006", "2026-08-12T10:00", "substantiated", "2026-08-20T10:00")
    a.ok("--as", "J004", "commend", "J005", "--note", "耐心细致", "--at", "2026-09-01T10:00")
    a.ok("--as", "J004", "inspect", "J006", "--finding", "文明用语:不合格", "--at", "2026-09-02T10:00")
    return r1, r2, r3


def test_bulletin_figures_json_and_reproducible_from_its_commit(agency):
    quarter_of_work(agency)
    data = json.loads(agency.ok("bulletin", "2026Q3", "--format", "json").stdout)
    assert data["quarter"] == "2026Q3" and len(data["commit"]) == 40
    d = {x["id"]: x for x in data["departments"]}
    rec = d["reception"]
    assert (rec["registered"], rec["answered"], rec["forwarded"], rec["forwarded_on_time"]) == (3, 1, 2, 1)
    assert (rec["completed"], rec["completed_on_time"], rec["complaints"], rec["substantiated"]) == (1, 1, 1, 1)
    assert rec["satisfaction"] == 3.5 and rec["ratings"]["2"] == 1 and rec["commendations"] == 1
    assert rec["inspection_failed"] == 1 and 0 < rec["score"] < 100
    # only departments with matters of their own are ranked; the others follow, unranked
    assert [(x["id"], x["rank"]) for x in data["departments"] if x["ranked"]] == [("reception", 1)]
    assert {x["rank"] for x in data["departments"] if not x["ranked"]} == {None}
    assert {x["score"] for x in data["departments"] if not x["ranked"]} == {None}
    assert data["criticised"][0]["badge"] == "J006"
    # --write commits the page and its charts, naming the commit it was computed from
    head = agency.head()
    agency.ok("--as", "J003", "bulletin", "2026Q3", "--write")
    page = agency.file("site/bulletins/2026Q3.md")
    assert head in page and "## 二、各科室考核结果" in page and "李明" in page
    for chart in ("score", "ontime", "satisfaction"):
        svg = agency.file(f"site/bulletins/2026Q3-{chart}.svg")
        assert svg.startswith("<svg") and "<script" not in svg
    assert agency.status() == ""
    # later records, even ones dated back into the quarter, don't change the published bulletin
    agency.new("2026-09-29T09:00", badge="J007")
    assert agency.ok("bulletin", "2026Q3", "--at", head).stdout == page
    assert agency.ok("bulletin", "2026Q3").stdout != page
    assert agency.run("--as", "J003", "bulletin", "2026Q3", "--write").exit_code == 2      # published once
    assert agency.run("bulletin", "2026Q5").exit_code == 2
    assert agency.run("bulletin", "2026Q3", "--at", "nosuchcommit").exit_code == 2
    # the committed bulletin is part of the public site, newest first
    out = agency.path + "/public"
    agency.ok("site", "build", "-o", out)
    assert "2026年第三季度" in open(os.path.join(out, "bulletins", "index.html"), encoding="utf-8").read()
    assert os.path.exists(os.path.join(out, "bulletins", "2026Q3-score.svg"))


def test_review_and_rollup(agency, tmp_path):
    quarter_of_work(agency)
    complaint(agency, "J006", "2026-10-12T10:00", "substantiated", "2026-10-20T10:00")
    rows = {r["badge"]: r for r in json.loads(agency.ok("review", "2026", "--format", "json").stdout)["staff"]}
    assert rows["J006"]["substantiated"] == 2 and "不称职" in rows["J006"]["bars"]
    assert rows["J006"]["excellent_allowed"] is False and rows["J005"]["excellent_allowed"] is True
    assert rows["J005"]["quarters"]["Q3"] is not None and rows["J005"]["quarters"]["Q1"] is None
    # each consequence said once, in words (it printed "不得评为优秀、不称职,不得评为优秀")
    line = next(x for x in agency.ok("review", "2026").output.splitlines() if "J006" in x)
    assert "年度考核评为不称职" in line and line.count("不得评为优秀") == 0 and line.count("不称职") == 1
    assert "第一季度 —" in line and "Q1" not in line, line                  # the quarters in words
    other = tmp_path / "other"
    CliRunner().invoke(cli, ["init", str(other)])
    b = Agency(other)
    b.new("2026-07-08T09:00")
    files = []
    for name, ag in (("a.json", agency), ("b.json", b)):
        path = tmp_path / name
        path.write_text(ag.ok("bulletin", "2026Q3", "--format", "json").stdout, encoding="utf-8")
        files.append(str(path))
    out = json.loads(CliRunner().invoke(cli, ["rollup", *files, "--format", "json"]).stdout)
    assert out["quarter"] == "2026Q3" and len(out["agencies"]) == 2
    assert out["total"]["registered"] == 4 and out["total"]["substantiated"] == 1
    text = CliRunner().invoke(cli, ["rollup", *files]).output
    assert "None" not in text and "满意度 —" in text                    # the other agency has no rating
    assert text.startswith("2026年第三季度首问责任制执行情况汇总"), text      # the quarter as people read it
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    r = CliRunner().invoke(cli, ["rollup", files[0], str(bad)])
    assert r.exit_code == 2 and "bad.json" in r.output


def test_a_bulletin_mid_quarter_counts_nothing_overdue_before_its_due_date(agency):
    rid = agency.new("2026-11-02T09:00", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    agency.ok("--as", "J014", "promise", rid, "--due", "2026-11-16", "--at", "2026-11-02T11:10")
    mid = json.loads(agency.ok("bulletin", "2026Q4", "--today", "2026-11-16", "--format", "json").stdout)
    assert mid["as_of"] == "2026-11-16" and mid["total"]["overdue_open"] == 0
    page = agency.ok("bulletin", "2026Q4", "--today", "2026-11-16").stdout
    assert "数据截至2026年11月16日（本季度尚未结束）" in page and "shouwen" not in page
    late = json.loads(agency.ok("bulletin", "2026Q4", "--today", "2026-11-17", "--format", "json").stdout)
    assert late["total"]["overdue_open"] == 1
    # the departments with no matters of their own are listed apart, with no rank and no score
    ranked = [d["id"] for d in late["departments"] if d["rank"] is not None]
    assert ranked == ["reception"] and "本季度没有首问登记、不参加排名的科室" in page
    assert agency.run("--as", "J003", "bulletin", "2026Q4", "--today", "2026-11-17", "--write").exit_code == 2


def test_a_bulletin_mid_quarter_holds_no_finding_against_a_deadline_still_to_come(agency):
    """制度落实 counts the matters with a deadline finding: one whose deadline had not passed on the bulletin's
    day is not yet a finding, even if the ledger now knows it was missed later."""
    late = agency.new("2026-11-16T09:00")                      # to be forwarded by 2026-11-18
    agency.ok("--as", "J005", "forward", late, "--to", "family", "--at", "2026-11-20T09:00")
    fine = agency.new("2026-11-16T10:00")
    agency.ok("--as", "J005", "answer", fine, "--answer", "已答复", "--at", "2026-11-16T10:05")

    def system(day):
        out = json.loads(agency.ok("bulletin", "2026Q4", "--today", day, "--format", "json").stdout)
        return {d["id"]: d["items"]["制度落实"] for d in out["departments"] if d["rank"] is not None}["reception"]
    assert system("2026-11-17") == 100.0
    assert system("2026-11-20") == 50.0
    # a bad rating followed up after the bulletin's day was not yet followed up on it
    agency.ok("--as", "J005", "rate", fine, "--score", "1", "--at", "2026-11-16T10:10")
    agency.ok("--as", "J005", "followup", fine, "--at", "2026-11-19T10:00")
    followed = {day: json.loads(agency.ok("bulletin", "2026Q4", "--today", day, "--format", "json").stdout)["total"]
                ["bad_followed_up"] for day in ("2026-11-17", "2026-11-20")}
    assert followed == {"2026-11-17": 0, "2026-11-20": 1}


def test_an_item_without_data_never_outscores_doing_the_work(agency):
    from shouwen.core.assessment import Figures, fill_missing, score
    weights = {"制度落实": 0.2, "登记": 0.2, "接待态度": 0.2, "办事效果": 0.2, "满意度": 0.2}
    rated = Figures("a", "甲科", registered=4, forwarded=2, forwarded_on_time=2, rated=2, rating_sum=8)
    silent = Figures("b", "乙科", registered=4, forwarded=2, forwarded_on_time=2)          # nobody rated it
    idle = Figures("c", "丙科", complaints=1, substantiated=1)                             # no matters at all
    for f in (rated, silent, idle):
        score(f, weights)
    fill_missing([rated, silent, idle], weights)
    assert silent.score <= rated.score and "满意度" not in silent.items
    assert not idle.ranked


LATE_EXTENSION = """\
---
id: 20261102-J005-001
code: K7MQ2X
channel: visit
first_responder: J005
visitor:
  name: 张三
  phone: '13800000000'
matter: 咨询事项
service: birth-permit
events:
  - {at: 2026-11-02T09:00:00+08:00, by: J005, action: registered}
  - {at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}
  - {at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}
  - {at: 2026-11-02T11:10:00+08:00, by: J014, action: promised, due: 2026-11-10}
  - {at: 2026-11-12T09:00:00+08:00, by: J014, action: extended, due: 2026-11-20, reason: 需入户核实, approver: J013}
---
"""
ANSWERED_LATER = """\
---
id: 20261106-J005-001
code: P4WN8D
channel: visit
first_responder: J005
visitor:
  name: 李四
  phone: '13900000000'
matter: 咨询事项
events:
  - {at: 2026-11-06T09:30:00+08:00, by: J005, action: registered}
  - {at: 2026-11-09T09:00:00+08:00, by: J005, action: answered, answer: 已答复}
---
"""


def test_a_bulletin_mid_quarter_says_what_it_would_have_said_on_its_day(agency, monkeypatch):
    """Every figure of a bulletin as of a day is judged from the records' events up to that day: an extension
    entered late (after the due date it extends) is a finding only from the day it was entered, a matter
    answered after the bulletin's day was not yet answered on it. The index, and the kept sums patched for a
    new commit, give what no cache gives."""
    from shouwen.repo import index
    from test_index import _no_index
    late = "records/inquiries/2026/11/20261102-J005-001.md"
    agency.write(late, LATE_EXTENSION.replace(LATE_EXTENSION.splitlines()[-2] + "\n", ""))
    agency.write("records/inquiries/2026/11/20261106-J005-001.md", ANSWERED_LATER)
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "two matters, typed in")

    def bulletin(day, no_cache=False):
        with monkeypatch.context() as m:
            if no_cache:
                m.setenv("SHOUWEN_NO_CACHE", "1")
            else:
                m.delenv("SHOUWEN_NO_CACHE", raising=False)
            return json.loads(agency.ok("bulletin", "2026Q4", "--today", day, "--format", "json").stdout)

    def reception(out):
        return next(d for d in out["departments"] if d["id"] == "reception")
    days = ("2026-11-08", "2026-11-12")
    for day in days:
        assert bulletin(day) == bulletin(day, no_cache=True)         # the sums kept for this commit
    agency.write(late, LATE_EXTENSION)                                # the extension, entered late
    agency.git("commit", "-q", "--no-verify", "-am", "the extension")
    with monkeypatch.context() as m:                                  # only the kept sums, patched, can answer
        m.setattr(index, "load_ledger", _no_index)
        before, after = (bulletin(day) for day in days)
    assert reception(before)["items"]["制度落实"] == 100.0, reception(before)
    assert before["total"]["answered"] == 0 and before["total"]["registered"] == 2
    assert reception(after)["items"]["制度落实"] == 50.0 and after["total"]["answered"] == 1
    assert (before, after) == tuple(bulletin(day, no_cache=True) for day in days)
    kept = os.path.join(agency.path, ".shouwen", "index")               # the answers and sums let go: the index
    shutil.rmtree(os.path.join(kept, "answers"))
    for name in os.listdir(kept):
        if name.startswith(("quarter-", "ledger-")):
            os.unlink(os.path.join(kept, name))
    for day in days:            # the whole records judged on those days: taken only where no event is after it
        monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
        assert agency.run("check", "--today", day).exit_code == 1
    assert (before, after) == tuple(bulletin(day) for day in days)


def test_the_citys_copy_and_the_gongwen_carry_no_complainants_name(agency, tmp_path, monkeypatch):
    """A sanction's 文号 typed with a complainant's name went out of the agency in the city's JSON and in the
    gongwen, as typed; now both are refused as --write is, naming the record and the field, never the value. The
    values kept and patched for a new record find what the ledger read anew finds."""
    monkeypatch.delenv("SHOUWEN_NO_CACHE", raising=False)
    cid = complaint(agency, "J006", "2026-08-12T10:00", "substantiated", "2026-08-20T10:00")
    agency.ok("--as", "J001", "sanction", cid, "--staff", "J006", "--measure", "通报批评", "--decision",
              "钱多多同志投诉一案", "--at", "2026-08-25T10:00")
    assert agency.run("bulletin", "2026Q3", "--format", "json").exit_code == 0     # names no one in the ledger
    from shouwen.publish import guard_values
    sizes, table = [], guard_values.table
    monkeypatch.setattr(guard_values, "table", lambda entries, rules: sizes.append(len(entries)) or table(entries, rules))
    agency.new("2026-10-08T09:00")
    assert agency.run("bulletin", "2026Q3", "--format", "json").exit_code == 0
    assert sizes == [1]     # found clean before: only the new record's values are looked up
    # the rules say what is personal (a staff member's name is not): under other rules the verdict is not taken
    from shouwen.cli import bulletin_guard
    followed = []
    staff = os.path.join(agency.path, "rules", "staff.yml")
    with open(staff, "a", encoding="utf-8") as fh:
        fh.write("# 人员名单于十月核对\n")
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", "核对名单"], check=True)
    with monkeypatch.context() as m:
        m.setattr(bulletin_guard, "_clean_since", lambda *a: followed.append(a) or True)
        assert agency.run("bulletin", "2026Q3", "--format", "json").exit_code == 0
    assert followed == []
    out = agency.ok("--as", "J022", "complain", "--against", "J007", "--channel", "hotline", "--summary", "态度生硬",
                    "--name", "钱多多", "--phone", "13700000000", "--at", "2026-10-09T10:00").output
    other = out.split("已登记投诉 ")[1].split("（")[0]
    gongwen = tmp_path / "通报.html"
    for args in (["--format", "json"], ["--gongwen", str(gongwen)]):
        r = agency.run("bulletin", "2026Q3", *args)
        assert r.exit_code == 2 and "pii-leak" in r.output and other in r.output and "投诉人姓名" in r.output, r.output
        assert "钱多多" not in r.output
        monkeypatch.setenv("SHOUWEN_NO_CACHE", "1")
        assert agency.run("bulletin", "2026Q3", *args).output == r.output
        monkeypatch.delenv("SHOUWEN_NO_CACHE")
    assert not gongwen.exists()


def test_the_gongwens_own_lines_carry_no_complainants_name(agency, tmp_path):
    """The 公文's 发文字号 and 主送 are typed for it and printed in it: they are looked at as the sanction texts are."""
    agency.ok("--as", "J022", "complain", "--against", "J007", "--channel", "hotline", "--summary", "态度生硬",
              "--name", "钱多多", "--phone", "13700000000", "--at", "2026-10-09T10:00")
    out = tmp_path / "通报.html"
    r = agency.run("bulletin", "2026Q3", "--gongwen", str(out), "--to", "钱多多同志")
    assert r.exit_code == 2 and "pii-leak" in r.output and "投诉人姓名" in r.output and "钱多多" not in r.output, r.output
    assert not out.exists()
    assert agency.run("bulletin", "2026Q3", "--gongwen", str(out)).exit_code == 0 and out.exists()
