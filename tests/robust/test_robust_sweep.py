"""What the s6 adversarial sweep found beyond the bad-input corpus: rules fields the corpus did not reach,
the other record kinds (complaints, reports), commands on records that are not inquiries, a correction
that would set a record aside, placard photos out of the agency, a history rewritten after a bulletin.

Each test is one defect the sweep found: exit 2 or a coded problem naming the file and the field, never
a traceback or `内部错误`, nothing written where a command refuses, the other commands unaffected.
"""
import os

import pytest

from robust.harness import R2, edit as _edit, make_desk, problems_of, reset as _reset

TS = "TS-20261103-J021-001"
TS_PATH = f"records/complaints/2026/11/{TS}.md"
HB = "HB-20261105-J004-001"
HB_PATH = f"records/reports/2026/11/{HB}.md"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """The corpus agency plus a substantiated complaint and a department's report."""
    d = make_desk(tmp_path_factory.mktemp("sweep") / "agency")
    for args in (["--as", "J021", "complain", "--against", "J005", "--summary", "态度差", "--channel", "box",
                  "--name", "王五", "--phone", "13900000000", "--at", "2026-11-03T10:00"],
                 ["--as", "J021", "verdict", TS, "--substantiated", "--reason", "属实", "--at", "2026-11-04T10:00"],
                 ["--as", "J004", "report", "reception", "--quarter", "2026Q4", "--summary", "汇报",
                  "--at", "2026-11-05T11:00"]):
        r = d.run(*args)
        assert r.exit_code == 0, r.output
    d.base = d.git("rev-parse", "HEAD").strip()
    assert d.crashes == []
    return d


def _named(d, rel, field):
    """`check` exits 1 and names the file and the field in a coded problem (no internal-error anywhere)."""
    r = d.run("check", "--format", "json")
    probs = problems_of(r)
    assert r.exit_code == 1, r.output
    assert not [p for p in probs if p["code"] == "internal-error"], probs
    named = [p for p in probs if p.get("path") == rel and (p.get("field") or "").startswith(field)]
    assert named, probs
    return named


def _others_answer(d, writes=(0,)):
    """One bad file stops nothing else: list answers with both matters, a write to another goes through
    (broken rules may refuse a write, with exit 2 and a message)."""
    r = d.run("list", "--format", "json")
    assert r.exit_code in (0, 1) and R2 in r.stdout, r.output
    for args in (["todo", "--all"], ["ladder", "2026"], ["review", "2026"], ["bulletin", "2026Q4"]):
        d.run(*args)
    w = d.run("--as", "J005", "note", R2, "--text", "照常办理")
    assert w.exit_code in writes and (w.exit_code == 0 or "错误" in w.stderr), w.output
    assert d.crashes == [], d.crashes


@pytest.mark.parametrize("old,new,field", [
    ("corrections:\n  fields:", "corrections: 任意\nold_corrections:\n  fields:", "corrections"),
    ("# 可以更正的登记内容", "reminders: 5\n# 可以更正的登记内容", "reminders"),
    ("liability:\n  department: head", "liability: 5", "liability"),
    ("suspend:\n", "suspend: 5\nold_suspend:\n", "suspend"),
    ("# 可以更正的登记内容", "reminders: {days: 很多, email: 5, webhooks: 无}\n# 可以更正的登记内容", "reminders"),
])
def test_a_policy_section_of_the_wrong_type_is_named_and_stops_nothing(sweep, old, new, field):
    _edit(sweep, "rules/policy.yml", old, new)
    assert all(p["severity"] == "error" for p in _named(sweep, "rules/policy.yml", field))
    sweep.run("remind", "--dry-run")
    _others_answer(sweep, writes=(0, 2))


