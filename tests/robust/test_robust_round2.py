"""What the s7 sweep (the second round) found: numbers too long for Python to print in a record or an
argument, the desk page's errors, hostile spreadsheets, Click's own messages.

Each test is one defect: exit 2 or a coded problem naming the file and the field, never a traceback or
`内部错误`, nothing written where a command refuses, the other commands unaffected.
"""
import os

import pytest

from robust.harness import R1, R2, REC, edit as _edit, make_desk, problems_of, reset as _reset

HUGE = "9" * 5000          # past Python's 4,300 digits: int() of it raises, str() of such a number too


@pytest.fixture(scope="module")
def round2(tmp_path_factory):
    d = make_desk(tmp_path_factory.mktemp("round2") / "agency")
    return d


@pytest.mark.parametrize("value", [HUGE, "0x" + "f" * 4000, "1" + "_0" * 4400, ":".join(["59"] * 2500)])
def test_a_number_too_long_to_print_in_a_record_is_named_and_stops_nothing(round2, value):
    """`matter: 999…9` (5,000 digits) stopped check, list, show, todo and remind for the whole ledger."""
    _edit(round2, REC, "matter: 咨询再生育审批", f"matter: {value}")
    r = round2.run("check", "--format", "json")
    assert r.exit_code == 1, r.output
    probs = problems_of(r)
    assert not [p for p in probs if p["code"] == "internal-error"], probs
    assert [p for p in probs if p.get("path") == REC], probs
    for args in (["list"], ["show", R1], ["show", R2], ["--as", "J005", "todo"], ["remind", "--dry-run"],
                 ["find", "张三"]):
        r = round2.run(*args)
        assert r.exit_code in (0, 1), (args, r.output)
    assert round2.crashes == [], round2.crashes


@pytest.mark.parametrize("args", [["--as", "J014", "promise", R1, "--days", HUGE],
                                  ["--as", "J014", "promise", R1, "--days", HUGE + "个工作日"],
                                  ["--as", "J005", "rate", R1, "--score", HUGE],
                                  ["--as", "J005", "rate", R1, "--score", HUGE + "分"]])
def test_a_number_too_long_for_python_as_an_argument_is_refused(round2, args):
    _reset(round2)
    before = round2.snapshot()
    r = round2.run(*args)
    assert r.exit_code == 2 and "错误" in r.stderr and args[4] in r.stderr, r.output
    assert round2.snapshot() == before
    assert round2.crashes == [], round2.crashes


# --- the desk page ------------------------------------------------------------------------------------

@pytest.fixture
def desk_client(logged_in, round2):
    _reset(round2)
    return logged_in


@pytest.fixture(scope="module")
def logged_in(round2):
    """The desk page of the round2 agency in Flask's test client, logged in as 李明 (J005)."""
    import re
    from datetime import datetime

    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    _reset(round2)
    pins.set_pin(round2.path, "J005", "2468")
    app = create_app(round2.path, now=lambda: datetime(2026, 11, 2, 12, 0, tzinfo=CST))
    c = app.test_client()
    c.get("/login")
    with c.session_transaction() as s:
        csrf = s["csrf"]
    assert c.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf}).status_code == 302
    with c.session_transaction() as s:
        c.csrf = s["csrf"]
    c.once = lambda path="/new": re.search(r'name="once" value="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)
    return c


def _page(r) -> str:
    """What the page says in its main part, without tags."""
    import re
    body = r.get_data(as_text=True)
    m = re.search(r"<main.*?</main>", body, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0) if m else body))


def _chinese_page(r):
    text = _page(r)
    assert "Method Not Allowed" not in text and "Internal Server Error" not in text and "Traceback" not in text, text
    assert "Request Entity" not in text and "Content Too Large" not in text, text
    return text


@pytest.mark.parametrize("method,path", [("put", "/"), ("delete", "/new"), ("get", "/logout"), ("post", "/"),
                                         ("get", "/pad/rate"), ("patch", f"/r/{R1}")])
def test_a_wrong_method_on_the_desk_page_is_answered_in_chinese(round2, desk_client, method, path):
    before = round2.snapshot()
    r = getattr(desk_client, method)(path, data={"csrf": desk_client.csrf})
    assert r.status_code == 405
    assert "不支持" in _chinese_page(r)
    assert round2.snapshot() == before


def test_a_huge_form_is_refused_in_chinese_before_it_is_read(round2, desk_client):
    before = round2.snapshot()
    r = desk_client.post("/new", data={"csrf": desk_client.csrf, "once": desk_client.once(), "name": "王五",
                                       "matter": "a" * (1 << 20)})
    assert r.status_code == 413
    assert "过大" in _chinese_page(r)
    assert round2.snapshot() == before


def test_a_matter_sent_to_the_pad_that_does_not_exist_is_no_server_error(round2, desk_client):
    before = round2.snapshot()
    for rid in ("NOPE", "20991231-J005-999", "../../etc/passwd"):
        r = desk_client.post(f"/r/{rid}/pad", data={"csrf": desk_client.csrf})
        assert r.status_code == 404, (rid, r.status_code)
        _chinese_page(r)
    assert round2.snapshot() == before


def test_a_bug_behind_the_desk_page_is_a_chinese_page_and_one_line(round2, desk_client, monkeypatch, capsys):
    """Whatever goes wrong inside shows no English 500 page and prints no traceback on the desk's console."""
    from shouwen.desk import app as desk_app
    monkeypatch.setattr(desk_app, "find", lambda *a: 1 / 0)
    r = desk_client.get("/find?q=张三")
    assert r.status_code == 500
    assert "内部错误" in _chinese_page(r)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "ZeroDivisionError" in err


