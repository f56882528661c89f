"""A clerk who has left (`离职/调离`): `left:` on the roster entry (their last working day). The badge stays
known for every record it is in; nothing new is done by or given to them after that day; their open matters
are handed over to a colleague of their 科室."""
import json
import os
import re
import subprocess
from datetime import date

import pytest

from shouwen.core.rules_schema import STAFF
from shouwen.core.schema import clean
from shouwen.repo.loader import load_rules

from conftest import copy_agency


def _commit_rules(agency, message, edit, verify=True):
    rel = os.path.join(agency.path, "rules/staff.yml")
    with open(rel, encoding="utf-8") as fh:
        text = edit(fh.read())
    with open(rel, "w", encoding="utf-8") as fh:
        fh.write(text)
    env = dict(os.environ, GIT_AUTHOR_NAME="赵文斌", GIT_AUTHOR_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_NAME="赵文斌", GIT_COMMITTER_EMAIL="j003@example.gov.cn")
    return subprocess.run(["git", "-C", agency.path, "commit", "-qa", "-m", message] + ([] if verify else ["--no-verify"]),
                          env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def office(tmp_path_factory, _new_bureau):
    """张晓燕 (J006, reception) registered three matters in October and left on 10-31: A answered, B still open;
    `徐敏` (J012, approvals) accepted C, forwarded to her by `李明`, and left on 11-15 with it open, as did `林国栋` (J017),
    head of the 社会事务科 (its line still names him head: no successor yet). The roster entries
    record it in both forms a clerk writes a day, and the pre-commit hook takes that change."""
    agency = copy_agency(_new_bureau, tmp_path_factory.mktemp("left") / "agency")
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-10-01T09:00:00+08:00", GIT_AUTHOR_DATE="2026-10-01T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify"], env=env, check=True)
    a = agency.new("2026-10-20T09:00", badge="J006")
    agency.ok("--as", "J006", "answer", a, "--answer", "已当场答复", "--at", "2026-10-20T09:20")
    b = agency.new("2026-10-21T09:00", badge="J006")
    c = agency.new("2026-10-22T09:00", badge="J005")
    agency.ok("--as", "J005", "forward", c, "--to", "approvals", "--staff", "J012", "--at", "2026-10-22T10:00")
    agency.ok("--as", "J012", "accept", c, "--at", "2026-10-23T09:00")
    r = _commit_rules(agency, "张晓燕、徐敏离职", lambda t: t.replace(
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff,",
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff, left: 2026年10月31日,").replace(
        "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: staff,",
        "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: staff, left: 2026-11-15,").replace(
        "{badge: J017, name: 林国栋, title: 科长, department: social, role: head,",
        "{badge: J017, name: 林国栋, title: 科长, department: social, role: head, left: 2026-11-15,"))
    agency.hook = r
    agency.ids = {"A": a, "B": b, "C": c}
    return agency


def test_left_is_read_in_both_forms_and_a_wrong_day_is_named():
    problems = []
    got = clean({"staff": [{"badge": "J1", "name": "甲", "left": "2026年10月31日"},
                           {"badge": "J2", "name": "乙", "left": date(2026, 11, 15)},
                           {"badge": "J3", "name": "丙", "left": "2026-02-30"},
                           {"badge": "J4", "name": "丁", "left": "下月"}]}, STAFF, "rules/staff.yml", problems)
    assert [s.get("left") for s in got["staff"]] == [date(2026, 10, 31), date(2026, 11, 15), None, None]
    assert [(p.path, p.field) for p in problems] == [("rules/staff.yml", "staff[2].left"), ("rules/staff.yml", "staff[3].left")]
    assert "2026年2月没有30日" in problems[0].message and "离职" in problems[1].message
    assert not [p for p in problems if "," in p.message or "'" in p.message]
    # still here on the last day, gone from the next (the one test every page, choice, review and writer asks)
    from shouwen.core.departed import still_here
    j1 = got["staff"][0]
    assert [still_here(type("S", (), {"left": j1["left"]}), d) for d in (date(2026, 10, 31), date(2026, 11, 1))] \
        == [True, False]
    # a date YAML reads itself, out of range or with a time: in Chinese, never Python's repr (datetime.date(9999, …))
    from datetime import datetime
    from shouwen.core.rules_schema import POLICY
    problems = []
    clean({"staff": [{"badge": "J5", "name": "戊", "left": date(9999, 12, 31)},
                     {"badge": "J6", "name": "己", "left": datetime(2026, 10, 31, 17, 30)}]}, STAFF, "s", problems)
    clean({"effective": date(9999, 12, 31), "expires": datetime(2027, 1, 1, 8, 0)}, POLICY, "p", problems)
    said = [p.message for p in problems]
    assert len(said) == 4 and not [m for m in said if "datetime" in m or "(" in m], said
    assert "年份应在1900年至2999年之间" in said[0] and "年份应在1900年至2999年之间" in said[2]
    assert "只写日期不写时间" in said[1] and "只写日期不写时间" in said[3]
    assert "离职日期" in said[0] and "2026年10月31日" in said[1]


def test_a_departed_clerk_stays_known_for_every_record(office):
    assert office.hook.returncode == 0, office.hook.stdout + office.hook.stderr   # the hook takes a `left`
    rules = load_rules(office.path, cache=False)
    assert (rules.staff["J006"].left, rules.staff["J012"].left) == (date(2026, 10, 31), date(2026, 11, 15))
    out = json.loads(office.run("check", "--today", "2026-11-29", "--format", "json").stdout)
    assert not [p for p in out["problems"] if p["code"] in ("staff-unknown", "rules-invalid", "field-invalid")]
    shown = office.ok("show", office.ids["A"], "--today", "2026-11-29").output
    assert "张晓燕" in shown


@pytest.mark.parametrize("args, who, day", [
    (("--as", "J006", "note", "B", "--text", "已电话联系", "--at", "2026-11-02T09:00"), "张晓燕（J006）", "2026年10月31日"),
    (("--as", "J006", "new", "--name", "王五", "--phone", "13900000000", "--matter", "咨询", "--at", "2026-11-02T09:00"),
     "张晓燕（J006）", "2026年10月31日"),
    (("--as", "J005", "forward", "B", "--to", "reception", "--staff", "J006", "--at", "2026-11-03T09:00"),
     "张晓燕（J006）", "2026年10月31日"),
    (("--as", "J005", "escalate", "B", "--to", "徐敏", "--reason", "超出权限", "--at", "2026-11-16T09:00"), "徐敏（J012）",
     "2026年11月15日"),
])
def test_the_writer_refuses_an_event_by_or_naming_a_clerk_after_their_last_day(office, args, who, day):
    head = office.head()
    r = office.run(*(office.ids.get(a, a) for a in args))
    assert r.exit_code == 2, r.output
    assert who in r.output and day in r.output and "离职" in r.output and "Traceback" not in r.output
    assert office.head() == head and office.status() == ""


def test_their_last_day_is_still_theirs(office):
    """徐敏 works on 11-15 (her last day): her note on C that day is written."""
    head = office.head()
    r = office.run("--as", "J012", "note", office.ids["C"], "--text", "已移交材料清单", "--at", "2026-11-15T17:00")
    assert r.exit_code == 0, r.output
    assert office.head() != head and "已移交材料清单" in office.git("show", "HEAD")


def test_check_reports_an_event_already_recorded_after_the_last_day(office):
    """A clone that did not have the roster change yet, or a hand edit: `check` names file, record and field."""
    from shouwen.core.record import Record
    from shouwen.core.validate import check_inquiry
    rules = load_rules(office.path, cache=False)
    rid = "20261102-J005-001"
    meta = {"id": rid, "code": "7KQ4MX", "channel": "visit", "first_responder": "J005", "visitor": {"name": "王五"},
            "matter": "咨询", "events": [
                {"at": "2026-11-02T09:00:00+08:00", "by": "J005", "action": "registered"},
                {"at": "2026-11-02T09:10:00+08:00", "by": "J005", "action": "forwarded", "to": "reception", "staff": "J006"},
                {"at": "2026-11-03T09:00:00+08:00", "by": "J006", "action": "accepted"}]}
    path = f"records/inquiries/2026/11/{rid}.md"
    problems = [p for p in check_inquiry(Record(path, meta, ""), rules)[0] if p.code == "staff-left"]
    assert [(p.path, p.record, p.field, p.severity) for p in problems] == [
        (path, rid, "events[1].staff", "error"), (path, rid, "events[2].by", "error")]
    assert "张晓燕（J006）" in problems[1].message and "2026年10月31日" in problems[1].message


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_check_lists_the_open_matters_a_departed_clerk_still_holds(office, cache):
    """B (`张晓燕` registered it, nobody took it on) and C (`徐敏` accepted it) must be handed over; A is closed."""
    out = json.loads(office.run(*cache, "check", "--today", "2026-11-29", "--format", "json").stdout)
    got = {p["record"]: p for p in out["problems"] if p["code"] == "handover-needed" and p["record"]}
    assert sorted(got) == sorted([office.ids["B"], office.ids["C"]])
    assert all(p["severity"] == "warning" and p["path"].startswith("records/inquiries/2026/10/") for p in got.values())
    b, c = got[office.ids["B"]]["message"], got[office.ids["C"]]["message"]
    assert "首问责任人张晓燕（J006）" in b and "2026年10月31日" in b and "综合受理科的同事" in b
    assert "承办人徐敏（J012）" in c and "2026年11月15日" in c and "审核办证科的同事" in c


def test_check_names_the_posts_someone_who_left_still_holds_in_the_rules(office):
    """林国栋 still heads the 社会事务科 in institution.yml, 张晓燕 still sits at window W01: warnings, not errors
    (the roster change that records a departure is committed before the successor is named)."""
    out = json.loads(office.run("check", "--today", "2026-11-29", "--format", "json").stdout)
    posts = [p for p in out["problems"] if p["code"] == "handover-needed" and p["path"] == "rules/institution.yml"]
    assert [p["severity"] for p in posts] == ["warning", "warning"], posts
    said = " ".join(p["message"] for p in posts)
    assert "林国栋（J017）" in said and "负责人" in said and "张晓燕（J006）" in said and "窗口" in said
    assert "2026年11月15日" in said and "2026年10月31日" in said


def test_the_head_of_their_office_has_the_matters_to_hand_over_in_todo(office):
    def todo(badge):
        out = office.ok("todo", "--as", badge, "--today", "2026-11-29", "--format", "json").stdout
        return {m["id"] for m in json.loads(out)}
    b, c = office.ids["B"], office.ids["C"]
    assert b in todo("J004") and c in todo("J009")              # 王芳 heads the reception, 杨志刚 the approvals
    assert b not in todo("J007") and c not in todo("J004")      # a colleague, another 科室's head


def test_reminders_go_to_the_head_of_their_office_instead(office):
    from shouwen.core.reminders import reminders
    from shouwen.repo.index import load_ledger
    rules, day = load_rules(office.path), date(2026, 11, 29)
    sent = reminders(load_ledger(office.path, rules, day), rules, day, 2)
    to_b = [r for r in sent if r.record == office.ids["B"]]      # overdue to be forwarded: to 张晓燕's head
    assert [r.badge for r in to_b] == ["J004"] and "张晓燕（J006）已离职" in to_b[0].text
    assert not [r for r in sent if r.badge in ("J006", "J012")]


def test_the_desk_page_offers_no_one_who_has_left(office):
    from datetime import datetime
    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    for badge in ("J005", "J006"):
        pins.set_pin(office.path, badge, "2468")
    app = create_app(office.path, now=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=CST))
    client = app.test_client()
    page = client.get("/login", base_url="http://127.0.0.1").get_data(as_text=True)
    assert "J005" in page and "J006" not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"badge": "J006", "pin": "2468", "csrf": csrf}, base_url="http://127.0.0.1")
    assert r.status_code == 401
    r = client.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf}, base_url="http://127.0.0.1")
    assert r.status_code == 302
    page = client.get(f"/r/{office.ids['B']}", base_url="http://127.0.0.1").get_data(as_text=True)
    assert 'value="J007"' in page and 'value="J006"' not in page and 'value="J012"' not in page
    stale = app.test_client()          # a page logged in before the roster said she left: back to the login
    with stale.session_transaction(base_url="http://127.0.0.1") as session:
        session["badge"], session["csrf"] = "J006", "x"
    r = stale.get("/", base_url="http://127.0.0.1")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    with stale.session_transaction(base_url="http://127.0.0.1") as session:
        session["badge"] = "J005"            # the same forged session for someone still here opens the page
    assert stale.get("/", base_url="http://127.0.0.1").status_code == 200
    assert office.status() == ""


