"""DESIGN.md's command-line contract where other tools rely on its exact form (§6 JSON, §8 --format json,
§10 --no-cache), each on a small agency written inline."""
import json

from test_history import HEAD

REGISTERED = HEAD + "---\n"      # one matter registered, never forwarded


def test_every_check_problem_carries_the_contract_keys(agency):
    """§6: each problem is {code, severity, record, path, field, message}; a rules file's problem has record null,
    so a reader may index p["record"] on every problem (the demo's own rules carry such a warning)."""
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", REGISTERED)
    with open(f"{agency.path}/rules/policy.yml", "a", encoding="utf-8") as fh:
        fh.write("lookup:\n  rounds: 1000\n")
    r = agency.run("check", "--today", "2026-11-27", "--format", "json")
    out = json.loads(r.stdout)
    by_code = {p["code"]: p for p in out["problems"]}
    assert set(by_code) == {"forward-late", "lookup-rounds-weak"}, out
    for p in out["problems"]:
        assert {"code", "severity", "record", "path", "field", "message"} <= set(p), p
    assert by_code["lookup-rounds-weak"]["record"] is None and by_code["lookup-rounds-weak"]["path"] == "rules/policy.yml"
    assert by_code["forward-late"]["record"] == "20261102-J005-001"


def test_no_cache_is_accepted_before_any_command_and_answers_the_same(agency):
    """§10: with the index or without it (--no-cache) every answer is the same, for every command."""
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", REGISTERED)
    for args in (("list", "--today", "2026-11-27", "--format", "json"), ("ladder", "2026", "--format", "json")):
        cached = agency.run(*args)
        fresh = agency.run("--no-cache", *args)
        assert cached.exit_code == fresh.exit_code == 0, fresh.output
        assert json.loads(fresh.stdout) == json.loads(cached.stdout)
    assert agency.run("--no-cache", "check", "--today", "2026-11-27").exit_code == 1       # forward-late found


def test_no_cache_after_any_command_name_means_what_it_means_before(agency, tmp_path):
    """§10 says `check --no-cache`; a clerk types it after any command's name: the same option, the same answer."""
    import os
    import shutil
    rid = "20261102-J005-001"
    agency.write(f"records/inquiries/2026/11/{rid}.md", REGISTERED)
    for args in (("todo", "--as", "J005", "--today", "2026-11-27"), ("list", "--today", "2026-11-27"), ("show", rid),
                 ("ladder", "2026"), ("bulletin", "2026Q4", "--today", "2026-11-27"), ("check", "--today", "2026-11-27"),
                 ("export", "-o", tmp_path / "a.csv")):
        cached, fresh = agency.run(*args), agency.run(*args, "--no-cache")
        assert fresh.exit_code == cached.exit_code and cached.exit_code in (0, 1), (args, fresh.output)
        assert fresh.output == cached.output, args
    for args in (("todo",), ("show",), ("site",), ("site", "build")):
        assert "逐件重新读取" in agency.ok(*args, "--help").output.split("--no-cache")[1].split("\n")[0], args
    shutil.rmtree(os.path.join(agency.path, ".shouwen"), ignore_errors=True)      # and it means it: no index kept
    agency.ok("list", "--today", "2026-11-27", "--no-cache")
    answers = os.path.join(agency.path, ".shouwen", "index", "answers")
    assert not os.path.exists(answers) and "SHOUWEN_NO_CACHE" not in os.environ
    agency.ok("list", "--today", "2026-11-27")
    assert os.listdir(answers)


def test_accountability_records_print_their_id_as_json(agency):
    """§8: every command that prints data takes --format json; commend, inspect and report print the new
    record's id as new and complain do."""
    for kind, args in (("commendations", ("commend", "J005", "--note", "耐心细致")),
                       ("inspections", ("inspect", "J006", "--finding", "文明用语：合格")),
                       ("reports", ("report", "family", "--quarter", "2026Q3", "--summary", "本科室登记 12 件"))):
        r = agency.run("--as", "J004" if kind != "reports" else "J013", *args, "--at", "2026-11-02T10:00",
                       "--format", "json")
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert out["path"] == f"records/{kind}/2026/11/{out['id']}.md"
        assert agency.file(out["path"]).startswith(f"---\nid: {out['id']}\n")