def test_a_form_token_the_desk_never_gave_is_not_called_already_submitted(round2, desk_client):
    """A form without its one-time token (or with a forged one) wrote nothing and said `已经提交过`, which was false."""
    before = round2.snapshot()
    for once in ("", "forged"):
        r = desk_client.post("/new", data={"csrf": desk_client.csrf, "once": once, "name": "王五", "matter": "咨询"})
        assert r.status_code == 400
        text = _chinese_page(r)
        assert "提交过" not in text and "刷新" in text, text
    assert round2.snapshot() == before


@pytest.mark.parametrize("choice", ["³", "²", HUGE])
def test_a_service_number_python_calls_a_digit_but_cannot_read_is_asked_again(round2, choice):
    """`new` asks for the service by number: ³ is a digit to str.isdigit() and int() refuses it (`内部错误`)."""
    from click.testing import CliRunner
    from shouwen.cli import cli
    _reset(round2)
    r = CliRunner().invoke(cli, ["--repo", round2.path, "--as", "李明", "new"],
                           input=f"王五\n13912345678\n\n\n咨询\n来访\n{choice}\n3\n")
    assert r.exit_code == 0 and "内部错误" not in r.output, r.output
    assert "请重新输入" in r.output and "已登记" in r.output, r.output



def test_a_record_file_numbered_with_superscripts_does_not_stop_the_next_registration(round2):
    """A file named 20261102-J005-²³⁴.md beside the day's records made every `new` of J005 that day crash."""
    _reset(round2)
    folder = os.path.join(round2.path, "records", "inquiries", "2026", "11")
    with open(os.path.join(folder, "20261102-J005-²³⁴.md"), "w", encoding="utf-8") as fh:
        fh.write("---\nid: x\n---\n")
    round2.commit_all()
    r = round2.run("--as", "J005", "new", "--name", "王五", "--matter", "咨询", "--at", "2026-11-02T15:00")
    assert r.exit_code == 0 and "20261102-J005-003" in r.output, r.output
    assert round2.crashes == [], round2.crashes


# --- import of hostile spreadsheets --------------------------------------------------------------------

HEADER = ["登记日期", "登记时间", "发问人姓名", "联系办法", "发问事由", "被问责任人", "事件记录"]
ROW = ["2026-11-03", "09:30", "王五", "13900000000", "咨询", "李明（J005）"]
REG = "2026年11月3日 09:30｜李明（J005）｜登记｜"


def _csv(tmp_path, rows, name="登记簿.csv"):
    import csv
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return str(path)


def _import_refused(d, path, *words):
    """`import` exits 2 naming the row and the field, in Chinese only, and writes nothing."""
    before = d.snapshot()
    r = d.run("--as", "J003", "import", path)
    assert r.exit_code == 2, r.output
    assert d.snapshot() == before
    assert d.crashes == [], d.crashes
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    return r.stderr


@pytest.mark.parametrize("line,said", [
    ("2026年2月30日 09:30｜李明（J005）｜备注｜内容：x", "2026年2月30日"),
    ("2026年11月3日 29:30｜李明（J005）｜备注｜内容：x", "29:30"),
    ("2026年11月3日 10:00｜朱立新（J014）｜评价｜评分：很好", "很好"),
    ("2026年11月3日 10:00｜朱立新（J014）｜评价｜评分：" + HUGE, "评分"),
    ("2026年11月3日 10:00｜朱立新（J014）｜承诺｜办结期限：2026年13月1日", "2026年13月1日"),
    ("{at: 2026-11-03T10:00:00+08:00, by: J005, action: [note", "方括号"),
])
def test_an_event_line_python_cannot_read_is_named_in_chinese(round2, tmp_path, line, said):
    """An imported event line with `2 月 30 日`, 29:30 or a score in words said `day is out of range for month`,
    `hour must be in 0..23`, `invalid literal for int()`, or PyYAML's English."""
    _reset(round2)
    err = _import_refused(round2, _csv(tmp_path, [HEADER, ROW + [REG + "\n" + line]]), "第 2 行", "事件记录", said)
    for english in ("out of range", "must be in", "invalid literal", "Exceeds", "while parsing", "expected"):
        assert english not in err, err


def test_a_thousand_rows_of_one_person_and_day_are_refused_by_row_not_by_a_crash(round2, tmp_path):
    """Ids number a person's day 001–999: the 1,000th matter (a long register imported without ids) was an
    internal error (ValueError from make_id). The day's 999th file is there already; the next row is refused."""
    _reset(round2)
    folder = os.path.join(round2.path, "records", "inquiries", "2026", "11")
    with open(os.path.join(folder, "20261103-J005-999.md"), "w", encoding="utf-8") as fh:
        fh.write("---\nid: 20261103-J005-999\n---\n")
    rows = [HEADER[:-1], ROW, ["2026-11-03", "09:40", "赵六", "", "咨询", "J006"]]
    err = _import_refused(round2, _csv(tmp_path, rows), "第 2 行", "999")
    assert "第 3 行" not in err, err


def test_a_csv_of_more_rows_than_the_limit_is_refused_before_it_is_read(round2, tmp_path):
    """The .xlsx had a row limit (100,000), the .csv none."""
    from shouwen.publish.ledger_table import MAX_IMPORT_ROWS
    _reset(round2)
    path = tmp_path / "大.csv"
    path.write_text("登记日期,发问人姓名,发问事由,被问责任人\n" + "2026-11-03,王五,咨询,J005\n" * (MAX_IMPORT_ROWS + 1),
                    encoding="utf-8")
    assert f"超过 {MAX_IMPORT_ROWS} 行" in _import_refused(round2, str(path))


def _xlsx(tmp_path, rows, title="首问登记簿", tweak=None, name="登记簿.xlsx"):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    if tweak:
        tweak(wb, ws)
    path = tmp_path / name
    wb.save(path)
    return str(path)


def _dry_run(d, path):
    r = d.run("--as", "J003", "import", path, "--dry-run")
    assert d.crashes == [], d.crashes
    return r


