"""Who held which post is read from rules/ as it stood on the event's day (the roster in time): a move
(调离) never changes a past escalation's target, the department a past matter was handled in, nor the
department a quarter's figures count a clerk's matters for."""
import json
import os
import subprocess


def _commit_rules(agency, when, message, edit, files=("rules/staff.yml",)):
    for rel in files:
        text = edit(agency.file(rel))
        with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
            fh.write(text)
    env = dict(os.environ, GIT_AUTHOR_NAME="赵文斌", GIT_AUTHOR_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_NAME="赵文斌", GIT_COMMITTER_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_DATE=when, GIT_AUTHOR_DATE=when)
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qa", "-m", message], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _date_init(agency):
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-10-01T09:00:00+08:00", GIT_AUTHOR_DATE="2026-10-01T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify"], env=env, check=True)


def test_a_move_never_changes_a_past_escalation_target(agency):
    """王芳 (J004) heads the reception until 11-10, when she moves to the 法规科 and 黄丽 (J010) takes the post.
    An escalation entered afterwards for 11-03 (补录) goes to whoever held the post on 11-03."""
    _date_init(agency)
    before = agency.new("2026-11-03T09:00")
    agency.ok("--as", "J005", "escalate", before, "--reason", "超出本人权限", "--at", "2026-11-03T09:30")

    def move(text):
        text = text.replace("{badge: J004, name: 王芳, title: 科长, department: reception, role: head",
                            "{badge: J004, name: 王芳, title: 科员, department: law, role: staff")
        return text.replace("{badge: J010, name: 黄丽, title: 副科长, department: approvals, role: staff",
                            "{badge: J010, name: 黄丽, title: 科长, department: reception, role: head")
    _commit_rules(agency, "2026-11-10T09:00:00+08:00", "王芳调至法规科，黄丽任综合受理科科长",
                  lambda t: move(t).replace("head: J004", "head: J010"), ("rules/staff.yml", "rules/institution.yml"))

    # entered late, dated before the move: to the head of that day
    late = agency.new("2026-11-04T09:00")
    agency.ok("--as", "J005", "escalate", late, "--reason", "超出本人权限", "--at", "2026-11-04T09:30")
    # after the move: to the new head
    now = agency.new("2026-11-11T09:00")
    agency.ok("--as", "J005", "escalate", now, "--reason", "超出本人权限", "--at", "2026-11-11T09:30")
    targets = {}
    for rid in (before, late, now):
        shown = json.loads(agency.ok("show", rid, "--today", "2026-11-11", "--format", "json").stdout)
        targets[rid] = [e for e in shown["events"] if e["action"] == "escalated"][0]["to"]
    assert targets == {before: "J004", late: "J004", now: "J010"}

    # the matters escalated before the move were handled in the reception, whatever J004 does now
    listed = agency.ok("list", "--department", "reception", "--today", "2026-11-11", "--format", "json").stdout
    ids = {r["id"] for r in json.loads(listed)}
    assert {before, late, now} <= ids


def test_a_quarter_counts_a_clerks_matters_for_the_department_he_was_in(agency):
    """李明 (J005) registers in the reception in November, then moves to 人口家庭科 on 12-01: the fourth
    quarter still counts his November matters for the reception."""
    _date_init(agency)
    rid = agency.new("2026-11-03T09:00")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已当场答复", "--at", "2026-11-03T09:20")
    _commit_rules(agency, "2026-12-01T09:00:00+08:00", "李明调至人口家庭科",
                  lambda t: t.replace("{badge: J005, name: 李明, title: 科员, department: reception",
                                      "{badge: J005, name: 李明, title: 科员, department: family"))
    out = json.loads(agency.ok("bulletin", "2026Q4", "--today", "2026-12-31", "--format", "json").stdout)
    registered = {d["id"]: d["registered"] for d in out["departments"]}
    assert registered.get("reception") == 1 and registered.get("family", 0) == 0


def test_the_writer_judges_a_late_entry_by_the_roster_of_its_day(agency):
    """王芳 (J004) headed the reception until 11-10: her inspection of 李明 on 11-05, entered afterwards, is
    hers to make; one dated after her move is refused, and `check` agrees with both."""
    _date_init(agency)
    _commit_rules(agency, "2026-11-10T09:00:00+08:00", "王芳调至法规科",
                  lambda t: t.replace("{badge: J004, name: 王芳, title: 科长, department: reception, role: head",
                                      "{badge: J004, name: 王芳, title: 科员, department: law, role: staff"))
    ok = agency.run("--as", "J004", "inspect", "J005", "--finding", "文明用语：合格", "--at", "2026-11-05T10:00")
    assert ok.exit_code == 0, ok.output
    refused = agency.run("--as", "J004", "inspect", "J005", "--finding", "文明用语：合格", "--at", "2026-11-12T10:00")
    assert refused.exit_code == 2 and "检查" in refused.stderr
    probs = json.loads(agency.run("check", "--today", "2026-11-12", "--format", "json").stdout)["problems"]
    assert [p for p in probs if p["code"] == "role-forbidden"] == []


def test_a_department_answers_by_the_head_it_had_on_the_verdicts_day(agency):
    """A substantiated complaint against the reception (verdict 11-05) falls on 王芳, its head then; after
    黄丽 takes the post on 11-10, it is still 王芳's, and a later one is 黄丽's."""
    from test_accountability import complaint
    _date_init(agency)
    complaint(agency, "reception", "2026-11-03T09:00", "substantiated", "2026-11-05T09:00")

    def move(text):
        return text.replace("{badge: J004, name: 王芳, title: 科长, department: reception, role: head",
                            "{badge: J004, name: 王芳, title: 科员, department: law, role: staff").replace(
            "{badge: J010, name: 黄丽, title: 副科长, department: approvals, role: staff",
            "{badge: J010, name: 黄丽, title: 科长, department: reception, role: head").replace("head: J004", "head: J010")
    _commit_rules(agency, "2026-11-10T09:00:00+08:00", "黄丽任综合受理科科长", move,
                  ("rules/staff.yml", "rules/institution.yml"))
    complaint(agency, "reception", "2026-11-11T09:00", "substantiated", "2026-11-12T09:00")
    out = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    people = {p["badge"]: p for p in out["staff"]}
    assert set(people) == {"J004", "J010"}, out