def test_a_colleague_of_the_same_office_takes_the_matter_over(office):
    """`杨志刚` (J009) heads `徐敏`'s `科室`: he returns C, `李明` sends it to `吴海涛` (J011), who accepts it; `李明` (J005) sends B
    to himself in 张晓燕's 科室 and accepts it. Neither is listed any more."""
    b, c = office.ids["B"], office.ids["C"]
    office.ok("--as", "J009", "return", c, "--reason", "承办人离职，退回重新转办", "--at", "2026-11-20T09:00")
    office.ok("--as", "J005", "forward", c, "--to", "approvals", "--staff", "J011", "--at", "2026-11-20T09:30")
    office.ok("--as", "J011", "accept", c, "--at", "2026-11-20T10:00")
    office.ok("--as", "J005", "forward", b, "--to", "reception", "--staff", "J005", "--at", "2026-11-20T11:00")
    office.ok("--as", "J005", "accept", b, "--at", "2026-11-20T11:10")
    out = json.loads(office.run("check", "--today", "2026-11-29", "--format", "json").stdout)
    assert not [p for p in out["problems"] if p["code"] in ("handover-needed", "staff-left") and p["record"]]


def test_history_and_the_ledger_still_say_who_did_what(office, tmp_path):
    """After she left: the matter's history, `list` and the exported 首问登记簿 name 张晓燕 as who registered A."""
    a = office.ids["A"]
    assert "张晓燕" in office.ok("history", a).output
    assert "张晓燕" in office.ok("list", "--staff", "J006", "--today", "2026-11-29").output
    out = tmp_path / "ledger.csv"
    office.ok("export", "-o", out, "--from", "2026-10-01", "--to", "2026-10-31")
    rows = [r for r in out.read_text(encoding="utf-8-sig").splitlines() if a in r]
    assert rows and "张晓燕" in rows[0]