def test_rows_formatted_but_empty_do_not_count_against_the_row_limit(round2, tmp_path):
    """A column formatted down the sheet (as offices do) made a one-row register 超过 100000 行."""
    from openpyxl.styles import Font
    from shouwen.publish import ledger_table
    _reset(round2)

    def styled(wb, ws):
        for r in range(3, 60):
            ws.cell(row=r, column=1).font = Font(bold=True)
    path = _xlsx(tmp_path, [HEADER[:-1], ROW], tweak=styled)
    old = ledger_table.MAX_IMPORT_ROWS
    ledger_table.MAX_IMPORT_ROWS = 10           # the same count at a size a test can afford
    try:
        r = _dry_run(round2, path)
    finally:
        ledger_table.MAX_IMPORT_ROWS = old
    assert r.exit_code == 0 and "共 1 件可以导入" in r.output, r.output


@pytest.mark.parametrize("cells", [[46329, 0.3958333333333333], [46329.3958333333, ""], [46329, "09:30"]])
def test_a_date_cell_that_lost_its_date_format_is_read_as_the_date_excel_shows(round2, tmp_path, cells):
    """Excel keeps a date as its serial number (46329 is `2026年11月3日`); a cell whose `日期` format was lost (a paste,
    WPS's `常规`) holds that number, and the register was refused though Excel shows the date once formatted."""
    _reset(round2)
    r = _dry_run(round2, _xlsx(tmp_path, [HEADER[:-1], cells + ROW[2:]]))
    assert r.exit_code == 0 and "共 1 件可以导入" in r.output, r.output


def test_a_register_under_a_title_row_on_its_own_sheet_is_found(round2, tmp_path):
    """Offices put a title row above the header and keep notes on the first sheet: the register was refused
    with 第 1 行缺少列 naming no sheet."""
    _reset(round2)

    def second(wb, ws):
        reg = wb.create_sheet("2026年11月")
        for r in (["示例市政务服务局首问登记簿"], [], HEADER[:-1], ROW):
            reg.append(r)
    r = _dry_run(round2, _xlsx(tmp_path, [["填表说明：每件事项一行"]], title="说明", tweak=second))
    assert r.exit_code == 0 and "共 1 件可以导入" in r.output, r.output


def test_a_workbook_without_a_register_names_its_sheets(round2, tmp_path):
    _reset(round2)

    def second(wb, ws):
        wb.create_sheet("统计").append(["科室", "件数"])
    err = _import_refused(round2, _xlsx(tmp_path, [["随便写的"]], title="说明", tweak=second))
    assert "说明" in err and "统计" in err and "发问人姓名" in err, err


