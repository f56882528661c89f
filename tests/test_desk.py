"""The desk's commands, driven through the CLI against a real Git repository."""
import json
import subprocess
import sys


def test_whole_lifecycle_one_commit_per_step_by_the_acting_person(agency):
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    assert rid == "20261102-J005-001"
    start = agency.head()
    steps = [
        ("J005", "notify", []),
        ("J005", "forward", ["--to", "family", "--staff", "J014"]),
        ("J014", "accept", []),
        ("J014", "promise", ["--days", "8"]),
        ("J005", "followup", ["--note", "电话询问进度"]),
        ("J014", "complete", ["--result", "准予再生育"]),
        ("J014", "deliver", ["--method", "窗口领取", "--to", "本人"]),
        ("J005", "rate", ["--score", "5"]),
    ]
    for i, (badge, cmd, extra) in enumerate(steps):
        agency.ok("--as", badge, cmd, rid, *extra, "--at", f"2026-11-{3 + i:02d}T10:00")
    hashes = agency.git("log", "--format=%H", f"{start}..HEAD").split()
    assert len(hashes) == len(steps)                   # one commit per change
    shown_commits = [agency.git("show", "-s", "--format=%an%n%s%n%b", h).strip().split("\n") for h in reversed(hashes)]
    assert [c[0] for c in shown_commits] == ["李明", "李明", "朱立新", "朱立新", "李明", "朱立新", "朱立新", "李明"]
    assert shown_commits[-1][1] == f"评价 {rid}"          # a Chinese subject line
    assert shown_commits[2][1] == f"签收受理 {rid}"
    for c, (_, cmd, _) in zip(shown_commits, steps):
        assert f"Shouwen-Record: {rid}" in c
        assert any(line.startswith("Shouwen-Action: ") for line in c)
    assert "Shouwen-Action: accepted" in shown_commits[2]
    for h in agency.git("log", "--format=%H", f"{start}..HEAD").split():
        files = agency.git("show", "--name-only", "--format=", h).split()
        assert files == [f"records/inquiries/2026/11/{rid}.md"]   # that one file alone
    shown = json.loads(agency.ok("show", rid, "--format", "json", "--today", "2026-11-20").stdout)
    assert shown["id"] == rid and shown["first_responder"] == "J005" and shown["handler"] == "J014"
    assert shown["stage"] == "delivered" and shown["closed"] is True and shown["overdue"] is False
    assert shown["due"] == "2026-11-17"                # 8 working days after acceptance on 11-05
    assert [e["action"] for e in shown["events"]][:3] == ["registered", "notified", "forwarded"]
    assert shown["events"][1]["materials"][:2] == ["再生育申请表", "夫妻双方身份证"]   # the service's list
    assert agency.status() == ""