def test_remind_with_a_horizon_past_the_calendar_is_a_usage_error(sweep):
    _reset(sweep)
    r = sweep.run("remind", "--dry-run", "--days", "99999999999999")
    assert r.exit_code == 2 and "错误" in r.stderr, r.output
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("rel,old,new,field", [
    (TS_PATH, "channel: box", "channel: [box]", "channel"),
    (TS_PATH, "summary: 态度差", "summary: 态度差\ninquiry: [20261102-J005-001]", "inquiry"),
    (TS_PATH, "summary: 态度差", "summary: {a: 1}", "summary"),
    (HB_PATH, "department: reception", "department: [reception]", "department"),
    (HB_PATH, "quarter: 2026Q4", "quarter: {q: 4}", "quarter"),
    (HB_PATH, "quarter: 2026Q4", "quarter: 0000Q4", "quarter"),
])
def test_an_account_record_header_of_the_wrong_type_is_named_and_stops_nothing(sweep, rel, old, new, field):
    _edit(sweep, rel, old, new)
    assert all(p["code"] != "internal-error" for p in _named(sweep, rel, field))
    rid = os.path.basename(rel)[:-3]
    sweep.run("show", rid)
    sweep.run("history", rid)
    sweep.run("find", "王五")
    _others_answer(sweep)


@pytest.mark.parametrize("rid", [TS, HB])
def test_a_note_on_a_complaint_or_report_says_it_was_committed(sweep, rid):
    _reset(sweep)
    r = sweep.run("--as", "J021", "note", rid, "--text", "已电话联系投诉人")
    assert sweep.crashes == [], sweep.crashes
    assert r.exit_code == 0 and "已提交" in r.stdout, r.output
    assert "已电话联系投诉人" in open(os.path.join(sweep.path, TS_PATH if rid == TS else HB_PATH), encoding="utf-8").read()


@pytest.mark.parametrize("field,value", [("matter", "红\x1b[31m字"), ("matter", "问" * 30000),
                                         ("visitor.name", "张\u0007三")])
def test_a_correction_that_would_set_the_record_aside_is_refused(sweep, field, value):
    _reset(sweep)
    before = sweep.snapshot()
    r = sweep.run("--as", "J005", "correct", R2, "--field", field, "--value", value, "--reason", "写错了")
    assert r.exit_code == 2 and "错误" in r.stderr and field in r.stderr, r.output
    assert sweep.snapshot() == before
    assert sweep.run("--as", "J005", "note", R2, "--text", "照常办理").exit_code == 0
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("old,new,field", [
    ("finding: substantiated", "finding: [substantiated]", "events[1].finding"),
    ("finding: substantiated", "finding: substantiated, score: [5]", "events[1].score"),
])
def test_an_event_value_of_the_wrong_type_is_shown_without_a_crash(sweep, old, new, field):
    _edit(sweep, TS_PATH, old, new)
    _named(sweep, TS_PATH, field)
    for args in (["show", TS], ["history", TS], ["show", TS, "--format", "json"]):
        r = sweep.run(*args)
        assert r.exit_code in (0, 1), r.output
    _others_answer(sweep)


@pytest.mark.parametrize("photo", ["../../../../../../../../etc/passwd", "/etc/passwd", "../.git/config"])
def test_a_placard_photo_outside_rules_is_never_inlined(sweep, tmp_path, photo):
    _edit(sweep, "rules/staff.yml", "[j005@example.gov.cn], public: true, window: W01}",
          f"[j005@example.gov.cn], public: true, window: W01, photo: '{photo}'}}")
    out = tmp_path / "placard.html"
    r = sweep.run("placard", "--window", "W01", "-o", str(out))
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "李明" in page and "data:" not in page          # the placard is printed, without that file
    assert sweep.crashes == [], sweep.crashes


def test_a_placard_photo_in_rules_is_inlined_re_encoded(sweep, tmp_path):
    from PIL import Image
    _reset(sweep)
    os.makedirs(os.path.join(sweep.path, "rules", "photos"))
    Image.new("RGB", (900, 1200), "red").save(os.path.join(sweep.path, "rules", "photos", "j005.png"))
    _edit_kept = open(os.path.join(sweep.path, "rules", "staff.yml"), encoding="utf-8").read().replace(
        "[j005@example.gov.cn], public: true, window: W01}",
        "[j005@example.gov.cn], public: true, window: W01, photo: photos/j005.png}", 1)
    with open(os.path.join(sweep.path, "rules", "staff.yml"), "w", encoding="utf-8") as fh:
        fh.write(_edit_kept)
    sweep.commit_all()
    out = tmp_path / "placard.html"
    assert sweep.run("placard", "--window", "W01", "-o", str(out)).exit_code == 0
    assert "data:image/jpeg;base64," in out.read_text(encoding="utf-8")


