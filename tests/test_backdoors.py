"""Issue 10's back doors, each tried again through the real CLI on a real repository: refused when
written, or reported by `audit` with its code, the commit, the record and the person."""
import json
import os
import subprocess

import pytest

LI_MING = ("李明", "j005@example.gov.cn")        # J005, a clerk at the reception
WANG_FANG = ("王芳", "j004@example.gov.cn")      # J004, head of the reception


def commit_as(agency, who, msg, *args):
    name, email = who
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email)
    subprocess.run(["git", "-C", agency.path, *args, "commit", "-qa", "--no-verify", "-m", msg], env=env, check=True)
    return agency.head()


def audit(agency, *extra):
    r = agency.run("audit", "--format", "json", *extra)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)["problems"]


def hits(problems, code):
    return [p for p in problems if p["code"] == code]


def edit(agency, rel, fn):
    full = os.path.join(agency.path, rel)
    with open(full, encoding="utf-8") as fh:
        text = fh.read()
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(fn(text))


FORGED = "{at: 2026-11-02T11:00:00+08:00, by: J014, action: note, text: 已办结}"


@pytest.mark.parametrize("layout", ["two-spaces", "block", "second-events-key", "keys-reordered"])
def test_no_layout_hides_a_forged_event_from_the_audit(agency, layout):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    rel = f"records/inquiries/2026/11/{rid}.md"
    if layout == "two-spaces":
        edit(agency, rel, lambda t: t.replace("\n---\n", f"\n  -  {FORGED}\n---\n", 1))
    elif layout == "keys-reordered":     # one appended line, as the writer appends, but not the writer's line
        edit(agency, rel, lambda t: t.replace("\n---\n", "\n  - {by: J014, at: 2026-11-02T11:00:00+08:00, action: note, "
                                                       "text: 已办结}\n---\n", 1))
    elif layout == "block":
        edit(agency, rel, lambda t: t.replace("\n---\n", "\n  - at: 2026-11-02T11:00:00+08:00\n    by: J014\n"
                                                       "    action: note\n    text: 已办结\n---\n", 1))
    else:   # all events but the forwarding again, under a second `events:` key, plus the forgery
        def second(t):
            head, rest = t.split("events:\n", 1)
            lines = [l for l in rest.split("\n") if l.startswith("  - ")]
            return t.replace("\n---\n", "\nevents:\n" + lines[0] + f"\n  - {FORGED}\n---\n", 1)
        edit(agency, rel, second)
    forged = commit_as(agency, WANG_FANG, "hand")
    probs = [p for p in audit(agency) if p["commit"] == forged]
    assert all(p["record"] == rid and "王芳" in p["person"] for p in probs)
    codes = {p["code"] for p in probs}
    assert {"author-mismatch", "record-noncanonical"} <= codes, codes
    if layout == "second-events-key":
        assert "event-rewritten" in codes         # the forwarding the second key hides
    # and `check` sees the file is not the writer's
    out = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-02").stdout)
    assert [p["record"] for p in hits(out["problems"], "record-noncanonical")] == [rid]


def _branch_merge(agency, mutate_merge):
    """Two lines of work merged by hand; `mutate_merge` alters the merge result before it is committed."""
    rid = agency.new("2026-11-02T09:30")
    other = agency.new("2026-11-02T09:40", badge="J006")
    agency.git("checkout", "-qb", "side")
    agency.ok("--as", "J005", "note", rid, "--text", "旁支", "--at", "2026-11-02T10:00")
    agency.git("checkout", "-q", "main")
    agency.ok("--as", "J006", "note", other, "--text", "主干", "--at", "2026-11-02T10:05")
    env = dict(os.environ, GIT_AUTHOR_NAME=WANG_FANG[0], GIT_AUTHOR_EMAIL=WANG_FANG[1],
               GIT_COMMITTER_NAME=WANG_FANG[0], GIT_COMMITTER_EMAIL=WANG_FANG[1])
    subprocess.run(["git", "-C", agency.path, "merge", "-q", "--no-ff", "--no-commit", "side"], env=env, check=True)
    mutate_merge(rid, other)
    subprocess.run(["git", "-C", agency.path, "commit", "-qa", "--no-verify", "-m", "merge"], env=env, check=True)
    return rid, other, agency.head()