def test_promise_days_count_from_acceptance_in_working_days(agency):
    rid = agency.new("2026-09-29T09:00", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-09-29T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-09-30T09:00")
    agency.ok("--as", "J014", "promise", rid, "--days", "3", "--at", "2026-09-30T09:10")
    shown = json.loads(agency.ok("show", rid, "--format", "json", "--today", "2026-10-01").stdout)
    assert shown["due"] == "2026-10-10"               # 10-08, 10-09, then the make-up Saturday
    assert shown["handler"] == "J014" and shown["handler_department"] == "family"


def test_ids_count_per_badge_per_day(agency):
    a = agency.new("2026-11-02T09:00")
    b = agency.new("2026-11-02T09:05")
    c = agency.new("2026-11-02T09:10", badge="J006")
    d = agency.new("2026-11-03T09:00")
    assert (a, b, c, d) == ("20261102-J005-001", "20261102-J005-002", "20261102-J006-001", "20261103-J005-001")


def test_identity_from_git_email(agency):
    agency.git("config", "user.email", "j007@example.gov.cn")
    r = agency.ok("new", "--name", "王五", "--matter", "咨询", "--at", "2026-11-02T09:00")
    assert "20261102-J007-001" in r.stdout


def test_interactive_new_asks_each_field_and_offers_services(agency):
    answers = "赵六\n13900000000\n\n示例市东大街1号\n咨询生育登记\nvisit\n4\n"
    r = agency.ok("--as", "J006", "new", input=answers)
    assert " 4. 生育登记（即办件" in r.output
    rid = [w for w in r.stdout.split() if w.startswith("2026")][0]
    text = agency.file(f"records/inquiries/{rid[:4]}/{rid[4:6]}/{rid}.md")
    assert "name: 赵六" in text and "service: birth-registration" in text and "organization" not in text


def test_list_filters_and_todo_order(agency):
    a = agency.new("2026-11-02T09:00", service="birth-permit")
    b = agency.new("2026-11-03T09:00", service="info-disclosure")
    c = agency.new("2026-11-04T09:00")
    agency.ok("--as", "J005", "answer", c, "--answer", "已答复", "--at", "2026-11-04T09:10")
    agency.ok("--as", "J005", "forward", a, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", a, "--at", "2026-11-02T11:00")
    agency.ok("--as", "J014", "promise", a, "--due", "2026-11-06", "--at", "2026-11-02T11:10")
    open_ids = json.loads(agency.ok("list", "--status", "open", "--today", "2026-11-05", "--format", "json").stdout)
    assert {r["id"] for r in open_ids} == {a, b}
    closed = json.loads(agency.ok("list", "--status", "closed", "--format", "json").stdout)
    assert [r["id"] for r in closed] == [c]
    fam = json.loads(agency.ok("list", "--department", "family", "--format", "json").stdout)
    assert [r["id"] for r in fam] == [a]
    overdue = json.loads(agency.ok("list", "--overdue", "--today", "2026-11-09", "--format", "json").stdout)
    assert [r["id"] for r in overdue] == [a, b]     # a's promise passed on 11-06; b was to be forwarded by 11-05
    ranged = json.loads(agency.ok("list", "--from", "2026-11-03", "--to", "2026-11-03", "--format", "json").stdout)
    assert [r["id"] for r in ranged] == [b]
    # J005's worklist: b must be forwarded by 11-05, a is due 11-06; soonest first
    todo = json.loads(agency.ok("--as", "J005", "todo", "--today", "2026-11-04", "--format", "json").stdout)
    assert [(r["id"], r["next_deadline"]) for r in todo] == [(b, "2026-11-05"), (a, "2026-11-06")]
    mine = json.loads(agency.ok("--as", "J014", "todo", "--today", "2026-11-04", "--format", "json").stdout)
    assert [r["id"] for r in mine] == [a]


def test_receipt_and_pickup_sheet(agency):
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    agency.ok("--as", "J014", "promise", rid, "--due", "2026-11-10", "--at", "2026-11-02T11:10")
    html = agency.ok("receipt", rid).stdout
    code = agency.file(f"records/inquiries/2026/11/{rid}.md").split("code: ")[1].split()[0]
    for needed in ("收件回执", rid, code, "2026年11月10日", "0935-2210012", "再生育审批", "李明"):
        assert needed in html
    assert agency.run("receipt", rid, "--pickup").exit_code == 2      # not completed yet
    agency.ok("--as", "J014", "complete", rid, "--result", "准予再生育", "--at", "2026-11-05T10:00")
    sheet = agency.ok("receipt", rid, "--pickup").stdout
    assert "取件登记表" in sheet and "准予再生育" in sheet and "领取人签名" in sheet


def test_escalate_follows_the_policy_chain(agency):
    """The bureau's chain is staff → head → deputy → director: 科员, 科长, 副局长, then 局长 (the head above)."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "escalate", rid, "--reason", "超出权限", "--at", "2026-11-02T09:40")
    shown = json.loads(agency.ok("show", rid, "--format", "json").stdout)
    assert shown["handler"] == "J004" and shown["stage"] == "escalated"
    agency.ok("--as", "J004", "escalate", rid, "--at", "2026-11-02T09:50")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["handler"] == "J002"
    agency.ok("--as", "J002", "escalate", rid, "--at", "2026-11-02T10:00")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["handler"] == "J001"


def test_return_and_reforward(agency):
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "law", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J020", "return", rid, "--reason", "非本科室职责", "--at", "2026-11-02T11:00")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["handler"] == "J005"
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T11:30")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T14:00")


def test_console_script_and_module_entry(agency):
    import os
    script = os.path.join(os.path.dirname(sys.executable), "shouwen")   # installed beside this Python
    for cmd in ([script], [sys.executable, "-m", "shouwen"]):
        r = subprocess.run([*cmd, "--repo", agency.path, "check", "--format", "json"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["ok"] is True


def test_list_gives_a_closed_matters_follow_up_date_as_todo_does(agency):
    """A matter closed with a bad rating is listed with why, and the date its follow-up is due, in both."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    agency.ok("--as", "J005", "rate", rid, "--score", "1", "--at", "2026-11-02T09:50")
    todo = agency.ok("--as", "J005", "todo", "--today", "2026-11-03").output
    listed = agency.ok("list", "--today", "2026-11-03").output
    row = next(l for l in todo.split("\n") if l.startswith(rid))
    assert "2026年11月9日" in row and "差评（1 分）待回访督办" in row
    assert next(l for l in listed.split("\n") if l.startswith(rid)) == row


def test_a_passed_deadline_says_so_on_the_worklist_whichever_it_is(agency):
    """Not only a missed completion: a forward, sign-off or promise whose day has passed is 已超期 on todo and list."""
    a = agency.new("2026-11-02T09:00")                          # to be forwarded or answered by 11-04
    b = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "J005", "forward", b, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    on_time = json.loads(agency.ok("todo", "--all", "--today", "2026-11-03", "--format", "json").stdout)
    assert {r["id"]: r["why"] for r in on_time} == {a: "", b: ""}
    late = json.loads(agency.ok("todo", "--all", "--today", "2026-11-10", "--format", "json").stdout)
    assert {r["id"]: r["why"] for r in late} == {a: "已超期", b: "已超期"}, late
    table = agency.ok("list", "--today", "2026-11-10").output
    assert all("已超期" in line for line in table.splitlines() if a in line or b in line), table
    # and `list --overdue` lists what the table calls `已超期`, whichever deadline passed
    listed = json.loads(agency.ok("list", "--overdue", "--today", "2026-11-10", "--format", "json").stdout)
    assert {r["id"] for r in listed} == {a, b}, listed
    assert json.loads(agency.ok("list", "--overdue", "--today", "2026-11-03", "--format", "json").stdout) == []