def test_the_public_board_shows_no_one_after_their_last_day(office):
    """首问责任人公示 (the board, the 科室 pages, the lobby screen): 张晓燕 is on it on 10-31, off it from 11-01; a
    matter she registered still says who registered it."""
    from shouwen.publish import disclosure
    from shouwen.repo.index import load_ledger
    rules = load_rules(office.path)

    def pages(day):
        site = disclosure.generate(office.path, rules, load_ledger(office.path, rules, day), day)
        return {k: v for k, v in site.files.items() if isinstance(v, str) and k.endswith((".md", ".svg"))
                and k.split("/")[0] in ("board", "org", "kiosk", "lobby", "poster", "index.md")}
    before, after = pages(date(2026, 10, 31)), pages(date(2026, 11, 29))
    assert "张晓燕" in before["board/index.md"] and "J006" in before["board/index.md"]
    assert [k for k, v in after.items() if "张晓燕" in v or "J006" in v] == []
    assert "李明" in after["board/index.md"] and "李明" in after["org/reception.md"]
    # 林国栋 headed the 社会事务科 until 11-15 and no successor is named yet: its page, the 机构设置 list and the chart
    # say 负责人：待定 after that day, not his name
    assert all("林国栋" in before[k] for k in ("org/social.md", "org/index.md", "org/org-chart.svg"))
    assert [k for k, v in after.items() if "林国栋" in v or "J017" in v] == []
    assert "| 待定 |" in after["org/social.md"] and "负责人：待定" in after["org/index.md"]
    assert "负责人：待定" in after["org/org-chart.svg"]


