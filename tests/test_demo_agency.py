"""The shipped demo agency (rules/ and records/ of this repository) and `shouwen demo`."""
import json
import os
from datetime import date

from click.testing import CliRunner

from shouwen.repo import store
from shouwen.cli import cli
from shouwen.core.corrections import MENDING_EVENTS
from shouwen.core.fold import EVENT_FIELDS
from shouwen.core.ledger import build
from shouwen.repo.loader import load_rules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD_FAMILIES = {"record", "reference"}


def test_demo_rules_are_rich_and_valid():
    rules = load_rules(ROOT)
    assert rules.problems == []
    assert len(rules.departments) >= 6 and any(d.parent for d in rules.departments.values())
    for d in rules.departments.values():
        assert d.raw.get("functions") and d.raw.get("powers") and d.head in rules.staff
    assert len(rules.staff) >= 24 and all(s.emails for s in rules.staff.values())
    assert len(rules.services) >= 8
    kinds = {s.kind for s in rules.services.values()}
    assert kinds == {"即办件", "承诺件"}
    assert rules.policy.forward_limit == 2 and rules.policy.expires and rules.policy.effective


def test_shipped_records_are_valid_and_cover_the_scheme():
    from shouwen.core.problems import CODES
    rules = load_rules(ROOT)
    records = store.load_records(ROOT, use_cache=False)
    led = build(records, rules, date(2026, 11, 27))
    structural = [p for p in led.problems if CODES[p.code][0] in RECORD_FAMILIES]
    assert structural == []
    accounts = [e for e in led.entries if e.account is not None]
    led.entries = [e for e in led.entries if e.state is not None]
    assert len(led.entries) >= 300
    # complaints (some substantiated and sanctioned), commendations, inspections and written reports
    kinds = {e.record.kind for e in accounts}
    assert kinds == {"complaints", "commendations", "inspections", "reports"}
    from shouwen.core.accountability import Complaint
    complaints = [e.account for e in accounts if isinstance(e.account, Complaint)]
    assert any(c.verdict and c.verdict.finding == "substantiated" for c in complaints)
    assert any(c.verdict and c.verdict.finding == "unfounded" for c in complaints)
    assert any(c.sanctions for c in complaints)
    days = sorted(e.state.registered_at.date() for e in led.entries)
    assert days[0] >= date(2026, 7, 1) and days[-1] <= date(2026, 11, 27)
    actions = {ev["action"] for e in led.entries for ev in e.record.events}
    # every desk action; mending (corrected, voided) is for mistakes, which the shipped quarter has none of
    assert actions == set(EVENT_FIELDS) - set(MENDING_EVENTS)
    codes = {p.code for p in led.problems}
    assert {"forward-late", "overdue"} <= codes                    # some late, some overdue and open
    assert any(e.state.rating in (1, 2) for e in led.entries)       # some rated badly
    assert any(not e.state.closed for e in led.entries)


