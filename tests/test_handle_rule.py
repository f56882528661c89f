"""Who records a matter's handling steps (core/roles.py's handling rule, policy.yml's `permissions.handle`)."""
import json
import os
import re
import subprocess

import pytest
import yaml

from conftest import copy_agency
from test_roles import hand_append, problems

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "shouwen", "templates")


def role_forbidden(agency):
    return [(p["record"], p["field"]) for p in problems(agency) if p["code"] == "role-forbidden"]


def accepted_by_approvals(agency, at="2026-11-02"):
    rid = agency.new(f"{at}T09:00")
    agency.ok("--as", "J005", "forward", rid, "--to", "approvals", "--staff", "J011", "--at", f"{at}T09:10")
    agency.ok("--as", "J011", "accept", rid, "--at", f"{at}T10:00")
    return rid


def desk_page(agency, badge, rid, day):
    from datetime import datetime
    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    pins.set_pin(agency.path, badge, "2468")
    client = create_app(agency.path, now=lambda: datetime(2026, 11, day, 9, 0, tzinfo=CST)).test_client()
    page = client.get("/login", base_url="http://127.0.0.1").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/login", data={"badge": badge, "pin": "2468", "csrf": csrf}, base_url="http://127.0.0.1")
    return client.get(f"/r/{rid}", base_url="http://127.0.0.1").get_data(as_text=True)


def test_an_agency_whose_policy_names_no_handle_keeps_its_history_clean(agency):
    # every agency made before the handling rule has no `permissions.handle`: its office head promising and its
    # 局长 completing a matter 审核办证科 accepted was legitimate then, and must stay so (check --fail-on records
    # stops CI publishing); the rule is off until the policy names `handle`
    path = os.path.join(agency.path, "rules/policy.yml")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("".join(line for line in text.splitlines(True) if not line.lstrip().startswith("handle:")))
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify", "-a"], check=True)
    rid = accepted_by_approvals(agency)
    agency.ok("--as", "J003", "promise", rid, "--days", "3", "--at", "2026-11-02T11:00")
    agency.ok("--as", "J001", "complete", rid, "--result", "已办结", "--at", "2026-11-03T09:00")
    other = accepted_by_approvals(agency, "2026-11-04")
    hand_append(agency, f"records/inquiries/2026/11/{other}.md",
                "{at: 2026-11-04T11:00:00+08:00, by: J018, action: completed, result: 已办结}")
    assert role_forbidden(agency) == []
    r = agency.run("check", "--fail-on", "records", "--today", "2026-11-20", "--format", "json")
    assert not [p for p in json.loads(r.stdout)["problems"] if p["code"] == "role-forbidden"], r.stdout
    audit = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert not [p for p in audit if p["code"] == "role-forbidden"], audit


def test_every_template_names_handle_so_new_agencies_get_the_rule():
    for name in sorted(os.listdir(TEMPLATES)):
        path = os.path.join(TEMPLATES, name, "rules", "policy.yml")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                perms = yaml.safe_load(fh)["permissions"]
            assert perms.get("handle") not in (None, "any"), name


def test_leadership_the_heads_above_and_supervision_record_steps_a_third_department_does_not(agency):
    # `局长` J001 / `副局长` J002 (`局领导`, above every `科室`) and the `监察室` (J022, `首问责任制办公室`) act on a matter
    # 审核办证科 holds, as a real office does; a clerk (J018) or the head (J017) of a sibling 科室 does not
    rid = accepted_by_approvals(agency)
    agency.ok("--as", "J001", "promise", rid, "--days", "3", "--at", "2026-11-02T11:00")
    agency.ok("--as", "J002", "extend", rid, "--due", "2026-11-12", "--reason", "需现场核查", "--approver", "J001",
              "--at", "2026-11-03T09:00")
    for by in ("J018", "J017"):
        head = agency.head()
        r = agency.run("--as", by, "complete", rid, "--result", "已办结", "--at", "2026-11-03T10:00")
        assert r.exit_code == 2 and "role-forbidden" in r.stderr and agency.head() == head, (by, r.output)
    agency.ok("--as", "J022", "complete", rid, "--result", "已办结", "--at", "2026-11-03T10:00")
    assert role_forbidden(agency) == []


