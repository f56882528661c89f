"""Merging desks, syncing through a bare remote, and auditing the history."""
import json
import os
import subprocess
import sys

import pytest

from shouwen.core.merge import Collision, merge_texts
from conftest import Agency

HEAD = """---
id: 20261102-J005-001
code: 7KQ4MX
channel: visit
first_responder: J005
visitor:
  name: 张三
matter: 咨询
events:
  - {at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}
"""
A = "  - {at: 2026-11-02T10:00:00+08:00, by: J005, action: note, text: 甲}\n"
B = "  - {at: 2026-11-02T09:45:00+08:00, by: J006, action: note, text: 乙}\n"


def test_union_merge_is_ordered_idempotent_and_order_independent():
    base = HEAD + "---\n"
    ours, theirs = HEAD + A + "---\n", HEAD + B + "---\n"
    m1 = merge_texts(base, ours, theirs)
    m2 = merge_texts(base, theirs, ours)
    assert m1 == m2
    assert m1.index("text: 乙") < m1.index("text: 甲")          # time order, not side order
    assert merge_texts(base, m1, m1) == m1 and merge_texts(ours, m1, ours) == m1


def test_two_matters_under_one_id_are_not_merged():
    other = HEAD.replace("7KQ4MX", "ABCDEF").replace("张三", "李四") + "---\n"
    with pytest.raises(Collision):
        merge_texts("", HEAD + "---\n", other)


def _clone(tmp_path, remote, name):
    subprocess.run(["git", "clone", "-q", str(remote), str(tmp_path / name)], check=True)
    a = Agency(tmp_path / name)
    a.ok("setup")
    return a


@pytest.fixture
def desks(tmp_path, agency):
    remote = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    agency.git("remote", "add", "origin", str(remote))
    agency.git("push", "-q", "origin", "main")
    return agency, _clone(tmp_path, remote, "b"), remote


def test_two_desks_append_to_one_record_and_sync(desks):
    a, b, _ = desks
    rid = a.new("2026-11-02T09:30")
    a.ok("--as", "J005", "sync")
    b.ok("--as", "J006", "sync")
    a.ok("--as", "J005", "note", rid, "--text", "甲", "--at", "2026-11-02T10:00")
    b.ok("--as", "J006", "note", rid, "--text", "乙", "--at", "2026-11-02T09:45")
    a.ok("--as", "J005", "sync")
    b.ok("--as", "J006", "sync")
    a.ok("--as", "J005", "sync")
    rel = f"records/inquiries/2026/11/{rid}.md"
    assert a.file(rel) == b.file(rel)
    assert a.file(rel).index("乙") < a.file(rel).index("甲")
    assert a.status() == "" and b.status() == ""
    assert json.loads(a.ok("check", "--format", "json", "--today", "2026-11-02").stdout)["ok"]


def test_same_id_on_two_pcs_keeps_both_and_reports_duplicate(desks):
    a, b, _ = desks
    ra = a.new("2026-11-02T09:30", name="张三")
    rb = b.new("2026-11-02T09:40", name="李四")
    assert ra == rb
    a.ok("--as", "J005", "sync")
    r = b.ok("--as", "J005", "sync")
    assert "id-duplicate" in r.stderr
    files = sorted(os.listdir(os.path.join(b.path, "records/inquiries/2026/11")))
    assert len(files) == 2
    texts = "".join(b.file(f"records/inquiries/2026/11/{f}") for f in files)
    assert "张三" in texts and "李四" in texts
    out = json.loads(b.run("check", "--format", "json", "--today", "2026-11-02").stdout)
    assert [p["code"] for p in out["problems"] if p["code"].startswith("id-")] == ["id-duplicate"]


def test_real_conflict_stops_and_offline_is_clear(desks):
    a, b, remote = desks
    for desk, value in ((a, 3), (b, 4)):
        path = os.path.join(desk.path, "rules/policy.yml")
        text = open(path, encoding="utf-8").read().replace("forward_limit: 2", f"forward_limit: {value}")
        open(path, "w", encoding="utf-8").write(text)
        desk.git("commit", "-qam", f"limit {value}")
    a.ok("--as", "J005", "sync")
    head = b.head()
    r = b.run("--as", "J006", "sync")
    assert r.exit_code == 3 and "rules/policy.yml" in r.stderr
    assert b.head() == head and b.status() == ""               # merge aborted, nothing lost
    b.git("remote", "set-url", "origin", str(remote) + "-gone")
    r = b.run("--as", "J006", "sync")
    assert r.exit_code == 1 and "离线" in r.stderr


def _commit_as(agency, name, email, msg, date=None):
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", agency.path, "commit", "-qam", msg], env=env, check=True)


def audit(agency, since=None):
    args = ["audit", "--format", "json"] + (["--since", since] if since else [])
    r = agency.run(*args)
    return r.exit_code, json.loads(r.stdout)


def test_clean_history_has_no_problem(agency):
    rid = agency.new("2026-11-27T09:00")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-27T09:05")
    code, out = audit(agency)
    # events dated this morning, committed now: inside the 24 h grace unless the suite runs past midnight
    assert [p["code"] for p in out["problems"] if p["code"] != "backdated"] == []