def test_a_merge_that_drops_an_event_or_a_record_is_reported(agency):
    def drop(rid, other):
        edit(agency, f"records/inquiries/2026/11/{rid}.md",
             lambda t: "\n".join(l for l in t.split("\n") if "旁支" not in l))
        agency.git("rm", "-q", f"records/inquiries/2026/11/{other}.md")
    rid, other, merge = _branch_merge(agency, drop)
    probs = [p for p in audit(agency) if p["commit"] == merge]
    assert {(p["code"], p["record"]) for p in probs} == {("event-rewritten", rid), ("record-deleted", other)}
    assert all("王芳" in p["person"] for p in probs)


def test_a_clean_merge_is_clean(agency):
    rid, other, merge = _branch_merge(agency, lambda rid, other: None)
    assert [p for p in audit(agency) if p["code"] != "backdated"] == []


def test_a_clerk_may_not_change_the_rules_or_the_site_configuration(agency):
    edit(agency, "rules/policy.yml", lambda t: t.replace("verdict: [{department: supervision}",
                                                          "verdict: [{department: reception}, {department: supervision}"))
    roster = commit_as(agency, LI_MING, "我也能下结论")
    edit(agency, "mkdocs.yml", lambda t: t + "\nextra_javascript_x: 1\n")
    site = commit_as(agency, LI_MING, "site")
    edit(agency, "hooks/shouwen_site.py", lambda t: t + "\n# x\n")
    hook = commit_as(agency, LI_MING, "hook")
    with open(os.path.join(agency.path, ".woodpecker.yml"), "w", encoding="utf-8") as fh:
        fh.write("steps: []\n")
    agency.git("add", ".woodpecker.yml")
    ci = commit_as(agency, LI_MING, "another CI")
    forbidden = hits(audit(agency), "role-forbidden")
    found = {(p["commit"], p["path"]) for p in forbidden}
    assert {(roster, "rules/policy.yml"), (site, "mkdocs.yml"), (hook, "hooks/shouwen_site.py"),
            (ci, ".woodpecker.yml")} <= found, found
    assert all("修改了 mkdocs.yml：按" in p["message"] for p in forbidden if p["path"] == "mkdocs.yml")


def test_an_import_commit_without_its_evidence_excuses_nothing(agency):
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    # a clerk commits another desk's on-time completion, dated weeks back, calling it an import
    edit(agency, rel, lambda t: t.replace("\n---\n", "\n  - {at: 2026-11-02T09:40:00+08:00, by: J014, action: answered, "
                                                     "answer: 已办结}\n---\n", 1))
    forged = commit_as(agency, LI_MING, "导入\n\nShouwen-Action: imported")
    probs = [p for p in audit(agency) if p["commit"] == forged]
    assert {"import-unattested", "author-mismatch"} <= {p["code"] for p in probs}


