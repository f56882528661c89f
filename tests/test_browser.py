"""The public site in a real headless Chromium (Debian's `chromium`), driven by Playwright.

The site is the shipped demo agency's, built by `shouwen site build` with each engine (MkDocs
and Zensical) and served from a local port; every test here runs against both outputs. `.ci/run` installs Chromium and axe-core and sets SHOUWEN_REQUIRE_COMPONENTS=1, which turns a
missing component into a failure; elsewhere these tests skip and say what is missing.
"""
import glob
import json
import os
import re

import pytest

from conftest import REPO
from helpers.browsing import SIZES, missing, new_page, search
from shouwen.publish import lookup

AXE = os.environ.get("AXE_CORE_JS") or os.path.join(REPO, ".ci", "node", "node_modules", "axe-core", "axe.min.js")
MAIN_PAGES = ["", "guide/", "guide/birth-permit/", "org/", "board/", "lookup/", "complaints/", "scheme/",
              "bulletins/", "kiosk/"]


@pytest.fixture
def requests_seen():
    return []


_page = new_page


def _demo_matter(out):
    """A demo record with a promise: its id, code and what its sealed shard entry says."""
    for path in sorted(glob.glob(os.path.join(REPO, "records", "inquiries", "*", "*", "*.md"))):
        text = open(path, encoding="utf-8").read()
        if "action: promised" in text and "action: completed" not in text:
            rid = re.search(r"^id: (\S+)$", text, re.M).group(1)
            code = re.search(r"^code: (\S+)$", text, re.M).group(1)
            key = lookup.derive(rid, code)
            shard, name = lookup.locator(key)
            data = json.load(open(os.path.join(out, "lookup", "data", f"{shard}.json"), encoding="utf-8"))
            return rid, code, lookup.open_sealed(key, data[name])
    raise AssertionError("the demo has no open promised matter")


def test_pages_render_and_navigation_works(site, browser, requests_seen):
    base, _, _ = site
    page = _page(browser, requests_seen)
    for rel in MAIN_PAGES:
        resp = page.goto(base + rel)
        assert resp.ok, rel
        assert page.locator("h1").first.inner_text().strip(), rel
    page = _page(browser, requests_seen)            # a fresh session: kiosk/ above made that one a lobby screen
    page.goto(base + "complaints/")
    page.locator(".md-nav--primary a", has_text="办事指南").first.click()
    page.wait_for_url(base + "guide/")
    page.locator("article a", has_text="再生育审批").first.click()
    page.wait_for_url(base + "guide/birth-permit/")
    assert page.locator("h1").inner_text() == "再生育审批"
    assert page.locator("table", has_text="夫妻双方身份证").count() == 1


@pytest.mark.parametrize("term, expect", [("再生育", ["再生育审批"]), ("身份证", ["再生育审批"]),
                                          ("出生证明", ["生育登记", "再生育审批"]),     # what people call them
                                          ("准生证", ["生育登记", "再生育审批"])])      # (rules/search.yml)
def test_search_finds_what_people_type_at_once(site, browser, requests_seen, term, expect):
    """Typed through an input method or pasted (text in, no key pressed): the results come at once."""
    base, _, engine = site
    page = _page(browser, requests_seen)
    page.goto(base + "guide/")
    text = search(page, engine, term)
    assert all(e in text for e in expect), text[:500]
    if engine == "zensical":        # its dialog speaks English in this version; ours says it in Chinese
        assert page.locator("dialog input[role=combobox]").get_attribute("placeholder") == "站内搜索"
        status = page.locator("dialog [role=status]").inner_text().strip()
        assert re.fullmatch(r"找到 \d+ 个符合条件的结果", status), status


@pytest.mark.parametrize("purejs", [False, True], ids=["webcrypto", "pure-js"])
def test_lookup_answers_the_right_code_and_refuses_a_wrong_one(site, browser, requests_seen, purejs):
    base, out, _ = site
    rid, code, expected = _demo_matter(out)
    page = _page(browser, requests_seen)
    page.goto(base + "lookup/" + ("?purejs=1" if purejs else ""))
    page.fill("#sw-id", rid)
    page.fill("#sw-code", code)
    page.click("#sw-lookup button[type=submit]")
    found = page.locator(".sw-found")
    found.wait_for(timeout=20000)
    text = found.inner_text()
    y, m, d = expected["due"].split("-")
    assert expected["stage"] in text and expected["department"] in text and f"{int(y)}年{int(m)}月{int(d)}日" in text
    wrong = "".join("A" if c != "A" else "B" for c in code)
    page.fill("#sw-code", wrong)
    page.click("#sw-lookup button[type=submit]")
    page.locator(".sw-miss").wait_for(timeout=20000)
    assert page.locator(".sw-found").count() == 0