def test_tampering_is_reported_with_code_commit_record_and_person(agency):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    base = agency.head()
    rel = f"records/inquiries/2026/11/{rid}.md"
    # an event edited and committed under another name
    text = agency.file(rel).replace("to: family", "to: law")
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write(text)
    _commit_as(agency, "王芳", "j004@example.gov.cn", "fix")
    edited = agency.head()
    code, out = audit(agency, base)
    assert code == 1
    hit = [p for p in out["problems"] if p["code"] == "event-rewritten"]
    assert hit and hit[0]["commit"] == edited and hit[0]["record"] == rid and "王芳" in hit[0]["person"]
    # the event as people read it: what, when, who and where to, not its YAML keys and ISO time
    assert "转办（2026年11月2日 10:00，李明（J005）" in hit[0]["message"] and "人口家庭科" in hit[0]["message"], hit[0]
    assert "action" not in hit[0]["message"] and "2026-11-02" not in hit[0]["message"], hit[0]
    # an event appended by hand, signed by J019 (of `政策法规科`, where the forward now points) but committed by
    # J004, dated in the future
    with open(os.path.join(agency.path, rel), encoding="utf-8") as fh:
        text = fh.read()
    lines = text.split("\n")
    end = max(i for i, l in enumerate(lines) if l == "---")
    lines.insert(end, "  - {at: 2030-01-01T09:00:00+08:00, by: J019, action: accepted}")
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write("\n".join(lines))
    _commit_as(agency, "王芳", "j004@example.gov.cn", "accept")
    codes = {p["code"] for p in audit(agency, edited)[1]["problems"]}
    assert {"author-mismatch", "future-dated"} <= codes
    # a record deleted
    os.remove(os.path.join(agency.path, rel))
    _commit_as(agency, "王芳", "j004@example.gov.cn", "rm")
    deleted = [p for p in audit(agency)[1]["problems"] if p["code"] == "record-deleted"]
    assert deleted and deleted[0]["record"] == rid and deleted[0]["commit"] == agency.head()


def test_backdated_closed_edited_and_bulletin_rewritten(agency, monkeypatch):
    rid = agency.new("2026-11-02T09:30")
    # days late without a reason: refused; with one it is a declared 补录, which the audit accepts
    monkeypatch.delenv("SHOUWEN_LATE_REASON")
    r = agency.run("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    assert r.exit_code == 2 and "--late-reason" in r.stderr
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40", "--late-reason", "系统故障后补录")
    assert "backdated" not in [p["code"] for p in audit(agency)[1]["problems"]]
    # a time moved back by hand, with no reason: the event says 11-02 but the commit was made days later
    rel0 = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel0).replace("\n---\n", "\n  - {at: 2026-11-02T09:50:00+08:00, by: J005, action: rated, score: 5}\n---\n", 1)
    open(os.path.join(agency.path, rel0), "w", encoding="utf-8").write(text)
    _commit_as(agency, "李明", "j005@example.gov.cn", "rated")
    probs = audit(agency)[1]["problems"]
    codes = [p["code"] for p in probs]
    assert "backdated" in codes
    said = next(p["message"] for p in probs if p["code"] == "backdated")
    assert "事件时间 2026年11月2日 09:50" in said and "T09:50" not in said, said
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel).replace("name: 张三", "name: 张四")
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write(text)
    _commit_as(agency, "李明", "j005@example.gov.cn", "edit closed")
    # a header changed by hand, closed or not, is `record-edited`, naming the field (corrections are events)
    edited = [p for p in audit(agency)[1]["problems"] if p["code"] == "record-edited"]
    assert edited and edited[0]["field"] == "visitor.name" and edited[0]["record"] == rid
    os.makedirs(os.path.join(agency.path, "site/bulletins"), exist_ok=True)
    with open(os.path.join(agency.path, "site/bulletins/2026Q3.md"), "w", encoding="utf-8") as fh:
        fh.write("# 2026 年第三季度通报\n")
    agency.git("add", "-A")
    _commit_as(agency, "谢正平", "j021@example.gov.cn", "bulletin")
    assert "bulletin-rewritten" not in [p["code"] for p in audit(agency)[1]["problems"]]
    with open(os.path.join(agency.path, "site/bulletins/2026Q3.md"), "a", encoding="utf-8") as fh:
        fh.write("补充\n")
    _commit_as(agency, "谢正平", "j021@example.gov.cn", "amend")
    hit = [p for p in audit(agency)[1]["problems"] if p["code"] == "bulletin-rewritten"]
    assert hit and hit[0]["path"] == "site/bulletins/2026Q3.md"


