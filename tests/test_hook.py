"""The pre-commit hook (python -m shouwen.precommit, what `setup` installs): it judges the staged records,
refuses what `check` calls an error in them (roles included: issue 10), and costs the same at any size."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from test_roles import complaint


def _hand_edit(agency, rel, line):
    text = agency.file(rel).replace("\n---\n", f"\n  - {line}\n---\n", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)


def _hook(agency):
    return os.path.join(agency.path, ".git", "hooks", "pre-commit")


def test_the_installed_hook_is_the_lean_entry_point(agency):
    text = open(_hook(agency), encoding="utf-8").read()
    assert "-m shouwen.precommit" in text and "rev-parse" not in text
    probe = "import sys, runpy\ntry:\n    runpy.run_module('shouwen.precommit', run_name='__main__')\nexcept SystemExit:\n    pass\n" \
            "print(sorted(m for m in ('click', 'shouwen.cli', 'jinja2', 'mkdocs') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=agency.path, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_the_hook_refuses_a_forbidden_role_as_check_reports_it(agency):
    cid, rel = complaint(agency, "J005")
    head = agency.head()
    # a clerk's verdict, appended by hand in the writer's own layout: policy gives verdicts to 监察室 only
    _hand_edit(agency, rel, "{at: 2026-11-04T09:00:00+08:00, by: J006, action: verdict, finding: substantiated, reason: 属实}")
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qam", "hand"], capture_output=True, text=True)
    assert r.returncode != 0 and agency.head() == head and "role-forbidden" in r.stdout + r.stderr
    agency.git("add", rel)
    hook = subprocess.run([_hook(agency)], cwd=agency.path, capture_output=True, text=True)
    staged = agency.run("check", "--staged")
    assert hook.returncode == staged.exit_code == 1
    assert hook.stdout == staged.stdout
    # the very line `check` prints for the same record once it is in
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", "hand", "--no-verify"], check=True)
    full = agency.run("check", "--today", "2026-11-05")
    mine = [ln for ln in full.stdout.splitlines() if ln.startswith("错误 role-forbidden")]
    assert len(mine) == 1 and mine[0] in hook.stdout and "permissions.verdict" in mine[0] and cid in mine[0]
    assert full.exit_code == 1


def test_the_hook_refuses_a_verdict_in_ones_own_line_and_lets_the_rightful_one_in(agency):
    cid, rel = complaint(agency, "J022")
    good = agency.file(rel)
    _hand_edit(agency, rel, "{at: 2026-11-04T09:00:00+08:00, by: J021, action: verdict, finding: unfounded, reason: 不实}")
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qam", "hand"], capture_output=True, text=True)
    assert r.returncode == 1 and "conflict-of-interest" in r.stdout + r.stderr
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(good)
    _hand_edit(agency, rel, "{at: 2026-11-04T09:00:00+08:00, by: J003, action: verdict, finding: unfounded, reason: 不实}")
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", "verdict"], check=True, capture_output=True)


def test_an_old_event_is_not_judged_again_by_todays_rules(agency):
    """The hook judges roles for the events a commit adds: an event that was allowed when made stays in."""
    cid, rel = complaint(agency, "J005")
    _hand_edit(agency, rel, "{at: 2026-11-04T09:00:00+08:00, by: J006, action: verdict, finding: substantiated, reason: 属实}")
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", "slipped in", "--no-verify"], check=True)
    _hand_edit(agency, rel, "{at: 2026-11-05T09:00:00+08:00, by: J022, action: note, text: 已核实}")
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qam", "note"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_hook_and_check_staged_agree_in_json_on_a_duplicate_id(agency):
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    twin = rel.replace(rid, rid[:-3] + "009")
    with open(os.path.join(agency.path, twin), "w", encoding="utf-8") as fh:
        fh.write(agency.file(rel))
    agency.git("add", twin)
    out = json.loads(agency.run("check", "--staged", "--format", "json").stdout)
    assert {p["code"] for p in out["problems"]} == {"id-path-mismatch", "id-duplicate"}
    assert {p["path"] for p in out["problems"]} == {twin}
    hook = subprocess.run([_hook(agency)], cwd=agency.path, capture_output=True, text=True)
    assert hook.returncode == 1 and all(p["code"] in hook.stdout for p in out["problems"])


def test_the_hooks_searches_of_the_index_answer_as_a_whole_reading_of_it(agency, monkeypatch):
    """The hook finds the staged records and the ids they can meet by searching Git's index listing, not by
    parsing its every line: the same answers as parsing it whole, for a duplicate id in another folder, a
    twin file (<id>.<code>.md) and a complaint naming an inquiry that does not exist."""
    from datetime import date
    from shouwen.repo import staged
    rid, other = agency.new("2026-11-02T09:30"), agency.new("2026-11-02T09:40")
    _, crel = complaint(agency, "J022")
    folder = "records/inquiries/2026/11"
    agency.write(f"records/inquiries/2026/12/{rid}.md", agency.file(f"{folder}/{rid}.md"))
    agency.write(f"{folder}/{other}.ABC123.md", agency.file(f"{folder}/{other}.md"))
    agency.write(crel, agency.file(crel).replace("\nchannel:", "\ninquiry: 20261102-J005-077\nchannel:", 1))
    agency.git("add", "-A")
    fast = staged.staged_check(agency.path, date(2026, 11, 5))
    assert {"id-duplicate", "inquiry-unknown"} <= {p.code for p in fast[1]}, fast
    monkeypatch.setattr(staged.Listing, "SEARCHES", -1)
    assert staged.staged_check(agency.path, date(2026, 11, 5)) == fast


def test_a_conflicted_record_is_counted_once(agency):
    """A record in conflict stands in Git's index three times (base, ours, theirs): still one record."""
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    count = json.loads(agency.run("check", "--staged", "--format", "json").stdout)["records"]
    blob = agency.git("rev-parse", f"HEAD:{rel}").strip()
    subprocess.run(["git", "-C", agency.path, "update-index", "--index-info"], check=True, text=True,
        input="".join(f"100644 {blob} {stage}\t{rel}\n" for stage in (1, 2, 3)))
    assert "U" in agency.git("diff", "--cached", "--name-status")
    assert json.loads(agency.run("check", "--staged", "--format", "json").stdout)["records"] == count