@pytest.mark.parametrize("data", [b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", b"a,b\n"])
def test_a_file_that_is_no_workbook_is_named_in_chinese(round2, tmp_path, data):
    _reset(round2)
    path = tmp_path / "登记簿.xlsx"
    path.write_bytes(data)
    err = _import_refused(round2, str(path), "登记簿.xlsx", "Excel")
    assert "zip" not in err and "File is" not in err and "There is no item" not in err, err


def test_a_name_merged_over_two_rows_is_in_both(round2, tmp_path):
    """A visitor's name merged over the rows of his two matters: the second row said 缺少发问人姓名."""
    _reset(round2)
    rows = [HEADER[:-1], ROW, ["2026-11-03", "09:50", None, "13900000000", "再咨询", "李明（J005）"]]
    r = _dry_run(round2, _xlsx(tmp_path, rows, tweak=lambda wb, ws: ws.merge_cells("C2:C3")))
    assert r.exit_code == 0 and "共 2 件可以导入" in r.output, r.output


def test_a_bad_row_is_named_by_the_number_the_spreadsheet_shows(round2, tmp_path):
    """Blank lines and a title row above the header shifted the row numbers the refusal named."""
    _reset(round2)
    rows = [["示例市首问登记簿"], [], HEADER[:-1], ROW, [], ["2026-11-03", "10:00", "", "", "咨询", "李明"]]
    err = _import_refused(round2, _xlsx(tmp_path, rows), "第 6 行", "发问人姓名")
    assert "第 4 行" not in err and "第 3 行" not in err, err
    csv_rows = [HEADER[:-1], ROW, [], ["2026-11-03", "10:00", "", "", "咨询", "李明"]]
    _import_refused(round2, _csv(tmp_path, csv_rows), "第 4 行", "发问人姓名")


def test_a_workbook_that_unzips_past_the_limit_is_refused_before_it_is_opened(round2, tmp_path, monkeypatch):
    """An .xlsx is a zip: 20 MB of it may hold gigabytes of XML that openpyxl would hold in memory."""
    from shouwen.publish import ledger_table
    _reset(round2)
    path = _xlsx(tmp_path, [HEADER[:-1], ROW])
    monkeypatch.setattr(ledger_table, "MAX_UNZIPPED_BYTES", 4096)     # the same check on a small workbook
    assert "解压后过大" in _import_refused(round2, path)


# --- remind against real local receivers ---------------------------------------------------------------

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"
ENGLISH = ("Errno", "refused", "Error", "Expecting", "not supported", "unknown url", "Invalid", "b'", "extension")


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox():
    """A real SMTP server (aiosmtpd) whose answer to each recipient and message the test sets."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        (pytest.fail if REQUIRED else pytest.skip)("未安装 Python 包 aiosmtpd")
    box = {"rcpt": "250 OK", "data": "250 OK", "got": []}

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if box["rcpt"].startswith("250"):
                envelope.rcpt_tos.append(address)
            return box["rcpt"]

        async def handle_DATA(self, server, session, envelope):
            if box["data"].startswith("250"):
                box["got"].append(envelope.rcpt_tos)
            return box["data"]
    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    box["port"] = port
    yield box
    controller.stop()


@pytest.fixture
def robot():
    """A local HTTP receiver standing in for a group robot, answering as the test sets."""
    import http.server
    import threading
    answer = {"status": 200, "body": b'{"errcode": 0}'}

    class Robot(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(answer["status"])
            self.send_header("Content-Length", str(len(answer["body"])))
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    answer["url"] = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=k"
    yield answer
    server.shutdown()
    server.server_close()


def _remind_with(d, email="{}", hooks="[]", staff=None):
    """The round2 agency with R1 forwarded to 朱立新 (J014), who must accept it by 2026-11-03, and R2 not yet
    forwarded by 李明 (J005): two people to remind, neither reminded before."""
    _reset(d)
    if os.path.exists(os.path.join(d.path, ".shouwen", "reminded.json")):
        os.remove(os.path.join(d.path, ".shouwen", "reminded.json"))
    with open(os.path.join(d.path, "rules", "policy.yml"), "a", encoding="utf-8") as fh:
        fh.write(f"\nreminders:\n  email: {email}\n  webhooks: {hooks}\n")
    if staff:
        path = os.path.join(d.path, "rules", "staff.yml")
        text = open(path, encoding="utf-8").read()
        assert staff[0] in text
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace(*staff))
    d.commit_all("提醒设置")
    return d.run("remind", "--today", "2026-11-05")


@pytest.mark.parametrize("answer,said", [("rcpt:550 5.1.1 no such user", "拒收（550）"),
                                         ("data:554 5.7.1 rejected", "拒绝（554）"),
                                         ("down", "连接被拒绝"), ("starttls", "STARTTLS")])
def test_a_mail_server_that_refuses_is_explained_in_chinese(round2, inbox, answer, said):
    """smtplib's own words reached the clerk: `[Errno 111] Connection refused`, `{'j014@…': (550, b'…')}`,
    `STARTTLS extension not supported by server.`"""
    port = _free_port() if answer == "down" else inbox["port"]
    if ":" in answer:
        inbox[answer.split(":")[0]] = answer.split(":", 1)[1]
    tls = ", starttls: true" if answer == "starttls" else ""
    r = _remind_with(round2, f"{{host: 127.0.0.1, port: {port}{tls}}}")
    assert r.exit_code == 1 and said in r.stderr, r.output
    assert not [w for w in ENGLISH if w in r.stderr], r.stderr
    assert round2.crashes == [], round2.crashes
    assert round2.git("status", "--porcelain") == ""


@pytest.mark.parametrize("status,body,said", [(500, b"oops", "HTTP 500"), (200, b"<html>login</html>", "不是 JSON"),
                                              (200, b"[1]", "不是 JSON"), (None, b"", "格式不对")])
def test_a_robot_that_answers_wrong_is_explained_in_chinese(round2, robot, status, body, said):
    robot.update(status=status or 200, body=body)
    url = robot["url"] if status else "企业微信"
    r = _remind_with(round2, hooks=f"[{{kind: wecom, url: '{url}'}}]")
    assert r.exit_code == 1 and said in r.stderr, r.output
    assert not [w for w in ENGLISH if w in r.stderr], r.stderr
    assert round2.crashes == [], round2.crashes


def test_a_person_without_an_address_is_named_not_skipped_in_silence(round2, inbox):
    r = _remind_with(round2, f"{{host: 127.0.0.1, port: {inbox['port']}}}",
                     staff=("[j014@example.gov.cn]", "[]"))
    assert "朱立新（J014）" in r.stderr and "没有邮箱" in r.stderr, r.output
    assert inbox["got"] == [["j005@example.gov.cn"]]
    assert round2.crashes == [], round2.crashes


def test_a_silent_mail_server_costs_one_timeout_not_one_per_person(round2, monkeypatch):
    """A server that takes the connection and never answers held remind 20 s for each person to remind."""
    import socket
    import threading
    from shouwen.publish import remind
    monkeypatch.setattr(remind, "TIMEOUT", 0.5)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []

    def take():
        try:
            while True:
                accepted.append(listener.accept())      # and never a word: no greeting
        except OSError:
            pass                                        # the listener closed
    threading.Thread(target=take, daemon=True).start()
    try:
        r = _remind_with(round2, f"{{host: 127.0.0.1, port: {listener.getsockname()[1]}}}")
    finally:
        listener.close()
    assert r.exit_code == 1 and r.stderr.count("发送失败") == 2 and "没有应答" in r.stderr, (r.stdout, r.stderr)
    assert len(accepted) == 1, accepted


# --- Click's own messages ------------------------------------------------------------------------------

@pytest.mark.parametrize("args,said", [
    (["new", "--name"], "选项“--name”需要一个值"),
    (["todo", "--all", "extra"], "多余的参数（extra）"),
    (["list", "--overdue=yes"], "不带值"),
])
def test_a_usage_error_says_error_once(round2, args, said):
    """Click's usage errors printed 错误：用法错误：… (two labels for one thing)."""
    r = round2.run("--as", "J005", *args)
    assert r.exit_code == 2 and said in r.stderr, r.output
    assert "用法错误" not in r.stderr and r.stderr.count("错误") == 1, r.stderr


@pytest.mark.parametrize("args,said", [(["lst"], "list"), (["chek"], "check"), (["help"], "shouwen --help"),
                                       (["site", "bild"], "build")])
def test_a_misspelled_command_is_answered_with_the_closest(round2, args, said):
    r = round2.run(*args)
    assert r.exit_code == 2 and "没有命令" in r.stderr and said in r.stderr, r.output


def test_a_group_without_its_command_shows_its_help_not_an_error(round2):
    """`shouwen site` printed its whole help page after 错误：用法错误：用法：…"""
    r = round2.run("site")
    assert r.exit_code == 2 and "命令：" in r.output and "build" in r.output, r.output
    assert "错误" not in r.output, r.output


@pytest.mark.parametrize("args,said", [(["remind", "--days", "-5"], "0 到 365"),
                                       (["check", "--format", "xml"], "text、json"),
                                       (["--as", "J005", "new", "--nmae", "王五"], "--name")])
def test_click_lists_ranges_choices_and_options_in_chinese(round2, args, said):
    """`0<=x<=365`, `'text', 'json'` and `--help, --channel` were Click's English way of listing."""
    r = round2.run(*args)
    assert r.exit_code == 2 and said in r.stderr, r.output
    assert "<=" not in r.stderr and "', '" not in r.stderr and ", --" not in r.stderr, r.stderr


# --- shouwen desk: the PIN file and the port ---------------------------------------------------------------

@pytest.fixture
def no_serving(monkeypatch):
    """`desk` must refuse before it serves: a test never blocks on a server."""
    import werkzeug.serving

    def refuse(*a, **k):
        raise AssertionError("desk started serving")
    monkeypatch.setattr(werkzeug.serving, "run_simple", refuse)


@pytest.mark.parametrize("text", ["{broken", "[1, 2]", '"J005"'])
def test_a_damaged_pin_file_is_named_not_an_internal_error(round2, no_serving, text):
    _reset(round2)
    path = os.path.join(round2.path, ".shouwen", "desk-pins.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    try:
        desk, set_pin = _damaged_pins_refused(round2, path, text)
    finally:
        os.remove(path)
    assert "desk-pins.json" in desk and "--set-pin" in desk and "desk-pins.json" in set_pin


def _damaged_pins_refused(round2, path, text):
    from click.testing import CliRunner
    from shouwen.cli import cli
    first = r = round2.run("desk")
    assert r.exit_code == 2 and "desk-pins.json" in r.stderr and "--set-pin" in r.stderr, r.output
    r = CliRunner().invoke(cli, ["--repo", round2.path, "--as", "J005", "desk", "--set-pin"], input="2468\n2468\n")
    assert r.exit_code == 2 and "desk-pins.json" in r.output, r.output
    assert open(path, encoding="utf-8").read() == text            # nothing of it overwritten unasked
    assert round2.crashes == [], round2.crashes
    return first.stderr, r.output


def test_a_pin_entry_of_the_wrong_shape_is_no_server_error_at_login(round2):
    """A PIN line whose salt is no hex (a hand edit) made the login page a 500 on that person's try."""
    import json
    from datetime import datetime
    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    _reset(round2)
    pins.set_pin(round2.path, "J005", "2468")
    path = os.path.join(round2.path, ".shouwen", "desk-pins.json")
    kept = json.load(open(path, encoding="utf-8"))
    kept["J006"] = {"salt": "zz", "hash": 5}
    json.dump(kept, open(path, "w", encoding="utf-8"))
    c = create_app(round2.path, now=lambda: datetime(2026, 11, 2, 12, 0, tzinfo=CST)).test_client()
    page = c.get("/login").get_data(as_text=True)
    assert "李明" in page and "张晓燕" not in page          # only those whose PIN can be checked are offered
    with c.session_transaction() as s:
        csrf = s["csrf"]
    r = c.post("/login", data={"badge": "J006", "pin": "1234", "csrf": csrf})
    assert r.status_code == 401
    os.remove(path)


def test_a_desk_port_in_use_or_out_of_range_is_said_in_chinese(round2, no_serving):
    import socket
    _reset(round2)
    from shouwen.desk import pins
    pins.set_pin(round2.path, "J005", "2468")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = round2.run("desk", "--port", str(s.getsockname()[1]))
    assert r.exit_code == 2 and "已被" in r.stderr and "--port" in r.stderr, r.output
    assert "Address already in use" not in r.output and "Either identify" not in r.output, r.output
    r = round2.run("desk", "--port", "99999")
    assert r.exit_code == 2 and "--port" in r.stderr, r.output
    os.remove(os.path.join(round2.path, ".shouwen", "desk-pins.json"))


def test_a_pin_typed_through_a_pipe_draws_no_english_warning(round2):
    """Without a terminal, getpass warned `Warning: Password input may be echoed.` (Python's English)."""
    import subprocess
    import sys
    _reset(round2)
    try:
        r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", round2.path, "--as", "J005", "desk", "--set-pin"],
                           input="2468\n2468\n", capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "已为" in r.stdout, r.stdout + r.stderr
        assert "Warning" not in r.stderr and "echo" not in r.stderr, r.stderr
    finally:
        os.remove(os.path.join(round2.path, ".shouwen", "desk-pins.json"))


# --- a clerk who types only Chinese ---------------------------------------------------------------------

@pytest.mark.parametrize("typed,stamp", [("2026年11月3日 09:30", "2026-11-03T09:30:00+08:00"),
                                         ("2026年11月3日9:30", "2026-11-03T09:30:00+08:00"),
                                         ("２０２６年１１月３日 １４：０５", "2026-11-03T14:05:00+08:00"),
                                         ("2026年11月3日", "2026-11-03T09:00:00+08:00")])
def test_a_time_written_as_a_clerk_writes_it_is_taken(round2, typed, stamp):
    """--from took `2026年11月3日`, --at refused it (`应为 ISO 时间`); an IME gives full-width digits and colon."""
    _reset(round2)
    r = round2.run("--as", "J005", "note", R2, "--text", "补记", "--at", typed)
    assert r.exit_code == 0, r.output
    assert f"{{at: {stamp}, by: J005, action: note" in open(os.path.join(round2.path, "records", "inquiries", "2026",
                                                                        "11", f"{R2}.md"), encoding="utf-8").read()
    assert round2.crashes == [], round2.crashes


@pytest.mark.parametrize("typed", ["2026年2月30日 09:30", "2026年11月3日 25:00", "明天上午"])
def test_a_time_that_is_no_time_is_still_refused_naming_the_option(round2, typed):
    _reset(round2)
    before = round2.snapshot()
    r = round2.run("--as", "J005", "note", R2, "--text", "补记", "--at", typed)
    assert r.exit_code == 2 and "--at" in r.stderr, r.output
    assert round2.snapshot() == before


@pytest.mark.parametrize("path", [f"/r/{R2}", f"/r/{R2}/receipt.html"])
def test_a_record_the_desk_cannot_read_is_named_not_called_missing(round2, desk_client, path):
    """A record broken by a hand edit (or two matters under one id after a sync) was 没有这个页面 (404): the clerk
    was told it does not exist, not what is wrong with which file."""
    rel = f"records/inquiries/2026/11/{R2}.md"
    _edit(round2, rel, "events:", "events: [unclosed")
    r = desk_client.get(path)
    text = _chinese_page(r)
    assert r.status_code == 422 and rel in text and "方括号" in text and "没有这个页面" not in text, text
    r = desk_client.get("/r/20261102-J005-077")
    assert r.status_code == 404 and "找不到" in _page(r)


def test_the_printable_registers_period_writes_days_as_people_read_them(round2, tmp_path):
    """The period over the printed 首问登记簿 read 2026年11月02日至2026年12月01日 (zero-padded)."""
    _reset(round2)
    out = tmp_path / "登记簿.html"
    r = round2.run("export", "-o", str(out), "--from", "2026-11-02", "--to", "2026-12-01")
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "2026年11月2日至2026年12月1日" in page and "月0" not in page and "年0" not in page


# --- where an output cannot be written -------------------------------------------------------------------

@pytest.mark.parametrize("target,said", [("/dev/full", "磁盘已满"), ("/tmp/" + "回" * 120 + ".html", "文件名过长")])
def test_an_output_that_cannot_be_written_is_named_in_chinese(round2, target, said):
    """`receipt -o /dev/full` said 无法读写 ：磁盘已满 (no file), a name too long `File name too long`."""
    _reset(round2)
    r = round2.run("receipt", R1, "-o", target)
    assert r.exit_code == 2 and target in r.stderr and said in r.stderr, r.output
    assert "File name" not in r.stderr and round2.crashes == [], r.output


@pytest.mark.parametrize("text,said", [("", "第 1 行第 1 列"), ('{"quarter": ', "第 1 行"), ("\udcff", "UTF-8")])
def test_a_rollup_file_that_is_no_json_is_explained_in_chinese(round2, tmp_path, text, said):
    """rollup said 无法读取通报 JSON（Expecting value: line 1 column 1 (char 0)）."""
    path = tmp_path / "某单位.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    r = round2.run("rollup", str(path))
    assert r.exit_code == 2 and str(path) in r.stderr and said in r.stderr, r.output
    assert "Expecting" not in r.stderr and "line 1" not in r.stderr and "codec" not in r.stderr, r.stderr
    r = round2.run("rollup", str(tmp_path / "没有.json"))
    assert r.exit_code == 2 and "不存在" in r.stderr and "No such file" not in r.stderr, r.output


@pytest.mark.parametrize("year", ["2026年度", "２０２６年度"])
def test_a_year_written_as_in_a_review_title_is_taken(round2, year):
    """`review 2026年度` (as the 年度评议 is titled) was refused: 应写成 2026 或 2026年."""
    _reset(round2)
    for cmd in ("review", "ladder"):
        r = round2.run(cmd, year)
        assert r.exit_code == 0 and "2026" in r.output, r.output


def test_new_asks_again_in_one_clean_sentence(round2):
    """new's prompt said …您是不是要找：再生育审批（birth-permit）？，请重新输入。 and …请写得更完整一些，请重新输入。"""
    from click.testing import CliRunner
    from shouwen.cli import cli
    _reset(round2)
    r = CliRunner().invoke(cli, ["--repo", round2.path, "--as", "李明", "new"],
                           input="王五\n\n\n\n咨询\n来访\n准生证\n再生育审核\n再生育审批\n")
    assert r.exit_code == 0 and "已登记" in r.output, r.output
    assert "？，" not in r.output and "请写得更完整一些，请" not in r.output and r.output.count("请重新输入") == 2, r.output


@pytest.mark.parametrize("column,value", [("发问人姓名", "#REF!"), ("发问事由", "#DIV/0!"), ("单位", "#N/A")])
def test_a_cell_holding_an_excel_error_is_refused_not_imported_as_text(round2, tmp_path, column, value):
    """A formula that failed leaves #REF!, #DIV/0! or #N/A in its cell: the visitor's name was imported as #REF!."""
    _reset(round2)
    header = HEADER[:-1] + ["单位"]
    row = dict(zip(header, ROW + [""]))
    row[column] = value
    err = _import_refused(round2, _xlsx(tmp_path, [header, [row[h] for h in header]]))
    assert "第 2 行" in err and column in err and value in err, err


def test_guessing_a_pin_is_slowed_after_five_wrong_tries(round2):
    """A four-digit PIN could be tried 10,000 times in minutes by any program on the PC: five wrong tries for a
    person now hold that person's login for a minute, the right PIN included, and say so."""
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    _reset(round2)
    pins.set_pin(round2.path, "J005", "2468")
    clock = {"now": datetime(2026, 11, 2, 12, 0, tzinfo=CST)}
    c = create_app(round2.path, now=lambda: clock["now"]).test_client()
    c.get("/login")
    with c.session_transaction() as s:
        csrf = s["csrf"]
    try:
        tries = [c.post("/login", data={"badge": "J005", "pin": f"{n:04d}", "csrf": csrf}).status_code
                 for n in range(5)]
        assert tries == [401] * 5
        r = c.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf})
        assert r.status_code == 429 and "1 分钟" in _page(r), _page(r)
        clock["now"] += timedelta(seconds=61)
        assert c.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf}).status_code == 302
        # tries under badges nobody holds are refused alike and counted nowhere (no table that grows without end)
        c.get("/login")
        with c.session_transaction() as s:
            csrf = s["csrf"]
        from shouwen.desk import app as desk_app
        counted, wrong = [], desk_app.Guesses.wrong
        desk_app.Guesses.wrong = lambda self, badge, at: counted.append(badge) or wrong(self, badge, at)
        try:
            for n in range(50):
                assert c.post("/login", data={"badge": f"X{n}", "pin": "0000", "csrf": csrf}).status_code == 401
        finally:
            desk_app.Guesses.wrong = wrong
        assert counted == []
    finally:
        os.remove(os.path.join(round2.path, ".shouwen", "desk-pins.json"))


