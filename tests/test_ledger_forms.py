"""The 首问登记簿 as offices keep it: typed date cells, the dates people type, a re-imported export,
the events column in Chinese read back exactly, and the printable A4 landscape register."""
import csv
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook

from shouwen.repo import store
import shutil

from conftest import Agency
from test_ledger_io import fresh, ledger_agency, snapshot  # noqa: F401  (fixture and helpers)

HEADER = ["登记日期", "登记时间", "发问人姓名", "联系办法", "发问事由", "被问责任人", "渠道", "办事事项"]


def test_export_is_typed_and_its_events_read_in_chinese(agency, tmp_path):
    r1, r2 = ledger_agency(agency)
    out = tmp_path / "ledger.xlsx"
    agency.ok("export", "-o", str(out))
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(header, ws[3])}
    assert ws.freeze_panes == "A2" and ws.column_dimensions["K"].width > 12
    col = {h: i for i, h in enumerate(header)}      # as a clerk sees it: bold heads, dates as dates, text wrapped
    assert ws[1][0].font.bold and ws[3][col["登记日期"]].number_format == "yyyy-mm-dd"
    assert ws[3][col["登记时间"]].number_format == "hh:mm" and ws[3][col["事件记录"]].alignment.wrap_text
    assert isinstance(row["登记日期"], datetime) and row["登记日期"].date() == date(2026, 11, 3)
    assert isinstance(row["登记时间"], time) and row["登记时间"] == time(10, 0)
    assert row["承诺办结日期"].date() == date(2026, 11, 13) and row["联系办法"] == "0935-2211234"
    lines = row["事件记录"].splitlines()
    assert lines[0].startswith("2026年11月3日 10:00｜李明（J005）｜登记｜")
    assert any(line.startswith("2026年11月3日 10:10｜李明（J005）｜转办｜至：人口家庭科（family）；承办人：朱立新（J014）")
               for line in lines)
    assert any(line.startswith("2026年11月4日 09:05｜朱立新（J014）｜承诺｜办结期限：2026年11月13日") for line in lines)


def test_reimporting_an_export_writes_nothing_and_says_so(agency, tmp_path):
    ledger_agency(agency)
    before = snapshot(agency.path)
    for name in ("ledger.xlsx", "ledger.csv"):
        out = tmp_path / name
        agency.ok("export", "-o", str(out))
        head = agency.head()
        r = agency.ok("--as", "J003", "import", str(out))
        assert "2 行都已在登记簿中" in r.output and "未写入任何内容" in r.output
        assert agency.head() == head and agency.status() == "" and snapshot(agency.path) == before


def test_dates_as_offices_type_them(fresh, tmp_path):
    paper = tmp_path / "paper.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([datetime(2026, 11, 27), time(9, 30), "王五", "13900000000", "咨询", "李明", "来电", "婚育情况"])
    ws.append(["2026/11/27", "10:00", "赵六", 13900000001, "咨询", "J005", "", ""])
    ws.append(["2026年11月27日", "", "钱七", "", "咨询", "李明（J005）", "来访", ""])
    ws.append([datetime(2026, 11, 27, 11, 15), "", "孙八", "", "咨询", "J005", "", ""])
    ws.append(["2026-11-27 14:05", "", "周九", "", "咨询", "J005", "网上", ""])
    wb.save(paper)
    fresh.ok("--as", "J003", "import", str(paper))
    recs = {r.meta["visitor"]["name"]: r for r in store.load_records(fresh.path)}
    at = {name: r.events[0]["at"] for name, r in recs.items()}
    assert at["王五"].isoformat() == "2026-11-27T09:30:00+08:00"
    assert at["赵六"].isoformat() == "2026-11-27T10:00:00+08:00"
    assert at["钱七"].isoformat() == "2026-11-27T09:00:00+08:00"
    assert at["孙八"].isoformat() == "2026-11-27T11:15:00+08:00"
    assert at["周九"].isoformat() == "2026-11-27T14:05:00+08:00"
    assert recs["王五"].meta["channel"] == "phone" and recs["王五"].meta["service"] == "marital-status-proof"
    assert recs["赵六"].meta["visitor"]["phone"] == "13900000001"
    # one matter's history audits the import as the whole audit does: five rows, five records, attested
    import json
    steps = json.loads(fresh.ok("history", recs["赵六"].id, "--format", "json").stdout)
    assert "import-unattested" not in json.dumps(steps, ensure_ascii=False), steps