def test_a_history_rewritten_after_a_bulletin_is_caught_by_audit(sweep):
    """The bulletin names its commit; a rewrite of the history (here every commit re-dated, as filter-branch or
    a rebase does) leaves that commit out of HEAD's history, whatever else it made consistent."""
    import subprocess
    _reset(sweep)
    assert sweep.run("--as", "J021", "bulletin", "2026Q3", "--write").exit_code == 0
    clean = sweep.run("audit", "--format", "json")
    assert "bulletin-base-lost" not in clean.stdout, clean.output
    subprocess.run(["git", "-C", sweep.path, "filter-branch", "-f", "--env-filter",
                    "GIT_COMMITTER_DATE='2026-11-20T08:00:00+08:00'; export GIT_COMMITTER_DATE", "HEAD"],
                   check=True, capture_output=True, env={**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"})
    r = sweep.run("audit")
    assert r.exit_code == 1 and "bulletin-base-lost" in r.stdout and "site/bulletins/2026Q3.md" in r.stdout, r.output
    assert "历史被改写" in r.stdout
    assert sweep.crashes == [], sweep.crashes


def test_one_git_address_on_two_badges_is_named(sweep):
    _edit(sweep, "rules/staff.yml", "emails: [j006@example.gov.cn]", "emails: [J005@example.gov.cn]")
    _named(sweep, "rules/staff.yml", "staff[")
    r = sweep.run("check")
    assert "J005@example.gov.cn" in r.stdout and "J005" in r.stdout, r.output
    _others_answer(sweep, writes=(0, 2))


def test_a_write_on_a_detached_head_is_refused_and_writes_nothing(sweep):
    _reset(sweep)
    branch = sweep.git("symbolic-ref", "--short", "HEAD").strip()
    sweep.git("checkout", "-q", "--detach", "HEAD~1")
    try:
        before = sweep.snapshot()
        for args in (["--as", "J005", "note", R2, "--text", "旧提交上写"],
                     ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "2026-11-03T09:00"]):
            r = sweep.run(*args)
            assert r.exit_code == 3 and "错误" in r.stderr and "分离" in r.stderr, r.output
            assert sweep.snapshot() == before
        assert sweep.run("check").exit_code in (0, 1)          # reading goes on
    finally:
        sweep.git("checkout", "-q", "-f", branch)
    assert sweep.run("--as", "J005", "note", R2, "--text", "回到分支后照常").exit_code == 0
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("output", [".", "records", "rules", ".git", "..", "records/inquiries"])
def test_site_output_on_the_agency_itself_is_refused_and_deletes_nothing(sweep, output):
    """The build replaces its output folder: the agency, one of its tracked folders or a parent of it would be
    deleted (before: `site build -o .` removed the whole agency, .git included, `-o records` every record)."""
    _reset(sweep)
    before = sweep.snapshot()
    r = sweep.run("site", "pages", os.path.join(sweep.path, output))
    assert r.exit_code == 2 and "错误" in r.stderr and "输出目录" in r.stderr, r.output
    r = sweep.run("site", "build", "-o", os.path.join(sweep.path, output))
    assert r.exit_code == 2 and "错误" in r.stderr and "输出目录" in r.stderr, r.output
    assert os.path.isdir(os.path.join(sweep.path, ".git")) and sweep.snapshot() == before
    assert sweep.crashes == [], sweep.crashes


def test_site_output_over_a_folder_that_is_no_site_is_refused(sweep, tmp_path):
    _reset(sweep)
    mine = tmp_path / "我的文件"
    mine.mkdir()
    (mine / "工作总结.docx").write_bytes(b"not a site")
    r = sweep.run("site", "build", "-o", str(mine))
    assert r.exit_code == 2 and "输出目录" in r.stderr, r.output
    assert (mine / "工作总结.docx").read_bytes() == b"not a site"


@pytest.mark.parametrize("args", [
    ["receipt", R2, "-o", "{root}/records/inquiries/2026/11/20261102-J005-002.md"],
    ["placard", "-o", "{root}/rules/staff.yml"],
    ["bulletin", "2026Q3", "--gongwen", "{root}/rules/institution.yml"],
    ["export", "-o", "{root}/rules/登记簿.csv"],
    ["export", "-o", "{root}/mkdocs.yml.html", "-o", "{root}/.git/ledger.csv"],
])
def test_an_output_file_over_the_agency_files_is_refused(sweep, args):
    """A receipt over its record, a placard over the roster, a ledger of personal data into rules/ (before: all
    written, a tracked file overwritten)."""
    _reset(sweep)
    before = sweep.snapshot()
    r = sweep.run(*[a.format(root=sweep.path) for a in args])
    assert r.exit_code == 2 and "错误" in r.stderr and "输出文件" in r.stderr, r.output
    assert sweep.snapshot() == before and not os.path.exists(os.path.join(sweep.path, "rules", "登记簿.csv"))
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("content", ["[" * 100000, '{"a": ' * 50000, "\ufeff{}"])
def test_rollup_of_a_file_that_is_no_bulletin_is_a_clear_refusal(sweep, tmp_path, content):
    _reset(sweep)
    f = tmp_path / "市里收到的.json"
    f.write_text(content, encoding="utf-8")
    r = sweep.run("rollup", str(f))
    assert r.exit_code == 2 and "错误" in r.stderr and str(f) in r.stderr, r.output
    assert sweep.crashes == [], sweep.crashes


def test_an_exported_csv_runs_no_formula_and_imports_as_typed(sweep, tmp_path):
    """A visitor's name or matter that a spreadsheet would run (=HYPERLINK…, +cmd…, @SUM…): the CSV holds it as
    text (a leading apostrophe), and reading the file back gives it as typed (before: written bare)."""
    import csv
    from shouwen.cli.ledger_files import read_table
    _reset(sweep)
    name, matter = '=HYPERLINK("http://example.invalid","点我")', "+cmd|' /C calc'!A0"
    assert sweep.run("--as", "J005", "new", "--name", name, "--matter", matter, "--at", "2026-11-03T09:00").exit_code == 0
    out = tmp_path / "登记簿.csv"
    assert sweep.run("export", "-o", str(out)).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], [c for c in cells if c[:1] in "=+-@"]
    rows = read_table(str(out))
    assert [(r["发问人姓名"], r["发问事由"]) for r in rows if r["发问人姓名"] == name] == [(name, matter)]
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("rel,old,new,field", [
    ("rules/institution.yml", "\nwindows:", "\nclassified: 'no'\nwindows:", "classified"),
    ("rules/institution.yml", "site_url: http://zwfw.shouwen.example/", "site_url: 'javascript:alert(1)'", "site_url"),
    ("rules/institution.yml", "  - {id: W02,", "  - {id: W01,", "windows[1].id"),
    ("rules/staff.yml", "[j005@example.gov.cn], public: true, window: W01}", "[j005@example.gov.cn], public: true, window: W99}",
     "staff.J005.window"),
    ("rules/staff.yml", "[j005@example.gov.cn], public: true, window: W01}", "[j005@example.gov.cn], public: true, window: [W01]}",
     "staff[6].window"),
])
def test_an_institution_or_roster_value_of_the_wrong_kind_is_named(sweep, rel, old, new, field):
    """Values the shapes let through before: classified: 'no' (a text, read as true: the placard refused, the
    board emptied), a javascript: site address for the poster's QR codes, two windows with one id, a staff
    member at a window that does not exist."""
    _edit(sweep, rel, old, new)
    assert all(p["code"] != "internal-error" for p in _named(sweep, rel, field))
    _others_answer(sweep, writes=(0, 2))


