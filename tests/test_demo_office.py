"""`shouwen demo` shows the office's whole year, not only the desk's: a corrected registration, a voided
duplicate, a matter paused for 补正材料 and resumed, a matter reopened after a bad rating, and each 科室's
quarterly 书面情况汇报; `check` and `audit` stay clean and no count includes the voided duplicate."""
import json
import subprocess

from click.testing import CliRunner

from shouwen.cli import cli
from shouwen.core.problems import CODES
from shouwen.repo import store
from shouwen.repo.loader import load_rules


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _events(rec):
    return [e["action"] for e in rec.meta["events"]]


def test_the_demo_office_mends_pauses_reopens_and_reports(tmp_path):
    d = str(tmp_path / "d")
    r = _run("demo", "--size", "60", "--since", "2026-08-03", "--until", "2026-10-16", d)
    assert r.exit_code == 0, r.output
    rules = load_rules(d)
    records = store.load_records(d, use_cache=False)
    inquiries = [x for x in records if x.kind == "inquiries"]

    # a wrong phone number corrected by the person who registered it, old and new values kept
    fixed = [(x, e) for x in inquiries for e in x.meta["events"] if e["action"] == "corrected"]
    assert fixed
    rec, ev = fixed[0]
    assert ev["field"] == "visitor.phone" and ev["old"] == rec.meta["visitor"]["phone"] != ev["new"]
    assert ev["by"] in (rec.meta["first_responder"],) and ev["reason"]

    # a duplicate registration of the same visitor and matter, voided by the office, naming the original
    voided = [x for x in inquiries if "voided" in _events(x)]
    assert len(voided) >= 1
    dup = voided[0]
    originals = [x for x in inquiries if x is not dup and x.meta["visitor"] == dup.meta["visitor"]
                 and x.meta["matter"] == dup.meta["matter"]]
    assert len(originals) == 1 and "voided" not in _events(originals[0])
    void = dup.meta["events"][-1]
    assert originals[0].id in void["reason"] and rules.staff[void["by"]].department in ("office", "supervision")

    # 补正: suspended by the handler for a reason the policy lists, then resumed
    paused = [x for x in inquiries if "suspended" in _events(x)]
    assert paused
    acts = _events(paused[0])
    assert acts[acts.index("suspended") + 1:].count("resumed") == 1
    assert paused[0].meta["events"][acts.index("suspended")]["reason"] in rules.policy.suspend_reasons

    # 重办: reopened after a bad rating, then sent to the department again
    again = [x for x in inquiries if "reopened" in _events(x)]
    assert again
    acts = _events(again[0])
    before = again[0].meta["events"][:acts.index("reopened")]
    assert [e["score"] for e in before if e["action"] == "rated"][0] in rules.policy.bad_ratings
    assert acts[acts.index("reopened") + 1] == "forwarded"

    # each 科室's written report for 2026Q3, submitted by its head at the quarter's end
    reports = [x for x in records if x.kind == "reports" and x.meta["quarter"] == "2026Q3"]
    depts = [x.meta["department"] for x in reports]
    expected = [k for k, v in rules.departments.items() if v.parent is not None]
    assert len(set(depts)) == len(depts) >= len(expected) - 1 and set(depts) <= set(expected)
    for x in reports:
        ev = x.meta["events"][0]
        assert ev["by"] == rules.departments[x.meta["department"]].head and ev["action"] == "submitted"
        assert "2026-09-2" in str(ev["at"]) or "2026-09-30" in str(ev["at"]) or "2026-10-" in str(ev["at"])

    # clean: no record, role or correction problem; the audit finds nothing
    r = _run("--repo", d, "check", "--today", "2026-10-16", "--format", "json")
    probs = json.loads(r.stdout)["problems"]
    assert [p for p in probs if CODES[p["code"]][0] in ("record", "reference", "role", "integrity")] == []
    assert [p for p in probs if p["code"] in ("record-edited", "role-forbidden", "conflict-of-interest")] == []
    r = _run("--repo", d, "audit", "--format", "json")
    assert r.exit_code == 0, r.output

    # the bulletin counts the original, not the voided duplicate
    r = _run("--repo", d, "bulletin", "2026Q3", "--format", "json")
    total = json.loads(r.stdout)["total"]["registered"]
    counted = [x for x in inquiries if "voided" not in _events(x)
               and "2026-07-01" <= str(x.meta["events"][0]["at"])[:10] <= "2026-09-30"]
    assert total == len(counted)

    # one commit per step, each by the person who acted
    log = subprocess.run(["git", "-C", d, "log", "--format=%an|%(trailers:key=Shouwen-Action,valueonly)"],
                         capture_output=True, text=True).stdout
    for action, who in (("voided", rules.staff[void["by"]].name), ("submitted", rules.staff[reports[0].meta["events"][0]["by"]].name)):
        assert f"{who}|{action}" in log
