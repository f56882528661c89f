"""The local desk page and the window rating pad, driven in a real Chromium (Playwright).

A clerk logs in with the PIN kept on this PC, registers a visitor with the service picker, moves
the matter on with the buttons its stage allows, and the visitor rates it on the pad; bad input
and a double submit write nothing. Every write goes through the one writer: one commit each.
"""
import os
import shutil
import threading
from datetime import datetime

import pytest

from shouwen.core.record import CST
from shouwen.desk import pins
from shouwen.desk.app import create_app

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = os.environ.get("SHOUWEN_SCREENSHOTS")      # a folder: save the README's screenshots there


@pytest.fixture
def desk(agency):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        (pytest.fail if REQUIRED else pytest.skip)("未安装 Python 包 playwright")
    if not CHROMIUM:
        (pytest.fail if REQUIRED else pytest.skip)("没有找到 chromium（Debian 包 chromium）")
    from werkzeug.serving import make_server
    pins.set_pin(agency.path, "J005", "2468")
    pins.set_pin(agency.path, "J014", "1357")
    clock = {"now": datetime(2026, 11, 2, 9, 30, tzinfo=CST)}
    app = create_app(agency.path, now=lambda: clock["now"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()   # the pad shares its session
        yield page, f"http://127.0.0.1:{server.server_address[1]}", clock
        browser.close()
    server.shutdown()


def login(page, base, badge, pin):
    page.goto(base + "/login")
    page.select_option("#badge", badge)
    page.fill("#pin", pin)
    page.click("text=进入")


def test_a_clerk_registers_and_moves_a_matter_on_from_the_page(desk, agency):
    page, base, clock = desk
    login(page, base, "J005", "0000")
    assert "工号或密码（PIN）不对" in page.content()
    login(page, base, "J005", "2468")
    assert "李明（J005）的待办" in page.inner_text("h1")
    page.click("text=登记新事项")
    page.fill("#name", "王五")
    page.fill("#phone", "13912345678")
    page.fill("#matter", "咨询再生育审批")
    page.check("input[value=phone]")
    page.fill("#service-filter", "准生证")                      # the words people use (rules/search.yml) find it too
    shown = page.locator("#service option:not([hidden])").all_inner_texts()
    assert [t.split("（")[0] for t in shown[1:]] == ["再生育审批", "生育登记"], shown
    page.fill("#service-filter", "再生育")
    page.select_option("#service", label=page.locator("#service option:not([hidden])").nth(1).inner_text())
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "desk-register.png"), full_page=True)
    start = agency.head()
    page.click("button:has-text('登记')")
    assert "已登记" in page.content()
    rid = "20261102-J005-001"
    assert page.url.endswith(f"/r/{rid}?new=1")
    text = page.inner_text("main")
    assert "王五" in text and "13912345678" in text and "来电" in text and "再生育审批" in text
    # only what the stage allows: a registered matter can be forwarded, not completed, extended nor delivered
    summaries = page.locator("details.step summary").all_inner_texts()
    assert "转办" in summaries and "一次性告知" in summaries
    assert "办结" not in summaries and "取件送达" not in summaries and "延期" not in summaries and "评价" not in summaries
    page.click("#step-notified summary")
    page.click("#step-notified button")
    assert "再生育申请表" in page.inner_text("main")          # the service's list, told at once
    clock["now"] = datetime(2026, 11, 2, 10, 0, tzinfo=CST)
    page.click("#step-forwarded summary")
    page.select_option("#forwarded-to", "family")
    page.select_option("#forwarded-staff", "J014")
    page.click("#step-forwarded button")
    assert "已转办" in page.inner_text("main")
    assert len(agency.git("log", "--format=%H", f"{start}..HEAD").split()) == 3
    assert agency.git("log", "-1", "--format=%an %s").strip() == f"李明 转办 {rid} → 朱立新（J014）"

    # the handler: accept, then a promise past the service's limit is refused and nothing is written
    page.click("text=退出")
    login(page, base, "J014", "1357")
    assert rid in page.inner_text("main")                       # on the handler's worklist
    page.click(f"text={rid}")
    page.click("#step-accepted summary")
    page.click("#step-accepted button")
    before = agency.head()
    page.click("#step-promised summary")
    page.fill("#promised-days", "99")
    page.click("#step-promised button")
    assert "超过《再生育审批》承诺时限" in page.inner_text("main")
    assert agency.head() == before and agency.status() == ""
    page.go_back()
    page.reload()
    page.click("#step-promised summary")
    page.fill("#promised-days", "5")
    page.click("#step-promised button")
    assert "办结期限" in page.inner_text("main")
    page.click("#step-completed summary")
    page.fill("#completed-result", "准予再生育")
    page.click("#step-completed button")
    assert "打印取件登记表" in page.content() or "取件送达" in page.locator("details.step summary").all_inner_texts()
    page.click("#step-delivered summary")
    page.fill("#delivered-method", "窗口领取")
    page.click("#step-delivered button")
    assert "已送达" in page.inner_text("main")

    # the rating pad: the clerk sends the closed matter there; the visitor taps a score once
    page.click("#to-pad")
    pad = page.context.new_page()
    pad.set_viewport_size({"width": 1024, "height": 768})
    pad.goto(base + "/pad")
    assert "请您对本次服务进行评价" in pad.content()
    assert "王五" not in pad.content() and "13912345678" not in pad.content()   # nothing personal on the pad
    if SHOTS:
        pad.screenshot(path=os.path.join(SHOTS, "rating-pad.png"))
    before = agency.head()
    # a double tap: two submits of the same rating
    pad.evaluate("""() => { const f = document.getElementById('rate');
        const a = new FormData(f); a.append('score', '2'); const b = new FormData(f); b.append('score', '2');
        return Promise.all([fetch(f.action, {method: 'POST', body: a}), fetch(f.action, {method: 'POST', body: b})])
          .then(rs => rs.map(r => r.status)); }""")
    pad.reload()
    assert "欢迎您的评价" in pad.content()
    commits = agency.git("log", "--format=%H", f"{before}..HEAD").split()
    assert len(commits) == 1                                    # one rating, not two
    text = agency.file(f"records/inquiries/2026/11/{rid}.md")
    assert "action: rated" in text and "score: 2" in text and "given_by: visitor" in text
    page.reload()
    assert "2 分" in page.inner_text("main")
    assert page.locator("#to-pad").count() == 0                # rated once: no second rating offered
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "desk-record.png"), full_page=True)