def test_a_paper_ledger_imported_twice_is_written_once(fresh, tmp_path):
    """Rows without an id (a hand-kept register) that are in the ledger already are skipped, as an export's are:
    the same visitor, matter, first responder and minute."""
    paper = tmp_path / "paper.csv"
    with open(paper, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, ["2026/11/27", "9:30", "王五", "13900000000", "咨询", "李明", "来电", ""],
                                  ["2026/11/27", "9:45", "赵六", "", "咨询", "J005", "", ""]])
    fresh.ok("--as", "J003", "import", str(paper))
    head = fresh.head()
    with open(paper, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["2026/11/27", "10:00", "钱七", "", "咨询", "J005", "", ""])
    r = fresh.ok("--as", "J003", "import", str(paper))
    assert "已导入 1 件" in r.output and "2 行已在登记簿中" in r.output, r.output
    assert sorted(rec.meta["visitor"]["name"] for rec in store.load_records(fresh.path)) == ["王五", "赵六", "钱七"]
    head = fresh.head()
    r = fresh.ok("--as", "J003", "import", str(paper))
    assert "3 行都已在登记簿中" in r.output and fresh.head() == head


def test_a_bad_date_is_named_by_row(fresh, tmp_path):
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, ["2026年13月1日", "", "王五", "", "咨询", "J005", "", ""]])
    r = fresh.run("--as", "J003", "import", str(bad))
    assert r.exit_code == 2 and "第 2 行 字段 登记日期" in r.stderr and "“2026年13月1日”不对：没有 13 月" in r.stderr