@pytest.mark.parametrize("text", ["张\u202e三丰", "\u2067李四\u2069", "咨询\u202d再生育"])
def test_a_bidi_override_in_a_name_or_matter_is_refused(sweep, text):
    """An invisible right-to-left override turns what the desk, the ledger and the receipt show around."""
    _reset(sweep)
    before = sweep.snapshot()
    for args in (["--as", "J005", "new", "--name", text, "--matter", "咨询", "--at", "2026-11-03T09:00"],
                 ["--as", "J005", "new", "--name", "王五", "--matter", text, "--at", "2026-11-03T09:00"],
                 ["--as", "J005", "note", R2, "--text", text]):
        r = sweep.run(*args)
        assert r.exit_code == 2 and "控制字符" in r.stderr, r.output
        assert sweep.snapshot() == before
    _edit(sweep, "rules/staff.yml", "name: 李明", f"name: '{text}'")
    _named(sweep, "rules/staff.yml", "staff[6].name")
    assert sweep.crashes == [], sweep.crashes


@pytest.mark.parametrize("csv_text,where", [
    ("发问人姓名,发问事由,被问责任人,登记日期,发问人姓名\n张三,咨询,J005,2026-11-02,李四\n", "列名重复：发问人姓名"),
    ("发问人姓名,发问事由,被问责任人,登记日期,登记时间\n张三,咨询,J005,2026-11-02,24:00\n", "第 2 行 字段 登记时间"),
    ("发问人姓名,发问事由,被问责任人,登记日期,登记时间\n张三,咨询,J005,2026-11-02,上午\n", "第 2 行 字段 登记时间"),
    ("发问人姓名,发问事由,被问责任人,登记日期\n张三,咨询,J005,0001-01-01\n", "第 2 行 字段 登记日期"),
    ("发问人姓名,发问事由,被问责任人,登记日期\n张三,咨询,J005,9999-12-31\n", "第 2 行 字段 登记日期"),
])
def test_an_imported_row_that_would_be_read_two_ways_is_refused(sweep, tmp_path, csv_text, where):
    """Two columns of one name (which one is the visitor?) or a time that is none （24:00、上午） were read
    silently: the last column won, the time became 09:00."""
    _reset(sweep)
    f = tmp_path / "纸质登记簿.csv"
    f.write_text(csv_text, encoding="utf-8")
    before = sweep.snapshot()
    r = sweep.run("--as", "J003", "import", str(f))
    assert r.exit_code == 2 and where in r.stderr, r.output
    assert sweep.snapshot() == before and sweep.crashes == [], sweep.crashes