def test_the_printed_placard_of_a_window_leaves_out_who_has_left(office, tmp_path):
    out = tmp_path / "placard.html"
    office.ok("placard", "--window", "W01", "-o", out)
    page = out.read_text(encoding="utf-8")
    assert "李明" in page and "张晓燕" not in page


@pytest.mark.parametrize("template", ["bureau", "county", "hotel", "company"])
def test_each_roster_template_says_how_to_record_a_departure(template):
    """The office reads the roster's own comments when someone leaves: keep the line, add `left:`."""
    import shouwen
    path = os.path.join(os.path.dirname(shouwen.__file__), "templates", template, "rules", "staff.yml")
    head = open(path, encoding="utf-8").read().split("\nstaff:")[0]
    assert "left: 2026-10-31" in head and "不要删除" in head and "2026年10月31日" in head


def test_an_escalation_without_to_skips_a_head_who_has_left(office):
    """`罗佳` (J018) escalates on 11-20 without --to: not to `林国栋`, her `科室`'s head who left on 11-15, but up the line."""
    rid = office.new("2026-11-20T09:00", badge="J018")
    office.ok("--as", "J018", "escalate", rid, "--reason", "超出本人权限", "--at", "2026-11-20T09:30")
    shown = json.loads(office.ok("show", rid, "--today", "2026-11-20", "--format", "json").stdout)
    to = [e for e in shown["events"] if e["action"] == "escalated"][0]["to"]
    assert to not in ("J017", "J018") and to in load_rules(office.path).staff