def test_impossible_events_are_refused_when_written(agency, monkeypatch):
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    head = agency.head()
    r = agency.run("--as", "J005", "note", rid, "--text", "明年", "--at", "2030-01-01T09:00")
    assert r.exit_code == 2 and "晚于现在" in r.stderr
    r = agency.run("--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "2030-01-01T09:00")
    assert r.exit_code == 2
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-03T09:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-04T09:00")
    r = agency.run("--as", "J014", "promise", rid, "--due", "2026-11-03", "--at", "2026-11-04T09:10")
    assert r.exit_code == 2 and "办结日期 2026年11月3日 早于受理日期 2026年11月4日" in r.stderr, r.stderr
    r = agency.run("--as", "J014", "rate", rid, "--score", "5", "--at", "2026-11-04T09:20")
    assert r.exit_code == 2 and "尚未结束" in r.stderr
    r = agency.run("--as", "J014", "deliver", rid, "--method", "窗口取件", "--at", "2026-11-04T09:20")
    assert r.exit_code == 2 and "办结" in r.stderr
    monkeypatch.delenv("SHOUWEN_LATE_REASON")
    r = agency.run("--as", "J014", "note", rid, "--text", "补记", "--at", "2026-11-04T09:30")
    assert r.exit_code == 2 and "--late-reason" in r.stderr
    assert agency.git("rev-list", "--count", f"{head}..HEAD").strip() == "2" and agency.status() == ""
    agency.ok("--as", "J014", "note", rid, "--text", "补记", "--at", "2026-11-04T09:30", "--late-reason", "停电")
    shown = json.loads(agency.ok("show", rid, "--format", "json").stdout)
    assert shown["events"][-1]["late_reason"] == "停电"


def test_the_site_is_never_built_from_a_configuration_that_runs_code(agency):
    marker = os.path.join(agency.path, "PWNED")
    edit(agency, "mkdocs.yml", lambda t: t + f'\nwatch: !!python/object/apply:os.system ["touch {marker}"]\n')
    r = agency.run("site", "build")
    assert r.exit_code == 2 and "mkdocs.yml 第" in r.stderr and "Python" in r.stderr
    assert not os.path.exists(marker)


def test_events_put_in_another_order_are_reported(agency):
    """Swapping two events (the acceptance before the forward) removes nothing, yet rewrites what happened."""
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    rel = f"records/inquiries/2026/11/{rid}.md"

    def swap(t):
        lines = t.split("\n")
        i = [n for n, l in enumerate(lines) if l.startswith("  - {")]
        lines[i[1]], lines[i[2]] = lines[i[2]], lines[i[1]]
        return "\n".join(lines)
    edit(agency, rel, swap)
    forged = commit_as(agency, WANG_FANG, "reorder")
    probs = [p for p in audit(agency) if p["commit"] == forged]
    assert [(p["code"], p["record"]) for p in probs] == [("event-rewritten", rid)], probs
    assert "王芳" in probs[0]["person"] and "顺序" in probs[0]["message"]


def test_a_reason_left_in_the_environment_marks_only_late_entries_as_late(agency, monkeypatch):
    """SHOUWEN_LATE_REASON set for a session of 补录 must not stamp 补录理由 on what is entered on time:
    an on-time event would read as a late entry in `show`, `history` and the audit."""
    from datetime import datetime, timedelta, timezone
    monkeypatch.setenv("SHOUWEN_LATE_REASON", "停电后补录")
    now = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0)
    rid = json.loads(agency.ok("--as", "J005", "new", "--name", "甲", "--phone", "13800000000", "--matter", "咨询",
                               "--at", (now - timedelta(days=3)).isoformat(), "--format", "json").stdout)["id"]
    agency.ok("--as", "J005", "note", rid, "--text", "刚才的事", "--at", (now - timedelta(minutes=5)).isoformat())
    agency.ok("--as", "J005", "note", rid, "--text", "今天的补充")
    events = json.loads(agency.ok("show", rid, "--format", "json").stdout)["events"]
    assert [e.get("late_reason") for e in events] == ["停电后补录", None, None], events


def test_an_appended_line_that_is_not_utf8_is_read_as_the_reader_reads_it(agency):
    """One line appended in the writer's layout, one byte of it not UTF-8: the audit's shortcut for appended
    lines must not read it leniently (a replacement character) where the one reader finds no record at all."""
    rid = agency.new("2026-11-02T09:30")
    full = os.path.join(agency.path, f"records/inquiries/2026/11/{rid}.md")
    with open(full, "rb") as fh:
        data = fh.read()
    line = "  - {at: 2026-11-02T11:00:00+08:00, by: J005, action: note, text: 已办结}\n".encode().replace("办".encode(), b"\xff\xfe")
    with open(full, "wb") as fh:
        fh.write(data.replace(b"\n---\n", b"\n" + line + b"---\n", 1))
    forged = commit_as(agency, LI_MING, "hand")
    probs = [p for p in audit(agency) if p["commit"] == forged]
    assert probs and all(p["record"] == rid for p in probs), probs
    assert "event-rewritten" in {p["code"] for p in probs}       # the reader finds none of its events
