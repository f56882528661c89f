"""The canonical form: any layout but the writer's is `record-noncanonical`; `fmt` mends it in one commit."""
import json
import os


def _codes(agency, code="record-noncanonical"):
    out = json.loads(agency.run("check", "--format", "json", "--today", "2026-11-02").stdout)
    return [p for p in out["problems"] if p["code"] == code]


def _forge(agency, rid, how):
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    forged = "{at: 2026-11-02T10:00:00+08:00, by: J014, action: note, text: 伪造}"
    if how == "two-spaces":
        text = text.replace("\n---\n", f"\n  -  {forged}\n---\n", 1)
    elif how == "block":
        text = text.replace("\n---\n", "\n  - at: 2026-11-02T10:00:00+08:00\n    by: J014\n    action: note\n"
                            "    text: 伪造\n---\n", 1)
    elif how == "duplicate-key":
        head, events = text.split("events:\n", 1)
        lines = events.split("\n")
        text = head + "events:\n" + "\n".join(lines) .replace("\n---\n", "\n", 1) \
            + "events:\n  - " + forged + "\n---\n"
        text = text.replace("\n\n", "\n")
    elif how == "comment":
        text = text.replace("matter:", "# 已核对\nmatter:", 1)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    return rel


def test_every_other_layout_is_reported_and_fmt_mends_it_in_one_commit(agency):
    ids = {how: agency.new("2026-11-02T09:30") for how in ("two-spaces", "block", "duplicate-key", "comment")}
    assert _codes(agency) == []
    paths = {how: _forge(agency, rid, how) for how, rid in ids.items()}
    # the pre-commit hook (check --staged) already refuses them; an attacker skips it
    import subprocess
    assert subprocess.run(["git", "-C", agency.path, "commit", "-qam", "手工修改"], capture_output=True).returncode != 0
    agency.git("commit", "-qa", "--no-verify", "-m", "手工修改")
    hits = {p["path"]: p for p in _codes(agency)}
    assert set(hits) == set(paths.values())
    assert all(h["severity"] == "error" and h["record"] == ids[how] for how, h in
               ((how, hits[paths[how]]) for how in ids))
    assert "重复了键 events" in hits[paths["duplicate-key"]]["message"]
    # the desk may not append to such a file: that would launder the hand edit silently
    head = agency.head()
    r = agency.run("--as", "J005", "note", ids["comment"], "--text", "再记", "--at", "2026-11-02T11:00")
    assert r.exit_code == 2 and "shouwen fmt" in r.output and agency.head() == head and agency.status() == ""
    # `fmt --check` lists, writes nothing
    r = agency.run("fmt", "--check")
    assert r.exit_code == 1 and agency.head() == head
    agency.ok("--as", "J003", "fmt")
    assert agency.git("rev-list", "--count", f"{head}..HEAD").strip() == "1"
    changed = agency.git("show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted(paths.values())
    assert _codes(agency) == []
    # what the file said stays what it says: the duplicate key's last value, the forged note in plain sight
    shown = json.loads(agency.ok("show", ids["duplicate-key"], "--format", "json").stdout)
    assert [e["action"] for e in shown["events"]] == ["note"]
    assert agency.ok("fmt").output.strip() == "所有记录均为规范格式"


def test_fmt_mends_a_layout_edited_by_hand_and_not_committed_but_never_commits_a_change_of_content(agency):
    # check says "请运行 shouwen fmt" for a record laid out by hand; fmt refused it while the edit was uncommitted,
    # so a clerk went round in a circle. A layout edit alone is mended (the record as HEAD holds it); a change of
    # content is not put into a commit under the name of whoever runs fmt
    rid = agency.new("2026-11-02T09:30")
    rel = _forge(agency, rid, "comment")                # a comment: the layout, not the data
    assert [p["record"] for p in _codes(agency)] == [rid]
    head = agency.head()
    agency.ok("--as", "J003", "fmt")
    assert _codes(agency) == [] and agency.status() == "" and agency.head() == head     # as committed, nothing new
    text = agency.file(rel)
    agency.write(rel, text.replace("matter:", "# 已核对\nmatter:", 1).replace("channel: visit", "channel: phone"))
    r = agency.run("--as", "J003", "fmt")
    assert r.exit_code == 2 and rel in r.stderr and rid in r.stderr and "内容" in r.stderr and agency.head() == head
    assert "channel: phone" in agency.file(rel)         # the hand edit is left for the office to look at
    # a record made by hand and never committed is nobody's to sign for either
    agency.git("checkout", "--", rel)
    made = rel.replace(rid, rid[:-3] + "099")
    agency.write(made, agency.file(rel).replace(rid, rid[:-3] + "099").replace("matter:", "# 手写\nmatter:", 1))
    r = agency.run("--as", "J003", "fmt")
    assert r.exit_code == 2 and made in r.stderr and "尚未提交" in r.stderr and agency.head() == head
