"""Corrections as events: `correct` and `void` leave check and audit clean, and a void record counts nowhere."""
import json


def codes(agency, today="2026-11-20"):
    out = json.loads(agency.run("check", "--format", "json", "--today", today).stdout)
    return [p for p in out["problems"] if p["severity"] == "error"]


def test_a_wrong_phone_is_corrected_by_an_event_and_shown_masked(agency):
    rid = agency.new("2026-11-02T09:30", phone="13800001111")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    before = agency.file(f"records/inquiries/2026/11/{rid}.md")
    out = agency.ok("--as", "J005", "correct", rid, "--field", "visitor.phone", "--value", "13900002222",
                    "--reason", "登记时听错", "--at", "2026-11-02T10:00").output
    assert "138****1111 → 139****2222" in out and "13900002222" not in out
    after = agency.file(f"records/inquiries/2026/11/{rid}.md")
    assert after.startswith(before.split("events:")[0])          # the header is never rewritten
    shown = agency.ok("show", rid).output
    # the correction line masks both numbers; the clerk's view shows the phone as it now reads, to call back
    assert "更正发问人电话：138****1111 → 139****2222（理由：登记时听错）" in shown and "13800001111" not in shown
    assert "联系电话    13900002222" in shown
    steps = json.loads(agency.ok("history", rid, "--format", "json").stdout)["steps"]
    assert steps[-1]["event"]["new"] == "139****2222"
    assert "139****2222" in agency.ok("history", rid).output
    # the ledger reads the corrected value (the office's export is where the full number belongs)
    assert codes(agency) == []
    audit = json.loads(agency.run("audit", "--format", "json").stdout)
    assert [p for p in audit["problems"] if p["severity"] == "error"] == []


def test_what_may_be_corrected_and_by_whom_is_policy(agency):
    rid = agency.new("2026-11-02T09:30")
    r = agency.run("--as", "J005", "correct", rid, "--field", "first_responder", "--value", "J006", "--reason", "x")
    assert r.exit_code == 2 and "corrections.fields" in r.stderr
    r = agency.run("--as", "J006", "correct", rid, "--field", "matter", "--value", "改", "--reason", "x",
                   "--at", "2026-11-02T10:00")
    assert r.exit_code == 2 and "permissions.correct" in r.stderr           # not the registrant, not a head
    r = agency.run("--as", "J005", "void", rid, "--reason", "重复登记", "--at", "2026-11-02T10:00")
    assert r.exit_code == 2 and "permissions.void" in r.stderr
    agency.ok("--as", "J004", "correct", rid, "--field", "matter", "--value", "咨询再生育", "--reason", "事由记得太简",
              "--at", "2026-11-02T10:00")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["matter"] == "咨询再生育"


def test_a_voided_duplicate_stays_but_counts_nowhere(agency):
    keep = agency.new("2026-08-03T09:30")
    dup = agency.new("2026-08-03T09:31")
    for rid in (keep, dup):
        agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-08-03T09:40")
    # a complaint registered twice: the duplicate's verdict would count twice on the ladder
    cids = [json.loads(agency.ok("--as", "J024", "complain", "--against", "J006", "--channel", "box", "--summary", "推诿",
                                 "--at", f"2026-08-0{d}T09:00", "--format", "json").stdout)["id"] for d in (4, 5)]
    for cid in cids:
        agency.ok("--as", "J022", "verdict", cid, "--substantiated", "--reason", "属实", "--at", "2026-08-10T09:00")
    ladder = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    assert [s["count"] for s in ladder["staff"] if s["badge"] == "J006"] == [2]
    agency.ok("--as", "J003", "void", dup, "--reason", "重复登记", "--at", "2026-08-03T10:00")
    agency.ok("--as", "J003", "void", cids[1], "--reason", "同一投诉重复登记", "--at", "2026-08-10T10:00")
    ladder = json.loads(agency.ok("ladder", "2026", "--format", "json").stdout)
    assert [s["count"] for s in ladder["staff"] if s["badge"] == "J006"] == [1]
    q = json.loads(agency.ok("bulletin", "2026Q3", "--format", "json").stdout)
    assert q["total"]["registered"] == 1
    assert "已作废" in agency.ok("show", dup).output
    assert agency.run("--as", "J003", "void", dup, "--reason", "再来", "--at", "2026-08-03T10:10").exit_code == 2
    assert codes(agency, "2026-11-20") == [] or all(p["record"] not in (dup, cids[1]) for p in codes(agency))


def test_a_clerk_names_the_field_and_the_service_in_chinese(agency):
    rid = agency.new("2026-11-02T09:30", phone="13800001111")
    agency.ok("--as", "J005", "correct", rid, "--field", "电话", "--value", "13900002222", "--reason", "听错",
              "--at", "2026-11-02T10:00")
    agency.ok("--as", "J005", "correct", rid, "--field", "办事事项", "--value", "婚育情况证明", "--reason", "选错",
              "--at", "2026-11-02T10:05")
    shown = json.loads(agency.ok("show", rid, "--format", "json").stdout)
    assert shown["service"] == "marital-status-proof" and "联系电话    13900002222" in agency.ok("show", rid).output
    r = agency.run("--as", "J005", "correct", rid, "--field", "编号", "--value", "x", "--reason", "x")
    assert r.exit_code == 2 and "发问人电话（visitor.phone）" in r.stderr and "Traceback" not in r.output
    assert [p["code"] for p in codes(agency)] == ["forward-late"]      # nothing from the corrections