def test_a_bulletin_naming_a_complainant_is_not_published(sweep):
    """A sanction's 文号 typed with the complainant's name went into the published bulletin (committed for good,
    never to be rewritten) and every site build after failed on it; now --write refuses, naming the record."""
    _reset(sweep)
    ts = "TS-20260910-J021-001"
    for args in (["--as", "J021", "complain", "--against", "J006", "--summary", "推诿", "--channel", "box",
                  "--name", "欧阳小五", "--phone", "13912345678", "--at", "2026-09-10T10:00"],
                 ["--as", "J021", "verdict", ts, "--substantiated", "--reason", "属实", "--at", "2026-09-15T10:00"],
                 ["--as", "J001", "sanction", ts, "--staff", "J006", "--measure", "通报批评", "--decision", "欧阳小五投诉一案",
                  "--at", "2026-09-20T10:00"]):
        assert sweep.run(*args).exit_code == 0
    before = sweep.snapshot()
    r = sweep.run("--as", "J021", "bulletin", "2026Q3", "--write")
    assert r.exit_code == 2 and "pii-leak" in r.stderr and ts in r.stderr and "投诉人姓名" in r.stderr, r.output
    assert "欧阳小五" not in r.output                    # named by record and field, never by the value
    assert sweep.snapshot() == before
    assert sweep.crashes == [], sweep.crashes