def test_history_shows_each_event_with_its_commit(agency):
    rid = agency.new("2026-11-27T09:00")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-27T09:10")
    out = json.loads(agency.ok("history", rid, "--format", "json").stdout)
    assert [s["event"]["action"] for s in out["steps"]] == ["registered", "forwarded"]
    assert all(len(s["commit"]) == 40 and s["author"] == "李明" for s in out["steps"])
    assert agency.run("history", "20261127-J005-009").exit_code == 2
    text = agency.ok("history", rid).output       # in the clerk's words, as `show` gives them
    assert "人口家庭科" in text and "to=" not in text and "family" not in text, text
    assert text.startswith("2026年11月27日 09:00  登记") and "2026-11-27" not in text, text   # times as people read them


def test_three_desks_in_separate_processes_sync_until_quiet(tmp_path, agency):
    remote = tmp_path / "central.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    agency.git("remote", "add", "origin", str(remote))
    agency.git("push", "-q", "origin", "main")
    desks = {b: _clone(tmp_path, remote, b.lower()) for b in ("J005", "J006", "J007")}
    worker = os.path.join(os.path.dirname(__file__), "helpers", "desk_worker.py")
    procs = {b: subprocess.Popen([sys.executable, worker, d.path, b, "4"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for b, d in desks.items()}
    wrote = []
    for b, p in procs.items():
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        wrote += [json.loads(l) for l in out.splitlines()]
    for _ in range(2):                     # until quiet: every desk has everything
        for b, d in desks.items():
            d.ok("--as", b, "sync")
    final = _clone(tmp_path, remote, "reviewer")
    ids = {w["id"] for w in wrote}
    assert len([w for w in wrote if w["text"] == "registered"]) == len(ids) == 12   # no id collided
    for w in wrote:
        text = final.file(f"records/inquiries/2026/11/{w['id']}.md")
        assert w["text"] in text or w["text"] == "registered"
    assert sum("协办" in w["text"] for w in wrote) >= 6                     # desks appended to each other's records
    files = [f for f in final.git("ls-files", "records/inquiries").split() if f.endswith(".md")]
    assert len(files) == 12 and not any(f.count(".") > 1 for f in files)
    assert all(d.status() == "" and d.head() == final.head() for d in desks.values())
    grep = subprocess.run(["git", "-C", final.path, "grep", "-l", "-e", "^<<<<<<<", "--", "records"], capture_output=True)
    assert grep.returncode == 1                                              # no conflict marker anywhere
    out = json.loads(final.run("check", "--format", "json", "--today", "2026-11-26").stdout)
    assert not [p for p in out["problems"] if p["code"] in ("id-duplicate", "yaml-invalid", "event-order")]


def test_an_event_whose_action_is_not_a_word_is_audited_not_a_crash(agency):
    """A hand-edited event with `action: [note]` (a list), committed past the hook and removed again: audit and
    history name it; they do not stop with an internal error."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:35")
    rel = os.path.join(agency.path, f"records/inquiries/2026/11/{rid}.md")
    before = agency.file(f"records/inquiries/2026/11/{rid}.md")
    lines = before.split("\n")
    lines.insert(max(i for i, ln in enumerate(lines) if ln == "---"),
                 "  - {at: 2026-11-02T09:40:00+08:00, by: J005, action: [note]}")
    for text, msg in (("\n".join(lines), "odd"), (before, "undo")):
        open(rel, "w", encoding="utf-8").write(text)
        agency.git("commit", "-q", "--no-verify", "-am", msg)
    r = agency.run("audit")
    assert r.exit_code == 1 and "内部错误" not in r.output and "['note']" in r.output, r.output
    r = agency.run("history", rid)
    assert r.exit_code == 0 and "内部错误" not in r.output and "['note']" in r.output, r.output


def test_the_audit_names_an_acceptance_by_another_department_and_a_report_sent_for_one(agency):
    """The two role rules `check` holds (accepting a matter sent to another `科室`; a `科室`'s written report sent by
    another `科室`) hold in `audit` and `history` too, for what was committed past the hook."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    base = agency.head()
    rel = f"records/inquiries/2026/11/{rid}.md"
    lines = agency.file(rel).split("\n")
    lines.insert(max(i for i, ln in enumerate(lines) if ln == "---"),
                 "  - {at: 2026-11-02T10:30:00+08:00, by: J019, action: accepted}")     # `政策法规科`, not `人口家庭科`
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write("\n".join(lines))
    report = "records/reports/2026/09/HB-20260930-J005-001.md"
    agency.write(report, "---\nid: HB-20260930-J005-001\ndepartment: approvals\nquarter: 2026Q3\nevents:\n"
                 "  - {at: 2026-09-30T12:00:00+08:00, by: J005, action: submitted, summary: 代报}\n---\n")
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "by hand")
    forbidden = {p["record"]: p["message"] for p in audit(agency, base)[1]["problems"] if p["code"] == "role-forbidden"}
    assert "人口家庭科" in forbidden.get(rid, "") and "高博" in forbidden[rid], forbidden
    assert "HB-20260930-J005-001" in forbidden and "书面情况汇报" in forbidden["HB-20260930-J005-001"], forbidden
    r = agency.run("history", rid)
    assert r.exit_code == 0 and "人口家庭科的人员签收受理" in r.output, r.output
