"""`shouwen remind` against a real local SMTP server (aiosmtpd) and a local HTTP receiver standing
in for the 企业微信 and 钉钉 group robots: each reminder goes out once, a second run sends nothing."""
import email
import http.server
import json
import os
import socket
import threading

import pytest

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"


@pytest.fixture
def smtp():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        (pytest.fail if REQUIRED else pytest.skip)("未安装 Python 包 aiosmtpd")
    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture
def robots():
    posts = []

    class Robot(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append((self.path, json.loads(body.decode("utf-8"))))
            answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", posts
    server.shutdown()


def test_each_reminder_is_sent_once_by_mail_and_by_robot(agency, smtp, robots):
    port, inbox = smtp
    base, posts = robots
    agency.write("rules/policy.yml", agency.file("rules/policy.yml") + f"""
reminders:
  days: 2
  email: {{host: 127.0.0.1, port: {port}, from: shouwen@example.gov.cn}}
  webhooks:
    - {{kind: wecom, url: "{base}/cgi-bin/webhook/send?key=abc", departments: [family]}}
    - {{kind: dingtalk, url: "{base}/robot/send?access_token=xyz", secret: SEC123}}
""")
    agency.git("commit", "-qam", "提醒设置")
    waiting = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "J005", "forward", waiting, "--to", "人口家庭科", "--staff", "朱立新", "--at", "2026-11-02T10:00")
    late = agency.new("2026-11-02T09:40", badge="J006")
    r = agency.ok("remind", "--today", "2026-11-03")
    assert "已发送邮件" in r.output
    to = {tuple(rcpt): msg for rcpt, msg in inbox}
    assert ("j014@example.gov.cn",) in to and ("j006@example.gov.cn",) in to
    mail = to[("j014@example.gov.cn",)]
    text = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "转办待签收" in text and waiting in text and "朱立新" in text
    assert "首问提醒" in str(email.header.make_header(email.header.decode_header(mail["Subject"])))
    assert late in to[("j006@example.gov.cn",)].get_payload(decode=True).decode("utf-8")   # not forwarded in time
    wecom = [p for path, p in posts if path.startswith("/cgi-bin/webhook/send?key=abc")]
    ding = [(path, p) for path, p in posts if path.startswith("/robot/send")]
    assert len(wecom) == 1 and wecom[0]["msgtype"] == "text" and waiting in wecom[0]["text"]["content"]
    assert late not in wecom[0]["text"]["content"]               # that group hears about its department only
    assert len(ding) == 1 and ding[0][1]["msgtype"] == "text" and "atMobiles" in ding[0][1]["at"]
    assert "timestamp=" in ding[0][0] and "sign=" in ding[0][0]   # 加签
    assert late in ding[0][1]["text"]["content"] and waiting in ding[0][1]["text"]["content"]
    mails, hooks = len(inbox), len(posts)
    r = agency.ok("remind", "--today", "2026-11-03")
    assert len(inbox) == mails and len(posts) == hooks             # a second run sends nothing new
    assert "已发送邮件 0 条，群机器人 0 条" in r.output
    # the next day brings a new deadline: only that one goes out
    agency.ok("--as", "J014", "accept", waiting, "--at", "2026-11-03T09:00")
    r = agency.ok("remind", "--today", "2026-11-04")
    assert len(inbox) > mails
    assert agency.status() == ""                                     # memory lives in .shouwen/, never committed


def test_an_unreachable_server_is_reported_and_retried(agency, smtp):
    port, inbox = smtp
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    agency.write("rules/policy.yml", agency.file("rules/policy.yml") + f"""
reminders:
  email: {{host: 127.0.0.1, port: {dead}}}
""")
    agency.new("2026-11-02T09:30")
    r = agency.run("remind", "--today", "2026-11-05")
    assert r.exit_code == 1 and "发送失败" in r.stderr and "Traceback" not in r.output
    agency.write("rules/policy.yml", agency.file("rules/policy.yml").replace(f"port: {dead}", f"port: {port}"))
    agency.ok("remind", "--today", "2026-11-05")
    assert len(inbox) == 1                                           # not remembered as sent: tried again


def test_a_follow_up_already_late_is_said_to_be_late(agency):
    """A reminder whose deadline has passed says so, never 请在（a past day）前."""
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    agency.ok("--as", "J005", "rate", rid, "--score", "1", "--at", "2026-11-02T09:50")
    waiting = agency.new("2026-11-02T10:00", service="birth-permit")
    agency.ok("--as", "J005", "forward", waiting, "--to", "人口家庭科", "--staff", "朱立新", "--at", "2026-11-02T10:10")
    soon = agency.ok("remind", "--today", "2026-11-03", "--dry-run").output
    assert "请在 2026年11月9日 前回访督办" in soon and "请在 2026年11月3日 前签收" in soon, soon
    late = agency.ok("remind", "--today", "2026-11-20", "--dry-run").output
    assert "前回访督办" not in late and "回访督办期限 2026年11月9日 已过" in late, late
    assert "前签收" not in late and "签收期限 2026年11月3日 已过" in late, late


def test_a_complaint_awaiting_a_verdict_reminds_those_who_may_give_it(agency):
    """A window clerk may register a complaint but not rule on it (`permissions.verdict`: `监察室、办公室`): the
    reminder goes to the heads who may, not to the clerk; a 监察室 registrant who may rule is reminded himself."""
    out = agency.ok("--as", "J006", "complain", "--against", "J005", "--channel", "visit", "--summary", "态度生硬",
                    "--at", "2026-11-02T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    lines = [x for x in agency.ok("remind", "--today", "2026-11-03", "--dry-run").output.splitlines() if cid in x]
    assert lines and not [x for x in lines if x.startswith("张晓燕")], lines
    assert {x.split("）")[0] + "）" for x in lines} == {"赵文斌（J003）", "谢正平（J021）"}, lines
    out = agency.ok("--as", "J022", "complain", "--against", "J005", "--channel", "visit", "--summary", "推诿",
                    "--at", "2026-11-02T11:00").output
    mine = out.split("已登记投诉 ")[1].split("（")[0]
    lines = [x for x in agency.ok("remind", "--today", "2026-11-03", "--dry-run").output.splitlines() if mine in x]
    assert [x.split("）")[0] + "）" for x in lines] == ["韩冰（J022）"], lines


def test_one_table_says_why_the_other_end_was_not_reached():
    """A refused connection, an unknown host, a timeout: the same words whether git said it (sync) or Python's
    socket raised it (remind); a local git failure that happens to say `Permission denied` or `not found` is not
    reported as a network one."""
    import socket
    from shouwen.repo import reach
    from shouwen.repo.sync import local_reason
    assert reach.git_said("fatal: unable to access 'http://x/': Failed to connect to x port 80: Connection refused") \
        == reach.raised(ConnectionRefusedError()) == reach.REFUSED
    assert reach.git_said("fatal: unable to access 'http://x/': Could not resolve host: x") \
        == reach.raised(socket.gaierror(-2, "Name or service not known")) == reach.UNRESOLVED
    local = local_reason("error: unable to unlink old 'records/a.md': Permission denied\n"
                         "fatal: Could not reset index file to revision 'abc'.")
    assert "records/a.md" in local and "账号" not in local and "密钥" not in local and "fatal" not in local, local