def test_reminders_for_someone_the_roster_no_longer_holds_are_said(round2, inbox):
    """朱立新's roster line broken (a name over two lines, CR LF in it): the roster drops him and his reminder
    vanished without a word (`提醒 0 人`); now remind says whose reminders have nobody to go to."""
    r = _remind_with(round2, f"{{host: 127.0.0.1, port: {inbox['port']}}}",
                     staff=("name: 朱立新", 'name: "朱立新\\r\\nBcc: evil@example.invalid"'))
    assert "J014" in r.stderr and "名册" in r.stderr, r.output
    assert ["evil@example.invalid"] not in inbox["got"] and inbox["got"] == [["j005@example.gov.cn"]], inbox["got"]
    assert round2.crashes == [], round2.crashes


@pytest.mark.parametrize("rid", ["20261103-J006-001", "20261104-J005-001"])
def test_an_imported_id_that_names_another_day_or_person_is_refused(round2, tmp_path, rid):
    """An id is the registration's day and first responder: 20261103-J006-001 on a row 李明 registered (or one
    dated the 4th for a matter of the 3rd) was imported, and its record then said two things at once."""
    _reset(round2)
    header = ["事项编号"] + HEADER[:-1]
    err = _import_refused(round2, _csv(tmp_path, [header, [rid] + ROW]))
    assert "第 2 行" in err and "事项编号" in err and rid in err, err