def test_the_hook_refusing_a_removed_badge_says_to_record_left_instead(office):
    """The office deletes 张晓燕's line instead: the refusal names her and says how a departure is recorded."""
    staff = office.file("rules/staff.yml")
    office.write("rules/staff.yml", "\n".join(l for l in staff.split("\n") if "badge: J006" not in l))
    try:
        office.git("add", "rules/staff.yml")
        out = json.loads(office.run("check", "--staged", "--format", "json").stdout)
        said = [p["message"] for p in out["problems"] if p["code"] == "staff-unknown" and p["record"] == office.ids["A"]]
        assert said and "张晓燕（J006）" in said[0] and "left:" in said[0], out
    finally:
        office.git("checkout", "HEAD", "--", "rules/staff.yml")
    assert office.status() == ""


def test_the_hook_takes_a_true_last_day_that_records_already_pass_and_says_to_hand_over(office):
    """徐敏's true last day was 10-22, but the roster was updated late and she accepted C on 10-23: the events are
    in, and can't be corrected. The hook warns (what to do), it does not refuse the roster; `check` reports it."""
    staff = office.file("rules/staff.yml")
    office.write("rules/staff.yml", staff.replace("department: approvals, role: staff, left: 2026-11-15,",
                                                  "department: approvals, role: staff, left: 2026-10-22,"))
    try:
        office.git("add", "rules/staff.yml")
        out = json.loads(office.run("check", "--staged", "--format", "json").stdout)
        said = [p for p in out["problems"] if p["code"] == "staff-left"]
        assert out["ok"] and said and {p["severity"] for p in said} == {"warning"}, out
        assert all(p["record"] == office.ids["C"] and "移交" in p["message"] for p in said), said
    finally:
        office.git("checkout", "HEAD", "--", "rules/staff.yml")
    assert office.status() == ""


