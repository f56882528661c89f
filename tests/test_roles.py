"""Roles and separation of duties: the writer refuses, `check` reports what slipped in by hand."""
import json
import os
import subprocess

from click.testing import CliRunner

from shouwen.cli import cli
from conftest import Agency


def problems(agency, today="2026-11-20"):
    return json.loads(agency.run("check", "--format", "json", "--today", today).stdout)["problems"]


def complaint(agency, against, by="J024", at="2026-11-03T09:00"):
    out = agency.ok("--as", by, "complain", "--against", against, "--channel", "box", "--summary", "推诿",
                    "--at", at, "--format", "json").stdout
    return json.loads(out)["id"], json.loads(out)["path"]


def hand_append(agency, rel, line):
    """Append one event in the writer's own layout and commit it past the hook, as an insider would."""
    text = agency.file(rel).replace("\n---\n", f"\n  - {line}\n---\n", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    subprocess.run(["git", "-C", agency.path, "commit", "-qa", "--no-verify", "-m", "hand"], check=True)


def test_no_verdict_on_oneself_or_in_ones_own_line(agency):
    cid, rel = complaint(agency, "J022")
    head = agency.head()
    # J022 of 监察室 may give verdicts, but not on a complaint against himself, nor may his head J021
    for judge in ("J022", "J021"):
        r = agency.run("--as", judge, "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
        assert r.exit_code == 2 and "不能对投诉作出结论" in r.stderr and judge in r.stderr, r.output
    assert agency.head() == head and agency.status() == ""
    agency.ok("--as", "J003", "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
    # slipped in by hand: reported by check, naming the record and the event
    cid2, rel2 = complaint(agency, "J022", at="2026-11-05T09:00")
    hand_append(agency, rel2, "{at: 2026-11-06T09:00:00+08:00, by: J022, action: verdict, finding: unfounded, reason: 不实}")
    hits = [p for p in problems(agency) if p["code"] == "conflict-of-interest"]
    assert [(h["record"], h["field"]) for h in hits] == [(cid2, "events[1].by")]


def test_only_the_roles_policy_names_give_verdicts_publish_and_import(agency, tmp_path):
    cid, rel = complaint(agency, "J005")
    r = agency.run("--as", "J006", "verdict", cid, "--substantiated", "--reason", "属实", "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "permissions.verdict" in r.stderr and "张晓燕" in r.stderr
    r = agency.run("--as", "J005", "bulletin", "2026Q3", "--write")
    assert r.exit_code == 2 and "permissions.publish" in r.stderr
    assert not os.path.exists(os.path.join(agency.path, "site/bulletins/2026Q3.md"))
    ledger = tmp_path / "paper.csv"
    ledger.write_text("登记日期,登记时间,发问人姓名,发问事由,被问责任人\n2026-11-02,09:00,王五,咨询,J005\n", encoding="utf-8")
    r = agency.run("--as", "J005", "import", str(ledger))
    assert r.exit_code == 2 and "permissions.import" in r.stderr
    # a verdict by a clerk committed by hand is reported
    hand_append(agency, rel, "{at: 2026-11-04T09:00:00+08:00, by: J006, action: verdict, finding: substantiated, reason: 属实}")
    hits = [p for p in problems(agency) if p["code"] == "role-forbidden"]
    assert [(h["record"], h["field"]) for h in hits] == [(cid, "events[1].by")]
    assert "permissions.verdict" in hits[0]["message"]


def test_a_room_attendant_does_not_inspect_the_general_manager(tmp_path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"])
    assert r.exit_code == 0
    a = Agency(tmp_path / "hotel")
    r = a.run("--as", "H013", "inspect", "H001", "--finding", "主动问候:不合格", "--at", "2026-11-03T10:00")
    assert r.exit_code == 2 and "permissions.inspect" in r.stderr
    # a supervisor, allowed to inspect, still only inspects down the line
    r = a.run("--as", "H007", "inspect", "H004", "--finding", "主动问候:合格", "--at", "2026-11-03T10:00")
    assert r.exit_code == 2 and "上级" in r.stderr
    a.ok("--as", "H004", "inspect", "H007", "--finding", "主动问候:合格", "--at", "2026-11-03T10:00")
    rel = a.git("ls-files", "records/inspections").split()[-1]
    text = a.file(rel).replace("staff: H007", "staff: H001").replace("by: H004", "by: H013")
    with open(os.path.join(a.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    subprocess.run(["git", "-C", a.path, "commit", "-qa", "--no-verify", "-m", "hand"], check=True)
    hits = {p["message"].split(":")[0][:8] for p in problems(a) if p["code"] == "role-forbidden"}
    assert len([p for p in problems(a) if p["code"] == "role-forbidden"]) == 2, hits


def test_a_move_never_moves_the_deductions_decided_before_it(agency):
    """The seed's own measure (调离): J005 leaves the reception (head J004) for 人口家庭科 (head J013)."""
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-10-01T09:00:00+08:00", GIT_AUTHOR_DATE="2026-10-01T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify"], env=env, check=True)

    def substantiated(at, verdict_at):
        cid, _ = complaint(agency, "J005", at=at)
        agency.ok("--as", "J022", "verdict", cid, "--substantiated", "--reason", "属实", "--at", verdict_at)

    substantiated("2026-11-03T09:00", "2026-11-04T09:00")
    rel = "rules/staff.yml"
    text = agency.file(rel).replace("{badge: J005, name: 李明, title: 科员, department: reception",
                                    "{badge: J005, name: 李明, title: 科员, department: family")
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    env = dict(os.environ, GIT_AUTHOR_NAME="赵文斌", GIT_AUTHOR_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_NAME="赵文斌", GIT_COMMITTER_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_DATE="2026-11-10T09:00:00+08:00", GIT_AUTHOR_DATE="2026-11-10T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-qa", "-m", "李明调至人口家庭科"], env=env, check=True)
    substantiated("2026-11-11T09:00", "2026-11-12T09:00")
    heads = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)["heads"]
    assert {h["badge"]: h["bonus_deduction"] for h in heads} == {"J004": 0.05, "J013": 0.1}


def test_no_verdict_on_a_complaint_against_ones_own_department(agency):
    """A department answers by its head: neither the head nor anyone in its line judges the complaint."""
    cid, _ = complaint(agency, "supervision")
    cid2, _ = complaint(agency, "office", at="2026-11-03T10:00")
    head = agency.head()
    r = agency.run("--as", "J022", "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "不能对投诉作出结论" in r.stderr and "谢正平" in r.stderr, r.output
    r = agency.run("--as", "J003", "verdict", cid2, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "不能对投诉作出结论" in r.stderr, r.output
    assert agency.head() == head and agency.status() == ""
    agency.ok("--as", "J022", "verdict", cid2, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")


def test_the_refusal_names_the_allowed_in_chinese_words(agency):
    cid, _ = complaint(agency, "J005")
    r = agency.run("--as", "J006", "verdict", cid, "--substantiated", "--reason", "属实", "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "监察室或办公室" in r.stderr and ";" not in r.stderr, r.stderr
    r = agency.run("--as", "J005", "bulletin", "2026Q3", "--write")      # said once, and never as a bare 错误：
    assert r.exit_code == 2 and r.stderr.count("permissions.publish，") == 1
    assert r.stderr.splitlines()[0].strip() != "错误：", r.stderr


def test_a_broken_roster_accuses_nobody(agency):
    """staff.yml that does not parse is one error; it never makes everyone's past events role-forbidden."""
    cid, _ = complaint(agency, "J005")
    agency.ok("--as", "J022", "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
    with open(os.path.join(agency.path, "rules/staff.yml"), "a", encoding="utf-8") as fh:
        fh.write("staff: [\n")
    codes = [p["code"] for p in problems(agency)]
    assert "yaml-invalid" in codes and "role-forbidden" not in codes and "conflict-of-interest" not in codes, codes


def test_the_agency_head_does_not_rule_on_a_complaint_against_the_agency(tmp_path):
    """S2 第四条: the principal head answers for the agency, so he may not clear it; S2 第七条 sends such a
    complaint to the unit's 纪检监察 (here 质检部), who may."""
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"])
    assert r.exit_code == 0
    a = Agency(tmp_path / "hotel")
    cid, _ = complaint(a, "agency", by="H013")
    r = a.run("--as", "H001", "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "不能对投诉作出结论" in r.stderr and "H001" in r.stderr, r.output
    a.ok("--as", "H003", "verdict", cid, "--unfounded", "--reason", "不实", "--at", "2026-11-04T09:00")


def test_only_the_first_responder_and_the_handling_department_record_the_handling_steps(agency):
    # S2 第六条: the first responder answers for the matter to the end; once a 科室 has accepted it, its promise,
    # completion and delivery are recorded there (or by the first responder), and a return by the 科室 it was sent
    # to. A clerk of a third 科室 (J018, 社会事务科) could record them all, and check and audit said nothing
    rid = agency.new("2026-11-02T09:00", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T09:10")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T10:00")
    steps = [("promise", "--days", "5"), ("complete", "--result", "已办结"), ("deliver", "--method", "窗口领取")]
    for i, (cmd, *args) in enumerate(steps):
        head = agency.head()
        r = agency.run("--as", "J018", cmd, rid, *args, "--at", f"2026-11-03T1{i}:00")
        assert r.exit_code == 2 and "role-forbidden" in r.stderr and rid in r.stderr, (cmd, r.output)
        assert "人口家庭科" in r.stderr and "社会事务科的罗佳（J018）不在其列" in r.stderr and "Traceback" not in r.output
        assert agency.head() == head and agency.status() == ""
        # a clerk of the handling 科室, the office the policy names; the result handed over at the first
        # responder's window by a colleague there (J006, 综合受理科: S2 第六条 取件登记表)
        agency.ok("--as", {"promise": "J015", "complete": "J024", "deliver": "J006"}[cmd], cmd, rid, *args,
                  "--at", f"2026-11-03T1{i}:00")        # J024: 办公室, whom permissions.handle names
    # a return: by the 科室 it was sent to (before or after accepting), never by a third one
    other = agency.new("2026-11-04T09:00")
    agency.ok("--as", "J005", "forward", other, "--to", "family", "--at", "2026-11-04T09:10")
    head = agency.head()
    r = agency.run("--as", "J018", "return", other, "--reason", "非本科职责", "--at", "2026-11-04T10:00")
    assert r.exit_code == 2 and "role-forbidden" in r.stderr and agency.head() == head, r.output
    agency.ok("--as", "J016", "return", other, "--reason", "非本科职责", "--at", "2026-11-04T10:00")
    # slipped in by hand: check and audit name the record and the event
    third = agency.new("2026-11-05T09:00")
    agency.ok("--as", "J005", "forward", third, "--to", "family", "--at", "2026-11-05T09:10")
    agency.ok("--as", "J014", "accept", third, "--at", "2026-11-05T10:00")
    hand_append(agency, f"records/inquiries/2026/11/{third}.md",
                "{at: 2026-11-05T11:00:00+08:00, by: J018, action: completed, result: 已办结}")
    hits = [(p["record"], p["field"]) for p in problems(agency) if p["code"] == "role-forbidden"]
    assert hits == [(third, "events[3].by")], hits
    audit = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p["record"] for p in audit if p["code"] == "role-forbidden"] == [third], audit


def test_a_third_department_can_neither_stop_the_clock_nor_close_or_route_the_matter(agency):
    # the same rule for the other steps of the handling: stopping the clock (补正) stops the deadline, an answer
    # or an explanation closes the matter, a forward, referral or escalation routes it: a clerk of 社会事务科
    # could do each on a matter 人口家庭科 handles (or the first responder still holds)
    rid = agency.new("2026-11-02T09:00", service="birth-permit")
    head = agency.head()
    for cmd, *args in (("answer", "--answer", "已答复"), ("explain", "--reason", "不属本局职责"),
                       ("forward", "--to", "law"), ("escalate", "--to", "J017")):
        r = agency.run("--as", "J018", cmd, rid, *args, "--at", "2026-11-02T09:30")
        assert r.exit_code == 2 and "role-forbidden" in r.stderr and "不在其列" in r.stderr, (cmd, r.output)
        assert agency.head() == head
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T09:40")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "promise", rid, "--days", "5", "--at", "2026-11-02T10:10")
    head = agency.head()
    r = agency.run("--as", "J018", "suspend", rid, "--reason", "补正材料", "--at", "2026-11-03T09:00")
    assert r.exit_code == 2 and "role-forbidden" in r.stderr and agency.head() == head
    agency.ok("--as", "J015", "suspend", rid, "--reason", "补正材料", "--at", "2026-11-03T09:00")
    head = agency.head()
    r = agency.run("--as", "J018", "resume", rid, "--at", "2026-11-04T09:00")
    assert r.exit_code == 2 and "role-forbidden" in r.stderr and agency.head() == head
    agency.ok("--as", "J005", "resume", rid, "--at", "2026-11-04T09:00")