def test_an_id_twice_in_one_file_names_the_other_row(round2, tmp_path):
    """The second row with an id the first row took said 已在登记簿中 (it was not: only earlier in the file)."""
    _reset(round2)
    header = ["事项编号"] + HEADER[:-1]
    rid = "20261103-J005-001"
    err = _import_refused(round2, _csv(tmp_path, [header, [rid] + ROW, [rid] + ROW[:2] + ["赵六"] + ROW[3:]]),
                          "第 3 行", "第 2 行")
    assert "已在登记簿中" not in err, err


@pytest.mark.parametrize("clock", ["9点30", "9时30分", "09点30分"])
def test_a_registration_time_written_in_chinese_is_taken(round2, tmp_path, clock):
    """The register's 登记时间 took 09:30 and ０９：３０ but refused `9点30` and `9时30分`, as clerks write them;
    --at takes them (typed_moment), the import now too."""
    _reset(round2)
    r = _dry_run(round2, _csv(tmp_path, [HEADER[:-1], ROW[:1] + [clock] + ROW[2:]]))
    assert r.exit_code == 0 and "共 1 件可以导入" in r.output, r.output


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_preview_port_in_use_is_said_before_anything_runs(round2, engine):
    """`site serve` on a taken port: MkDocs's traceback (OSError: [Errno 98] Address already in use) on the
    console; Zensical built the whole site first, then said 系统错误 EADDRINUSE."""
    import socket
    _reset(round2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = round2.run("site", "serve", "--engine", engine, "-a", f"127.0.0.1:{s.getsockname()[1]}")
    assert r.exit_code == 2 and "占用" in r.stderr and "-a" in r.stderr, r.output
    assert "Traceback" not in r.output and "EADDRINUSE" not in r.output and "网站已生成" not in r.output, r.output


@pytest.mark.parametrize("url,said", [("/nonexistent/远程.git", "不是 Git 仓库"),
                                      ("http://127.0.0.1:1/x.git", "连接被拒绝")])
def test_a_remote_that_cannot_be_reached_is_explained_in_chinese(round2, url, said):
    """sync said 无法连接远程仓库 origin（and the repository exists.）: the last line of git's English."""
    _reset(round2)
    round2.git("remote", "add", "origin", url)
    try:
        r = round2.run("--as", "J005", "sync")
    finally:
        round2.git("remote", "remove", "origin")
    assert r.exit_code != 0 and said in r.stderr and "离线" in r.stderr, r.output
    assert "and the repository" not in r.stderr and "Failed to connect" not in r.stderr, r.stderr
    assert round2.crashes == [], round2.crashes


def test_a_sheet_declared_16384_columns_wide_is_read_only_as_wide_as_a_register(round2, tmp_path):
    """One styled cell in column XFD made openpyxl pad every row to 16,384 values: 3,000 rows took 41 s and
    440 MB, 100,000 would not finish. The register is read to MAX_COLUMNS; beyond it nothing is a register's."""
    from openpyxl.styles import Font
    from shouwen.publish import ledger_table
    _reset(round2)
    path = _xlsx(tmp_path, [HEADER[:-1], ROW], tweak=lambda wb, ws: setattr(ws.cell(row=1, column=16384), "font",
                                                                          Font(bold=True)))
    table = ledger_table._workbook_table(path)
    assert max(len(cells) for _, cells in table) <= ledger_table.MAX_COLUMNS
    r = _dry_run(round2, path)
    assert r.exit_code == 0 and "共 1 件可以导入" in r.output, r.output


def test_a_dry_run_derives_no_lookup_key_and_the_import_derives_each_once(round2, tmp_path, monkeypatch):
    """Every row's lookup key (50,000 PBKDF2 rounds, 12 ms) was derived while checking, --dry-run too: a
    100,000-row register took 20 minutes of CPU to be told it could be imported."""
    from shouwen.core import lookup_key
    _reset(round2)
    calls = []
    real = lookup_key.key_fields
    monkeypatch.setattr(lookup_key, "key_fields", lambda *a: calls.append(a) or real(*a))
    path = _csv(tmp_path, [HEADER[:-1], ROW, ROW[:1] + ["10:00", "赵六"] + ROW[3:]])
    r = _dry_run(round2, path)
    assert r.exit_code == 0 and "共 2 件可以导入" in r.output and calls == [], (r.output, calls)
    r = round2.run("--as", "J003", "import", path)
    assert r.exit_code == 0 and len(calls) == 2, (r.output, calls)
    for n in ("001", "002"):
        text = open(os.path.join(round2.path, "records", "inquiries", "2026", "11", f"20261103-J005-{n}.md"),
                    encoding="utf-8").read()
        assert "\nlookup: " in text, text
    assert round2.run("check").exit_code in (0, 1) and round2.crashes == [], round2.crashes


@pytest.mark.parametrize("field,args", [
    ("late_reason", ["--at", "2026-11-03T09:00", "--late-reason", "补\x1b[31m录"]),
    ("late_reason", ["--at", "2026-11-03T09:00", "--late-reason", "补\u202e录"]),
])
def test_a_late_reason_with_control_characters_is_refused_like_any_text(round2, field, args):
    """--late-reason (or SHOUWEN_LATE_REASON) went into the record unchecked: an escape sequence that recolours
    the clerk's terminal at every `show`, and `check` found nothing."""
    _reset(round2)
    before = round2.snapshot()
    r = round2.run("--as", "J005", "note", R2, "--text", "补记", *args)
    assert r.exit_code == 2 and field in r.stderr and "控制字符" in r.stderr, r.output
    assert round2.snapshot() == before
    _edit(round2, REC, "action: registered}",
          "action: registered, late_reason: \"补\\e[31m录\"}")
    probs = problems_of(round2.run("check", "--format", "json"))
    assert [p for p in probs if p["code"] == "field-invalid" and p.get("field", "").endswith("late_reason")], probs


def test_a_csv_saved_as_gbk_says_so_and_how_to_save_it(round2, tmp_path):
    """Excel's and WPS's plain “CSV（逗号分隔）” is GBK on a Chinese Windows: the refusal said only 不是 UTF-8."""
    _reset(round2)
    path = tmp_path / "登记簿.csv"
    path.write_bytes(("\n".join(",".join(r) for r in [HEADER[:-1], ROW]) + "\n").encode("gbk"))
    err = _import_refused(round2, str(path))
    assert "GBK" in err and "CSV UTF-8" in err, err


def test_a_csv_wider_than_a_register_is_refused_while_it_is_read(round2, tmp_path):
    """A .csv had no column limit (the .xlsx reads 256): a header line of millions of names made the check
    for a name given twice run for hours."""
    from shouwen.publish.ledger_table import MAX_COLUMNS
    _reset(round2)
    path = tmp_path / "宽.csv"
    path.write_text(",".join(HEADER[:-1] + [f"列{i}" for i in range(MAX_COLUMNS)]) + "\n" + ",".join(ROW) + "\n",
                    encoding="utf-8")
    err = _import_refused(round2, str(path))
    assert "第 1 行" in err and f"{MAX_COLUMNS} 列" in err, err


@pytest.mark.parametrize("damage", ["truncated", "merged far"])
def test_a_damaged_sheet_is_refused_in_chinese_not_an_internal_error(round2, tmp_path, damage):
    """openpyxl reads a read-only sheet's XML only as its rows are asked for: a sheet cut short, or a merged
    range past the last column, raised inside the reading (exit 70) after the workbook itself had opened."""
    import zipfile
    _reset(round2)
    good = _xlsx(tmp_path, [HEADER[:-1], ROW, ROW])
    bad = tmp_path / "坏.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if damage == "truncated":
                    data = data[:len(data) // 2]
                else:
                    data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="AAAA1:AAAA3"/>'
                                                          b"</mergeCells>")
            zout.writestr(item, data)
    r = round2.run("--as", "J003", "import", str(bad))
    assert r.exit_code in (0, 2) and round2.crashes == [], (r.output, round2.crashes)
    assert "内部错误" not in r.output and "Traceback" not in r.output, r.output
    if damage == "truncated":
        assert r.exit_code == 2 and "坏.xlsx" in r.stderr and "损坏" in r.stderr, r.output


def test_a_form_whose_write_committed_before_a_bug_is_not_written_twice(round2, desk_client, monkeypatch):
    """The form's token was freed on any bug, on the belief that nothing was written: a bug after the commit,
    and the clerk's second press of 提交 registered the matter twice."""
    from shouwen.desk import app as desk_app
    real = desk_app.register

    def then_a_bug(*a, **kw):
        real(*a, **kw)
        raise ZeroDivisionError("after the commit")
    once = desk_client.once()
    form = {"csrf": desk_client.csrf, "once": once, "name": "王五", "matter": "咨询再生育审批"}
    head = round2.git("rev-parse", "HEAD").strip()
    with monkeypatch.context() as m:
        m.setattr(desk_app, "register", then_a_bug)
        assert desk_client.post("/new", data=form).status_code == 500
    written = round2.git("rev-list", "--count", f"{head}..HEAD").strip()
    assert written == "1"
    assert desk_client.post("/new", data=form).status_code in (302, 409)      # the same form again
    assert round2.git("rev-list", "--count", f"{head}..HEAD").strip() == written