def test_new_asks_nothing_of_a_visitor_for_someone_who_has_left(office):
    """`new` without arguments asks the visitor's details: for a badge that left, it says so first, not after."""
    head = office.head()
    r = office.run("--as", "J006", "new", input="王五\n\n\n\n咨询\n\n\n")
    assert r.exit_code == 2 and "发问人姓名" not in r.output and "张晓燕（J006）已于2026年10月31日离职" in r.output
    assert office.head() == head and office.status() == ""


def test_the_audit_still_knows_who_wrote_before_leaving(office):
    """The commits 张晓燕 and 徐敏 made stay theirs: the audit finds no author it cannot place."""
    out = json.loads(office.run("audit", "--format", "json").stdout)
    assert not [p for p in out["problems"] if p["code"] in ("author-mismatch", "staff-unknown", "staff-left")], out


def test_no_inspection_of_someone_after_their_last_day(office):
    """A superior's spot check (`随机检查`) of `张晓燕` dated after she left is refused; one of her last day is not."""
    head = office.head()
    r = office.run("--as", "J004", "inspect", "J006", "--finding", "文明用语：合格", "--at", "2026-11-05T10:00")
    assert r.exit_code == 2 and "张晓燕（J006）已于2026年10月31日离职" in r.output and "被检查" in r.output
    assert office.head() == head and office.status() == ""
    office.ok("--as", "J004", "inspect", "J006", "--finding", "文明用语：合格", "--at", "2026-10-30T10:00")


def test_a_complaint_about_what_someone_did_before_leaving_is_still_taken(office):
    """The visitor complains on 11-10 about how 张晓燕 received him in October: registered against her by name."""
    out = office.ok("--as", "J021", "complain", "--against", "张晓燕", "--inquiry", office.ids["A"], "--channel", "来访",
                    "--summary", "接待态度生硬", "--at", "2026-11-10T10:00", "--format", "json").stdout
    rid = json.loads(out)["id"]
    shown = office.ok("show", rid, "--today", "2026-11-10").output
    assert "张晓燕（J006）" in shown


def test_the_year_end_review_lists_someone_only_in_the_years_they_worked(office):
    def reviewed(year):
        return {r["badge"] for r in json.loads(office.ok("review", year, "--format", "json").stdout)["staff"]}
    assert {"J006", "J012", "J005"} <= reviewed(2026)
    assert "J005" in reviewed(2027) and not {"J006", "J012", "J017"} & reviewed(2027)


def test_a_new_hire_who_shares_a_name_with_one_gone_is_the_one_at_the_desk(agency):
    """`张晓燕` (J006) left; a new `张晓燕` (J030) joined. `--as 张晓燕` is the one still here; while both are
    here the name is refused as meaning two people, with both named."""
    both = lambda t: t.replace(
        "  - {badge: J006, name: 张晓燕,",
        "  - {badge: J030, name: 张晓燕, title: 科员, department: reception, role: staff, emails: [j030@example.gov.cn]}\n"
        "  - {badge: J006, name: 张晓燕,")
    assert _commit_rules(agency, "新人张晓燕入职", both, verify=False).returncode == 0
    r = agency.run("--as", "张晓燕", "todo")
    assert r.exit_code == 2 and "J006" in r.output and "J030" in r.output, r.output
    assert _commit_rules(agency, "张晓燕（J006）离职", lambda t: t.replace(
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff,",
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff, left: 2026-10-31,"),
        verify=False).returncode == 0
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "张晓燕", "note", rid, "--text", "新同事接待", "--at", "2026-11-02T10:00")
    assert "by: J030" in agency.file(agency.git("ls-files", f"records/*{rid}*").strip())