def test_kiosk_works_by_touch_and_returns_home_when_idle(site, browser, requests_seen):
    base, _, _ = site
    page = _page(browser, requests_seen, "kiosk", has_touch=True, is_mobile=False)
    page.clock.install()        # the page's timers on Playwright's clock: time flows, and is moved on below
    page.goto(base + "kiosk/?idle=8")            # long enough for two touches on a busy machine
    assert "sw-kiosk" in page.evaluate("document.documentElement.className")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 24
    tile = page.locator(".sw-big").first
    assert tile.bounding_box()["height"] >= 96                     # a target for a finger, not a mouse
    tile.tap()                                                        # first touch: the department
    page.wait_for_url(re.compile(r".*/kiosk/[a-z-]+/$"))
    page.locator(".sw-big:not(.sw-back)").first.tap()                 # second touch: the service
    page.wait_for_url(re.compile(r".*/guide/[a-z-]+/$"))
    assert "一次性告知清单" in page.inner_text("article")
    assert page.locator(".sw-kiosk-bar a", has_text="回到首页").bounding_box()["height"] >= 60   # no browser buttons in the lobby
    page.clock.run_for(8500)                  # nobody touches it for the idle seconds (moved on, not waited out)
    page.wait_for_url(base + "kiosk/", timeout=30000)                 # back to the start
    # the lookup in the lobby needs no keyboard: an on-screen keypad types the code
    page.goto(base + "lookup/")
    page.locator("#sw-code").tap()
    for ch in "7KQ":
        page.locator("#sw-keypad button", has_text=ch).first.tap()
    assert page.input_value("#sw-code") == "7KQ"


def test_no_request_leaves_the_site(site, browser, requests_seen):
    base, out, engine = site
    page = _page(browser, requests_seen)
    # each main page in a tab of its own (the context sees every tab's requests), loaded side by side and each
    # held until its network has been quiet for half a second: the quiet spells overlap instead of adding up
    tabs = [page] + [page.context.new_page() for _ in MAIN_PAGES[1:]]
    for tab, rel in zip(tabs, MAIN_PAGES):
        tab.goto(base + rel, wait_until="commit")
    for tab in tabs:
        tab.wait_for_load_state("networkidle")
    page = _page(browser, requests_seen)            # a fresh session: the kiosk page hides the search box
    page.goto(base + "guide/")
    search(page, engine, "材料")
    rid, code, _ = _demo_matter(out)
    page.goto(base + "lookup/")
    page.fill("#sw-id", rid)
    page.fill("#sw-code", code)
    page.click("#sw-lookup button[type=submit]")
    page.locator(".sw-found").wait_for(timeout=20000)
    outside = [u for u in requests_seen if not (u.startswith(base) or u.startswith("data:"))]
    assert requests_seen and outside == []


def test_axe_finds_no_serious_violation(site, browser, requests_seen):
    if not os.path.exists(AXE):
        missing(f"没有 axe-core（{AXE}；npm install axe-core）")
    base, _, _ = site
    page = _page(browser, requests_seen)
    found = {}
    for rel in MAIN_PAGES:
        page.goto(base + rel)
        page.add_script_tag(path=AXE)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']}({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            found[rel or "/"] = bad
    assert found == {}


def test_screenshots_at_three_sizes(site, browser, requests_seen, tmp_path):
    """Pictures to look at (kept where SHOUWEN_SCREENSHOTS points): each size renders the start page."""
    base, _, _ = site
    keep = os.environ.get("SHOUWEN_SCREENSHOTS") or str(tmp_path)
    os.makedirs(keep, exist_ok=True)
    for size in SIZES:
        page = _page(browser, requests_seen, size, has_touch=size != "desktop")
        for name, rel in (("home", ""), ("guide", "guide/birth-permit/"), ("kiosk", "kiosk/"), ("lookup", "lookup/")):
            page.goto(base + rel)
            path = os.path.join(keep, f"{size}-{name}.png")
            page.screenshot(path=path)
            assert os.path.getsize(path) > 5000
        # nothing wider than the screen: no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0] + 1


def test_every_service_guide_prints_on_one_a4_sheet(site, browser, requests_seen):
    base, out, _ = site
    page = _page(browser, requests_seen)
    guides = sorted(d for d in os.listdir(os.path.join(out, "guide")) if os.path.isdir(os.path.join(out, "guide", d)))
    assert len(guides) >= 9
    for g in guides:
        page.goto(base + f"guide/{g}/")
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"{g}: {pages} pages"


def test_the_bulletin_tables_fit_a_1280_screen_and_an_a4_page(site, browser, requests_seen):
    """Every column of the quarterly tables, 得分 included, is on screen at 1280 px and inside an A4 page."""
    base, _, _ = site
    page = _page(browser, requests_seen)
    page.goto(base + "bulletins/2026Q3/")
    for media, width in (("screen", 1280), ("print", None)):
        page.emulate_media(media=media)
        if width is None:                     # A4 minus 2 × 18 mm margins, at 96 px per inch
            page.set_viewport_size({"width": round((210 - 36) / 25.4 * 96), "height": 1000})
        tables = page.evaluate("""() => [...document.querySelectorAll('article table')].map(t => ({
            right: Math.max(...[...t.querySelectorAll('th, td')].map(c => c.getBoundingClientRect().right)),
            width: document.documentElement.clientWidth, heads: [...t.querySelectorAll('th')].map(h => h.textContent),
            // the box the table sits in: a column that is only reached by scrolling it is off the page
            hidden: (w => w.scrollWidth - w.clientWidth)(t.closest('.md-typeset__scrollwrap') || t.parentElement)}))""")
        assert len(tables) >= 2
        assert all(t["right"] <= t["width"] + 1 for t in tables), (media, tables)
        assert all(t["hidden"] <= 1 for t in tables), (media, tables)
        assert any("得分" in t["heads"] for t in tables)