def test_demo_command_builds_a_real_history(tmp_path):
    r = CliRunner().invoke(cli, ["demo", "--size", "12", "--since", "2026-11-02", "--until", "2026-11-13",
                                 str(tmp_path / "d")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    import re
    import subprocess
    said = int(re.search(r"(\d+) 次提交", r.output).group(1))
    assert said == int(subprocess.run(["git", "-C", str(tmp_path / "d"), "rev-list", "--count", "HEAD"],
                                      capture_output=True, text=True).stdout)      # every commit, the rules' too
    r = CliRunner().invoke(cli, ["--repo", str(tmp_path / "d"), "check", "--today", "2026-11-13", "--format", "json"])
    out = json.loads(r.stdout)
    assert out["records"] >= 12
    from shouwen.core.problems import CODES
    assert not [p for p in out["problems"] if CODES[p["code"]][0] in RECORD_FAMILIES]
    import subprocess
    authors = subprocess.run(["git", "-C", str(tmp_path / "d"), "log", "--format=%an"], capture_output=True,
                             text=True).stdout.split()
    assert len(authors) > 12                            # one commit per event, not per record
    assert set(authors) & {"李明", "张晓燕", "刘洋", "陈静怡"}    # desk staff as authors


def test_the_shipped_bulletin_is_reproduced_from_the_commit_it_names():
    import re
    import subprocess
    text = open(os.path.join(ROOT, "site", "bulletins", "2026Q3.md"), encoding="utf-8").read()
    commit = re.search(r"依据登记簿提交 `([0-9a-f]{40})`", text).group(1)
    if subprocess.run(["git", "-C", ROOT, "cat-file", "-e", f"{commit}^{{commit}}"]).returncode != 0:
        import pytest
        pytest.skip(f"提交 {commit[:10]} 不在本克隆中（浅克隆）")
    r = CliRunner().invoke(cli, ["--repo", ROOT, "bulletin", "2026Q3", "--at", commit])
    assert r.exit_code == 0 and r.stdout == text


def test_the_fast_demo_writes_the_history_the_writer_writes(tmp_path):
    """`shouwen demo` writes its history straight into a pack; through the writer, one git process a
    commit, the same plan gives the same commits: files, authors, dates, messages, and the same tree; git
    finds the pack sound (`fsck --strict`: every object, delta and checksum)."""
    import subprocess
    from shouwen.repo.demo import make_demo
    # a quarter's end inside the window: the office's steps (correct, void, suspend, resume, reopen,
    # the written reports) are written as the writer writes them too
    fast, n = make_demo(str(tmp_path / "fast"), 16, date(2026, 9, 21), date(2026, 10, 16), seed=8)
    slow, m = make_demo(str(tmp_path / "slow"), 16, date(2026, 9, 21), date(2026, 10, 16), seed=8, via_writer=True)

    def history(path):
        out = subprocess.run(["git", "-C", path, "log", "--reverse", "--raw", "--no-abbrev", "--format=%an <%ae> %ad "
                              "%cn <%ce> %cd%n%B%n.", "--date=raw", "HEAD~%d.." % n], capture_output=True, text=True)
        return out.stdout

    assert n == m and n > 14
    assert history(fast) == history(slow) and "Shouwen-Action: registered" in history(fast)
    for action in ("corrected", "voided", "suspended", "resumed", "reopened", "submitted"):
        assert f"Shouwen-Action: {action}" in history(fast), action
    tree = lambda p: subprocess.run(["git", "-C", p, "rev-parse", "HEAD^{tree}"], capture_output=True, text=True).stdout
    assert tree(fast) == tree(slow)
    # its rules' 1,000 rounds (`lookup.rounds`), kept in each record beside the key, which they derive
    from shouwen.core.lookup_key import derive
    rec = next(r for r in store.load_records(fast, use_cache=False) if r.kind == "inquiries")
    assert rec.meta["lookup_rounds"] == 1000 and rec.meta["lookup"] == derive(rec.id, rec.meta["code"], 1000).hex()
    assert subprocess.run(["git", "-C", fast, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    fsck = subprocess.run(["git", "-C", fast, "fsck", "--strict", "--no-dangling"], capture_output=True, text=True)
    assert fsck.returncode == 0 and fsck.stdout + fsck.stderr == "", fsck.stdout + fsck.stderr
    r = CliRunner().invoke(cli, ["--repo", fast, "audit", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["commits"] == n + 1


def test_the_demo_never_has_a_complaint_ruled_on_in_conflict():
    """A complaint against 接访室's own clerk (it registers matters at W06) is ruled on by someone outside
    his line, for every member of staff below the leadership (a 3,000-matter demo had one in conflict)."""
    from shouwen.core.roles import conflict
    from shouwen.repo.demo import verdict_judge
    rules = load_rules(ROOT)
    top = {d.id for d in rules.departments.values() if d.parent is None}    # the leaders register nothing
    for badge in (b for b, s in rules.staff.items() if s.department not in top):
        assert conflict(rules, verdict_judge(rules, badge), [badge]) is None, badge


def test_a_demo_made_to_today_writes_nothing_after_now(tmp_path):
    """`shouwen demo` ends today by default: its office closes at 18:00, so a demo made before then (or given a
    day to come) ends with the last day already over, and its audit finds no commit or event in the future."""
    import subprocess
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    from shouwen.repo.demo import make_demo
    today = datetime.now(CST).date()
    path, _ = make_demo(str(tmp_path / "d"), 10, today - timedelta(days=12), today + timedelta(days=5), seed=4)
    last = subprocess.run(["git", "-C", path, "log", "-1", "--format=%ct"], capture_output=True, text=True).stdout
    assert int(last) <= datetime.now().timestamp()
    r = CliRunner().invoke(cli, ["--repo", path, "audit", "--format", "json"])
    assert [p["code"] for p in json.loads(r.stdout)["problems"] if p["severity"] == "error"] == [], r.output


def _texts_people_read(root: str, folders=("records", "rules", "site")):
    """(file, text) of every value and body of the demo's files an office or a visitor reads: the YAML values
    (not its syntax, keys, ids or times) and the Markdown bodies."""
    import glob
    import yaml
    from helpers import zhpunct
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(root, folder, "**", "*"), recursive=True)):
            if not path.endswith((".md", ".yml")) or "/overrides/" in path:
                continue
            text = open(path, encoding="utf-8").read()
            rel = os.path.relpath(path, root)
            if path.endswith(".yml") or text.startswith("---\n"):
                head, _, text = text[4:].partition("\n---\n") if text.startswith("---\n") else (text, "", "")
                for s in zhpunct.strings(yaml.safe_load(head)):
                    yield rel, s
            yield rel, text


def _ascii_beside_chinese(texts) -> list[str]:
    from helpers import zhpunct
    return sorted({f"{where}: {t[max(0, hs[0] - 12):hs[0] + 12]}" for where, t in texts if (hs := zhpunct.hits(t))})


def test_the_shipped_demo_reads_in_chinese_punctuation():
    """GB/T 15834 in what the shipped demo agency holds: matters, answers, notes, verdicts, reasons, summaries,
    rules and pages use ，：；（） beside Chinese, not , : ; ( )."""
    bad = _ascii_beside_chinese(_texts_people_read(ROOT))
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:30])


def test_a_new_demo_reads_in_chinese_punctuation(tmp_path):
    """… and in what `shouwen demo` writes: its records, rules and the commit messages people read in git log."""
    import subprocess
    from shouwen.repo.demo import make_demo
    path, _ = make_demo(str(tmp_path / "d"), 40, date(2026, 9, 14), date(2026, 10, 16), seed=3)
    log = subprocess.run(["git", "-C", path, "log", "--format=%B"], capture_output=True, text=True).stdout
    bad = _ascii_beside_chinese([*_texts_people_read(path), *(("git log", m) for m in log.split("\n"))])
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:30])


def test_two_demos_of_one_seed_are_the_same_history(tmp_path):
    """Issue 15 item 6: a demo is reproducible (benchmarks compare runs on it): the same size, seed and days
    give the very same commits, wherever it is made; another seed another ledger."""
    import subprocess

    def head(name, seed):
        r = CliRunner().invoke(cli, ["demo", "--size", "6", "--since", "2026-11-02", "--until", "2026-11-06",
                                     "--seed", str(seed), str(tmp_path / name)], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        return subprocess.run(["git", "-C", str(tmp_path / name), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert head("a", 5) == head("elsewhere/b", 5) != head("c", 6)