@pytest.fixture(scope="module")
def departed(tmp_path_factory, _new_bureau):
    """`徐敏` (J012, `审核办证科`) promised D and left on 11-15, D still open."""
    agency = copy_agency(_new_bureau, tmp_path_factory.mktemp("handover") / "agency")
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-10-01T09:00:00+08:00", GIT_AUTHOR_DATE="2026-10-01T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify"], env=env, check=True)
    d = agency.new("2026-11-02T09:00")
    agency.ok("--as", "J005", "forward", d, "--to", "approvals", "--staff", "J012", "--at", "2026-11-02T09:10")
    agency.ok("--as", "J012", "accept", d, "--at", "2026-11-02T10:00")
    agency.ok("--as", "J012", "promise", d, "--days", "20", "--at", "2026-11-02T11:00")
    agency.due = json.loads(agency.ok("show", d, "--format", "json").stdout)["due"]
    staff = os.path.join(agency.path, "rules/staff.yml")
    with open(staff, encoding="utf-8") as fh:
        text = fh.read()
    with open(staff, "w", encoding="utf-8") as fh:
        fh.write(text.replace("department: approvals, role: staff, emails: [j012",
                              "department: approvals, role: staff, left: 2026-11-15, emails: [j012"))
    subprocess.run(["git", "-C", agency.path, "commit", "-qa", "--no-verify", "-m", "徐敏离职"], check=True)
    agency.d = d
    return agency


def test_the_warning_on_a_promised_matter_advises_the_handover_the_desk_page_offers(departed):
    # forward and return were both refused at `已承诺`, so the warning's advice (`转办给一位同事签收，已签收的先退回`)
    # could not be followed
    d = departed.d
    warned = [p["message"] for p in problems(departed) if p["code"] == "handover-needed" and p["record"] == d]
    assert len(warned) == 1 and "转办（移交）给一位同事签收" in warned[0] and "先退回" not in warned[0], warned
    assert 'id="step-forwarded"' in desk_page(departed, "J011", d, 20)      # the desk page offers the 移交 too
    before = desk_page(departed, "J011", d, 13)                               # not while she is still here
    assert 'id="step-completed"' in before and 'id="step-forwarded"' not in before


def test_a_colleague_takes_a_promised_matter_over_as_the_warning_says(departed):
    # a colleague forwards it to one of the `科室` (`移交`, the event says so), who accepts it, the promised day unchanged
    d, agency = departed.d, departed
    head = agency.head()
    r = agency.run("--as", "J011", "return", d, "--reason", "承办人离职", "--at", "2026-11-20T09:00")
    assert r.exit_code == 2 and agency.head() == head       # a promised matter is not returned
    r = agency.run("--as", "J011", "forward", d, "--to", "social", "--staff", "J018", "--at", "2026-11-20T09:00")
    assert r.exit_code == 2 and agency.head() == head and "移交应转办给审核办证科的一位同事" in r.stderr, r.output
    agency.ok("--as", "J011", "forward", d, "--to", "approvals", "--staff", "J011", "--at", "2026-11-20T09:00")
    assert "handover: J012" in agency.file(f"records/inquiries/2026/11/{d}.md")
    assert "移交" in agency.ok("show", d).stdout
    agency.ok("--as", "J011", "accept", d, "--at", "2026-11-20T09:10")
    shown = json.loads(agency.ok("show", d, "--format", "json").stdout)
    assert shown["due"] == agency.due and shown["handler"] == "J011", shown
    left = [p for p in problems(agency) if p["record"] == d and p["severity"] == "error" or
            p["code"] == "handover-needed" and p["record"] == d]
    assert left == [], left
    # a handover is no 转办 of the matter in the assessment's count (a matter accepted by its first responder's
    # 科室 and handed over there was never forwarded)
    from shouwen.core.ledger import Entry
    from shouwen.core.record import Record
    events = [{"action": "registered"}, {"action": "accepted"}, {"action": "forwarded", "handover": "J012"}]
    assert not Entry(Record("x.md", {"events": events}, ""), None, None).forwarded


def test_no_handover_of_a_matter_whose_handler_is_still_here(departed):
    # a colleague's forward of a promised matter whose handler is still here stays refused (return it first)
    agency = departed
    e = accepted_by_approvals(agency, "2026-11-23")
    agency.ok("--as", "J011", "promise", e, "--days", "5", "--at", "2026-11-23T11:00")
    r = agency.run("--as", "J010", "forward", e, "--to", "approvals", "--staff", "J010", "--at", "2026-11-23T12:00")
    assert r.exit_code == 2 and "不能转办" in r.stderr, r.output
    # one written by hand for a handler still here: check names it
    hand_append(agency, f"records/inquiries/2026/11/{e}.md", "{at: 2026-11-23T12:00:00+08:00, by: J010, action: forwarded, "
                "to: approvals, staff: J010, handover: J011}")
    assert [p["field"] for p in problems(agency) if p["record"] == e and p["code"] == "field-invalid"] == ["events[4].handover"]