def test_a_duplicate_id_is_refused_when_the_new_file_sorts_before_the_old(agency):
    """`check` reports a duplicate on the later of the two files in Git's order; where that is the record
    already committed, the hook must still refuse the staged one that brings the clash in."""
    rid = agency.new("2026-11-02T09:30")
    folder = "records/inquiries/2026/11"
    text = agency.file(f"{folder}/{rid}.md")
    code = next(ln.split(": ", 1)[1] for ln in text.splitlines() if ln.startswith("code: "))
    # as sync keeps a second matter two clones registered under one id, <id>.<code>.md: it sorts first
    twin = f"{folder}/{rid}.{code}.md"
    assert twin < f"{folder}/{rid}.md"
    agency.write(twin, text)
    agency.git("add", twin)
    head = agency.head()
    out = json.loads(agency.run("check", "--staged", "--format", "json").stdout)
    assert [(p["code"], p["path"], p["record"]) for p in out["problems"]] == [("id-duplicate", twin, rid)], out
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qm", "twin"], capture_output=True, text=True)
    assert r.returncode == 1 and "id-duplicate" in r.stdout + r.stderr and agency.head() == head


def test_a_staged_rules_change_is_judged_against_the_records_that_depend_on_it(agency):
    """Issue 15: the hook checks the staged files and what depends on them. A badge taken out of the roster
    leaves the matters it registered naming nobody (`check`: staff-unknown) and a window without its clerk
    (rules-invalid in institution.yml, a file not staged): the commit is refused for both. A record that
    was broken before (committed past the hook) does not hold up an unrelated change of the rules."""
    rid = agency.new("2026-11-02T09:30", badge="J006")
    broken = agency.new("2026-11-03T09:30")
    rel = f"records/inquiries/2026/11/{broken}.md"
    agency.write(rel, agency.file(rel).replace("first_responder: J005", "first_responder: J099")
                 .replace("by: J005, action: registered", "by: J099, action: registered"))
    agency.git("commit", "-qam", "past the hook", "--no-verify")
    staff = agency.file("rules/staff.yml")
    agency.write("rules/staff.yml", "\n".join(l for l in staff.split("\n") if "badge: J006" not in l))
    agency.git("add", "rules/staff.yml")
    out = json.loads(agency.run("check", "--staged", "--format", "json").stdout)
    found = {(p["code"], p["path"]) for p in out["problems"]}
    assert ("staff-unknown", f"records/inquiries/2026/11/{rid}.md") in found, out
    assert ("rules-invalid", "rules/institution.yml") in found, out
    assert not any(p["path"] == rel for p in out["problems"]), out          # broken before: `check`'s to report
    head = agency.head()
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qm", "J006 left"], capture_output=True, text=True)
    assert r.returncode != 0 and agency.head() == head and "staff-unknown" in r.stdout + r.stderr
    agency.write("rules/staff.yml", staff.replace("title: 科员, department: reception, role: staff, emails: "
                                                  "[j006@example.gov.cn]", "title: 副科长, department: reception, "
                                                  "role: staff, emails: [j006@example.gov.cn]", 1))
    agency.git("add", "rules/staff.yml")
    assert agency.run("check", "--staged").exit_code == 0       # the old broken record holds nothing up