def test_the_printable_register_is_a4_landscape(agency, tmp_path):
    ledger_agency(agency)
    out = tmp_path / "登记簿.html"
    agency.ok("export", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert "size: A4 landscape" in page and "<h1>首问登记簿</h1>" in page
    for col in ("发问人姓名", "单位", "地址", "联系办法", "发问事由", "被问责任人", "办理结果或衔接情况"):
        assert f"<th>{col}</th>" in page
    assert "李四" in page and "2026年11月3日" in page


def test_a_formula_with_no_saved_result_is_refused_not_read_as_empty(fresh, tmp_path):
    """A workbook written by a program (openpyxl here) and never opened in Excel/WPS/LibreOffice holds its formulas
    without their results: such a cell is not an empty one. Refused naming the file, sheet, row and column; nothing
    is written."""
    paper = tmp_path / "paper.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "十一月"
    ws.append(HEADER)
    ws.append(["2026/11/27", "9:30", "王五", "13900000000", "咨询", "J005", "", ""])
    ws.append(["2026/11/27", "9:45", "赵六", "", "咨询", "J005", '=IF(A3="","","来电")', ""])
    ws.append(["2026/11/27", "10:00", "钱七", "", "咨询", "J005", "", ""])
    ws["D4"] = "=D2"                       # a phone copied down by formula
    wb.save(paper)
    head, before = fresh.head(), snapshot(fresh.path)
    r = fresh.run("--as", "J003", "import", str(paper))
    assert r.exit_code == 2, r.output
    for said in (str(paper), "十一月", "第 3 行 G 列（渠道）", "第 4 行 D 列（联系办法）", "公式"):
        assert said in r.stderr, (said, r.stderr)
    assert fresh.head() == head and snapshot(fresh.path) == before


def test_a_voided_registration_stays_in_the_exported_ledger_marked_void(agency, fresh, tmp_path):
    # a ledger is evidence: a registration voided (作废) stays in the 登记簿, marked so with its reason; the export
    # left it out, so the paper copy had a gap in the ids and a re-import lost it
    r1, r2 = ledger_agency(agency)
    dup = agency.new("2026-11-03T10:02", name="李四")
    agency.ok("--as", "J003", "void", dup, "--reason", "重复登记（同一发问人）", "--at", "2026-11-03T11:00")
    for name in ("ledger.csv", "ledger.xlsx"):
        out = tmp_path / name
        assert "已导出 3 件" in agency.ok("export", "-o", str(out)).output
        if name.endswith(".csv"):
            with open(out, encoding="utf-8-sig", newline="") as fh:
                table = [dict(r) for r in csv.DictReader(fh)]
        else:
            ws = load_workbook(out).active
            header = [c.value for c in ws[1]]
            table = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
        assert [r["事项编号"] for r in table] == [r1, r2, dup], name
        assert table[2]["状态"] == "已作废（重复登记［同一发问人］）" and table[1]["状态"] != "已作废", name
        assert "作废" in table[2]["事件记录"].splitlines()[-1]
    page = tmp_path / "登记簿.html"
    agency.ok("export", "-o", str(page))
    text = page.read_text(encoding="utf-8")
    assert "已作废（重复登记［同一发问人］）" in text and "共 3 件（其中作废 1 件）" in text
    # and an import of it gives the voided record back, still void
    fresh.ok("--as", "J003", "import", str(tmp_path / "ledger.csv"))
    assert snapshot(fresh.path) == snapshot(agency.path)


def test_texts_with_line_breaks_and_separators_round_trip_through_the_export(agency, fresh, tmp_path):
    """A note or result typed over several lines, holding ｜ or a line `---`, comes back from the agency's own
    export the same, .xlsx and .csv (it used to go into 事件记录 raw: the import split it into lines and refused)."""
    r1, r2 = ledger_agency(agency)
    agency.ok("--as", "J005", "note", r1, "--text", "第一行\n---\n第三行：甲｜乙", "--at", "2026-11-02T09:50")
    agency.ok("--as", "J005", "note", r1, "--text", "空行之后\n\n末行\r\n回车换行", "--at", "2026-11-02T09:55")
    agency.ok("--as", "J014", "note", r2, "--text", "结果待核\n2026年11月3日 10:00｜李明（J005）｜登记｜",
              "--at", "2026-11-12T15:30")
    want = snapshot(agency.path)
    for name in ("ledger.xlsx", "ledger.csv"):
        target = Agency(tmp_path / f"fresh-{name}")
        shutil.copytree(fresh.path, target.path)
        out = tmp_path / name
        agency.ok("export", "-o", str(out))
        target.ok("--as", "J003", "import", str(out))
        assert snapshot(target.path) == want, name


def test_every_line_of_the_events_column_is_one_event_and_older_exports_still_read():
    from pathlib import Path
    from shouwen.core.record import CST
    from shouwen.publish.ledger_lines import event_cell, event_chunks, read_event
    from shouwen.repo.loader import load_rules
    rules = load_rules(str(Path(__file__).resolve().parent.parent))
    at = datetime(2026, 11, 2, 9, 50, tzinfo=CST)
    events = [{"at": at, "by": "J005", "action": "registered"},
              {"at": at, "by": "J005", "action": "note", "text": "甲\u2028乙\x85丙\x0b丁\x1c戊\r己\x7f庚\n---"},
              {"at": at, "by": "J005", "action": "answer", "answer": "一\n二", "note": "三；四｜五"},
              {"at": at, "by": "J005", "action": "note", "text": "手改的记录，末尾有空格 "}]
    events += [{"at": at, "by": "J005", "action": "note", "text": "“引号开头”", "note": "C:\\路径\\“甲”"},
               {"at": at, "by": "J005", "action": "note", "text": "转办\n说明"},
               {"at": at, "by": "J005", "action": "answered", "answer": "一\n二", "note": "三；四｜五"}]
    cell = event_cell(events, rules)
    # each event in the Chinese form (`时间｜经办人｜事件｜内容`), never YAML with English keys: a text that would break
    # the line or the cell's separators is put in Chinese quotes, its line breaks, ｜, ； and quotes escaped
    # (but for the unknown action `answer`, which goes as one line of YAML)
    assert len(cell.splitlines()) == 7 and cell.splitlines()[2].startswith("{")
    lines = cell.splitlines()[:2] + cell.splitlines()[3:]
    assert all(line.startswith("2026年11月2日 09:50｜李明（J005）｜") for line in lines), cell
    assert cell.splitlines()[6].endswith("｜答复：“一\\n二”；附注：“三\\；四\\｜五”")
    assert cell.splitlines()[5].endswith("｜内容：“转办\\n说明”")
    assert [read_event(c) for c in event_chunks(cell)] == events
    # what an older export wrote in quotes (no escape in it) is read as it stands
    said = "2026年11月2日 09:50｜李明（J005）｜备注｜内容：“好的”；附注：他说“好”"
    assert read_event(said) == {**events[0], "action": "note", "text": "“好的”", "note": "他说“好”"}
    # an older export wrote a text's line breaks raw: the lines that start no event go on the text above
    old = "2026年11月2日 09:50｜李明（J005）｜登记｜\n2026年11月2日 09:50｜李明（J005）｜备注｜内容：一\n\n---\n二\n"
    assert [read_event(c) for c in event_chunks(old)] == [events[0], {**events[1], "text": "一\n\n---\n二"}]
    # and the record file's YAML, which folds such a text over lines (an older export's form for a text with ｜)
    from shouwen.core.record import event_line
    folded = {**events[1], "text": "第一行\n---\n甲｜乙"}
    assert "\n" in event_line(folded)
    assert [read_event(c) for c in event_chunks(cell.splitlines()[0] + "\n" + event_line(folded))][1] == folded