def test_double_submit_registers_once_and_forged_posts_are_refused(desk, agency):
    page, base, clock = desk
    login(page, base, "J005", "2468")
    page.goto(base + "/new")
    page.fill("#name", "赵六")
    page.fill("#matter", "咨询事项")
    before = agency.head()
    statuses = page.evaluate("""() => { const f = document.getElementById('register');
        return Promise.all([fetch(f.action, {method: 'POST', body: new FormData(f), redirect: 'manual'}),
                            fetch(f.action, {method: 'POST', body: new FormData(f), redirect: 'manual'})])
          .then(rs => rs.map(r => r.status)); }""")
    assert len(agency.git("log", "--format=%H", f"{before}..HEAD").split()) == 1, statuses
    # a form without the session's CSRF token writes nothing
    r = page.request.post(base + "/new", form={"name": "伪造", "matter": "伪造", "once": "x", "csrf": "forged"})
    assert r.status == 400 and "CSRF" in r.text()
    # missing fields: a Chinese message, nothing written
    page.goto(base + "/new")
    page.fill("#name", " ")
    page.fill("#matter", " ")
    page.evaluate("document.getElementById('register').noValidate = true")
    page.click("button:has-text('登记')")
    assert "请填写发问人姓名和发问事由" in page.inner_text("main")
    assert len(agency.git("log", "--format=%H", f"{before}..HEAD").split()) == 1
    # search by any part of the phone number
    page.goto(base + "/find?q=" + "赵")
    assert "赵六" in page.inner_text("main")


def test_a_pin_is_set_on_this_pc_only(agency):
    r = agency.run("desk")
    assert r.exit_code == 2 and "desk --set-pin" in r.stderr          # nobody can log in yet: say how
    r = agency.ok("--as", "李明", "desk", "--set-pin", input="24680\n24680\n")
    assert "李明（J005）" in r.output and "24680" not in r.output
    assert pins.check(agency.path, "J005", "24680") and not pins.check(agency.path, "J005", "13579")
    assert "24680" not in open(os.path.join(agency.path, pins.FILE), encoding="utf-8").read()   # salted hash only
    assert agency.status() == ""                                       # never in the repository
    assert agency.run("--as", "J005", "desk", "--set-pin", input="12\n12\n").exit_code == 2


def test_the_desk_prints_addresses_a_browser_opens(agency, monkeypatch):
    """The address the clerk copies into a browser keeps its ASCII colon (http://127.0.0.1:8765/)."""
    import werkzeug.serving
    served = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, app, **kw: served.append((host, port)))
    pins.set_pin(agency.path, "J005", "2468")
    out = agency.ok("desk", "--port", "8799").output
    assert served == [("127.0.0.1", 8799)]
    assert "http://127.0.0.1:8799/" in out and "http://127.0.0.1:8799/pad" in out, out