def test_an_expired_scheme_is_policy_expired_with_its_date_in_chinese(agency):
    """§4/§6: the scheme's expiry date (`武威`: valid 5 years) passed is `policy-expired`, said as people read a date."""
    policy = agency.file("rules/policy.yml")
    assert "expires: 2030-12-31" in policy
    agency.write("rules/policy.yml", policy.replace("expires: 2030-12-31", "expires: 2026-06-30"))
    r = agency.run("check", "--today", "2026-11-27", "--format", "json")
    hits = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "policy-expired"]
    assert r.exit_code == 1 and len(hits) == 1, r.output
    assert (hits[0]["path"], hits[0]["field"], hits[0]["severity"]) == ("rules/policy.yml", "expires", "error")
    assert "2026年6月30日" in hits[0]["message"]
    assert agency.run("check", "--today", "2026-06-30").exit_code == 0        # valid through its last day


def test_a_step_taken_prints_the_record_after_it_as_json(agency):
    """§8: an event command prints data (the record's state after the step): with --format json, the record as
    `show --format json` has it and the action taken; so do verdict, sanction, correct and void."""
    rid = agency.new("2026-11-02T09:30")
    r = agency.run("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00",
                   "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["action"], out["id"], out["stage"], out["handler"], out["closed"]) == ("forwarded", rid, "forwarded",
                                                                                       "J014", False)
    assert [e["action"] for e in out["events"]] == ["registered", "forwarded"]
    out = json.loads(agency.ok("--as", "J005", "correct", rid, "--field", "电话", "--value", "13900000000",
                               "--reason", "听错", "--at", "2026-11-02T10:05", "--format", "json").stdout)
    assert out["action"] == "corrected" and out["events"][-1]["action"] == "corrected"
    out = json.loads(agency.ok("--as", "J003", "void", rid, "--reason", "重复登记", "--at", "2026-11-02T10:10",
                               "--format", "json").stdout)
    assert out["action"] == "voided" and out["voided"] == "重复登记"
    cid = json.loads(agency.ok("--as", "J022", "complain", "--against", "J005", "--channel", "hotline", "--summary",
                               "态度生硬", "--at", "2026-11-03T09:00", "--format", "json").stdout)["id"]
    out = json.loads(agency.ok("--as", "J022", "verdict", cid, "--substantiated", "--reason", "属实",
                               "--at", "2026-11-04T09:00", "--format", "json").stdout)
    assert (out["action"], out["id"], out["events"][-1]["finding"]) == ("verdict", cid, "substantiated")
    out = json.loads(agency.ok("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "通报批评", "--bonus",
                               "20%", "--at", "2026-11-05T09:00", "--format", "json").stdout)
    assert out["action"] == "sanctioned" and out["events"][-1]["staff"] == "J005"
    assert agency.status() == ""


def test_pickup_prints_the_pickup_sheet_as_receipt_pickup_does(agency):
    """§8: `receipt ID` and the `pickup` sheet (`取件登记表`) of a completed matter."""
    rid = agency.new("2026-11-02T09:30")
    r = agency.run("pickup", rid)
    assert r.exit_code == 2 and "尚未办结" in r.output               # nothing completed yet: nothing to hand over
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T09:40")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T09:50")
    agency.ok("--as", "J014", "complete", rid, "--result", "已开具证明", "--at", "2026-11-02T10:00")
    sheet = agency.ok("pickup", rid).stdout
    assert "取件登记表" in sheet and sheet == agency.ok("receipt", rid, "--pickup").stdout
