"""`shouwen check` over records written by hand, and the one reader path."""
import json

from shouwen.repo import store
from shouwen.core.fold import EVENT_FIELDS

GOOD = """
---
id: {rid}
code: 7KQ4MX
channel: visit
first_responder: J005
visitor:
  name: 张三
  phone: '13800000000'
matter: 咨询
events:
  - {{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}}
  - {{at: 2026-11-02T09:35:00+08:00, by: J005, action: answered, answer: 已答复}}
---
"""


def check(agency, today="2026-11-27"):
    r = agency.run("check", "--today", today, "--format", "json")
    return r.exit_code, json.loads(r.stdout)


def test_clean_ledger_is_ok(agency):
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", GOOD.format(rid="20261102-J005-001"))
    code, out = check(agency)
    assert code == 0 and out == {"ok": True, "records": 1, "today": "2026-11-27", "problems": []}


def test_record_family_codes_name_file_record_and_field(agency):
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", GOOD.format(rid="20261102-J005-001"))
    # the same id in a second file, filed in the wrong month
    agency.write("records/inquiries/2026/10/20261102-J005-001.md", GOOD.format(rid="20261102-J005-001"))
    agency.write("records/inquiries/2026/11/20261103-J005-001.md",
                 GOOD.format(rid="20261103-J005-001").replace("channel: visit", "channel: pigeon\nmood: happy")
                 .replace("matter: 咨询\n", "").replace("code: 7KQ4MX", "code: 0OI1"))
    agency.write("records/inquiries/2026/11/20261104-J005-001.md", "---\nid: [unclosed\n---\n")
    code, out = check(agency)
    assert code == 1 and out["ok"] is False and out["records"] == 4
    got = {(p["code"], p.get("record"), p.get("field")) for p in out["problems"]}
    assert ("id-path-mismatch", "20261102-J005-001", "id") in got
    assert ("id-duplicate", "20261102-J005-001", "id") in got
    assert ("field-invalid", "20261103-J005-001", "channel") in got
    assert ("field-invalid", "20261103-J005-001", "code") in got
    assert ("field-unknown", "20261103-J005-001", "mood") in got
    assert ("field-missing", "20261103-J005-001", "matter") in got
    assert ("yaml-invalid", "20261104-J005-001", None) in got
    for p in out["problems"]:
        assert p["path"].startswith("records/") and p["severity"] in ("error", "warning") and p["message"]


def test_text_output_and_exit_code(agency):
    agency.write("records/inquiries/2026/11/20261123-J005-001.md", GOOD.format(rid="20261123-J005-001")
                 .replace("  - {at: 2026-11-02T09:35:00+08:00, by: J005, action: answered, answer: 已答复}\n", "")
                 .replace("2026-11-02", "2026-11-23"))
    r = agency.run("check", "--today", "2026-11-27")
    assert r.exit_code == 1
    assert "forward-late" in r.stdout and "20261123-J005-001" in r.stdout and "1 个错误" in r.stdout
    assert "件记录（2026年11月27日）：" in r.stdout, r.stdout             # the day as people read it
    r = agency.run("check", "--now", "2026-11-27T09:05")
    assert "件记录（2026年11月27日 09:05）：" in r.stdout, r.stdout


def test_reader_caches_by_blob_and_reads_commits(agency, monkeypatch):
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", GOOD.format(rid="20261102-J005-001"))
    first = store.load_records(agency.path)
    assert [r.id for r in first] == ["20261102-J005-001"]

    def boom(*a):
        raise AssertionError("parsed again although unchanged")
    monkeypatch.setattr(store, "read", boom)
    assert [r.id for r in store.load_records(agency.path)] == ["20261102-J005-001"]   # served from the cache
    monkeypatch.undo()
    agency.git("add", "-A")
    agency.git("commit", "-qm", "x")
    agency.write("records/inquiries/2026/11/20261102-J005-001.md", GOOD.format(rid="20261102-J005-001").replace("咨询", "改过"))
    now = store.load_records(agency.path)
    then = store.load_records(agency.path, rev="HEAD")
    assert now[0].meta["matter"] == "改过" and then[0].meta["matter"] == "咨询"


def test_every_event_command_exists(agency):
    commands = {"answer", "refer", "relay", "forward", "accept", "return", "notify", "promise", "extend",
                "escalate", "followup", "explain", "complete", "deliver", "rate", "note", "suspend", "resume", "reopen", "correct", "void"}
    for c in commands:
        assert agency.run(c, "--help").exit_code == 0
    assert len(commands) == len(EVENT_FIELDS) - 1     # every action but `registered`, which is `new`


def test_pre_commit_hook_refuses_a_broken_record_but_not_a_late_one(agency):
    import subprocess
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    head = agency.head()
    good = agency.file(rel)
    # a hand edit naming a department that does not exist: refused, naming the file and the field
    agency.write(rel, good.replace("\n---\n", "\n  - {at: 2026-11-12T10:00:00+08:00, by: J005, action: forwarded, to: nowhere}\n---\n", 1))
    r = subprocess.run(["git", "-C", agency.path, "commit", "-qam", "hand"], capture_output=True, text=True)
    assert r.returncode != 0 and rel in r.stderr and "department-unknown" in r.stderr
    assert agency.head() == head
    # the same forward to a real department, eight working days late: a fact to record, so it goes in
    agency.write(rel, good.replace("\n---\n", "\n  - {at: 2026-11-12T10:00:00+08:00, by: J005, action: forwarded, to: family}\n---\n", 1))
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", "late forward"], check=True)
    assert "forward-late" in agency.run("check", "--today", "2026-11-12").output
    # only what is staged is checked: a broken file in the work tree doesn't block another commit
    agency.write("records/inquiries/2026/11/20261103-J005-001.md", "---\nid: [\n---\n")
    agency.write("rules/README.txt", "notes\n")
    agency.git("add", "rules/README.txt")
    subprocess.run(["git", "-C", agency.path, "commit", "-qm", "notes"], check=True)
