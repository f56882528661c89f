"""The lobby and the phone in a real Chromium, on both engines' builds of the demo: the kiosk
shows every department with a window, nothing is wider than the screen, its buttons cover no
text, it has no way out but its own buttons; the org chart on a phone; lookup in plain words."""
import glob
import json
import os
import re

from datetime import date, timedelta

import pytest
import yaml

from conftest import REPO
from shouwen.publish import lookup
from shouwen.repo.loader import load_rules


def _institution():
    with open(os.path.join(REPO, "rules", "institution.yml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# Every text element of the page is brought to the bottom edge of the screen (where a fixed
# button bar would lie over it) and asked what is drawn at its middle: itself, or something over it.
COVERED = """() => {
  const out = [];
  const els = document.querySelectorAll("article h1, article h2, article p, article li, article td, article a.sw-tile, .sw-window-line");
  for (const el of els) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    el.scrollIntoView({block: "end"});
    const r = el.getBoundingClientRect();
    const y = Math.min(r.bottom - 2, window.innerHeight - 2), x = r.left + Math.min(r.width / 2, 40);
    const hit = document.elementFromPoint(x, y);
    if (hit && !el.contains(hit) && !hit.contains(el)) out.push(el.textContent.trim().slice(0, 20) + " ← " + hit.className);
  }
  return out;
}"""

KIOSK_PAGES = ["kiosk/", "kiosk/approvals/", "kiosk/family/", "guide/birth-permit/", "lookup/", "board/"]


@pytest.mark.parametrize("size", [(1080, 1920), (390, 844)], ids=["lobby", "phone"])
def test_kiosk_fits_the_screen_and_its_buttons_cover_nothing(site, browser, size):
    base, _, _ = site
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", has_touch=True)
    page = ctx.new_page()
    page.goto(base + "kiosk/")
    for rel in KIOSK_PAGES:
        page.goto(base + rel)
        assert page.evaluate("document.documentElement.classList.contains('sw-kiosk')"), rel
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= size[0], f"{rel}: {width} px wide on a {size[0]} px screen"
        assert page.evaluate(COVERED) == [], rel
        if rel != "kiosk/":
            assert page.locator(".sw-kiosk-bar").is_visible(), rel
        # no way out: no header, menu or search; no context menu; no text to select
        assert not page.locator(".md-header").is_visible() and not page.locator(".md-search").first.is_visible(), rel
        assert page.evaluate("""() => { const e = new MouseEvent('contextmenu', {bubbles: true, cancelable: true});
                                 document.querySelector('article').dispatchEvent(e); return e.defaultPrevented; }""")
        assert page.evaluate("getComputedStyle(document.body).userSelect") == "none"
    ctx.close()


def test_every_department_with_a_window_is_in_the_kiosk(site, browser):
    base, _, _ = site
    inst = _institution()
    names = {}

    def walk(ds):
        for d in ds:
            names[d["id"]] = d["name"]
            walk(d.get("children") or [])
    walk(inst["departments"])
    page = browser.new_page(viewport={"width": 1080, "height": 1920})
    page.goto(base + "kiosk/")
    start = page.locator("article").inner_text()
    for w in inst["windows"]:
        assert names[w["department"]] in start, w
        page.goto(base + f"kiosk/{w['department']}/")
        assert w["name"] in page.locator("article").inner_text(), w
    page.close()


def test_org_chart_on_a_phone_is_a_tree_of_links(site, browser):
    base, _, _ = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "org/")
    assert not page.locator(".sw-chart-wide").is_visible()           # the wide drawing waits for a wide screen
    boxes = page.locator("a.sw-tree-box")
    assert boxes.count() >= 7
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("e => parseFloat(getComputedStyle(e).fontSize)", boxes.nth(i).element_handle()) >= 14
    boxes.filter(has_text="审核办证科").first.click()
    page.wait_for_url(base + "org/approvals/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "org/")
    assert page.locator(".sw-chart-wide svg").is_visible()
    page.locator(".sw-chart-wide svg a", has_text="审核办证科").click()   # the chart's boxes link too
    page.wait_for_url(base + "org/approvals/")
    page.close()


def _matter(out, has, want):
    """A demo matter whose file has the action `has` and no later closing one, and whose sealed
    lookup entry satisfies `want(payload)`: (id, code, payload)."""
    for path in sorted(glob.glob(os.path.join(REPO, "records", "inquiries", "*", "*", "*.md"))):
        text = open(path, encoding="utf-8").read()
        if f"action: {has}" not in text or "action: delivered" in text:
            continue
        rid = re.search(r"^id: (\S+)$", text, re.M).group(1)
        code = re.search(r"^code: (\S+)$", text, re.M).group(1)
        key = lookup.derive(rid, code)
        shard, name = lookup.locator(key)
        data = json.load(open(os.path.join(out, "lookup", "data", f"{shard}.json"), encoding="utf-8"))
        payload = lookup.open_sealed(key, data[name])
        if want(payload):
            return rid, code, payload
    raise AssertionError("no such matter in the demo")


def _ask(page, base, rid, code):
    page.goto(base + "lookup/")
    page.fill("#sw-id", rid)
    page.fill("#sw-code", code)
    page.click("#sw-lookup button[type=submit]")
    page.locator(".sw-found").wait_for(timeout=20000)
    return page.locator("#sw-result").inner_text()


def test_lookup_says_in_plain_words_where_the_matter_stands(site, browser):
    base, out, _ = site
    page = browser.new_page(viewport={"width": 390, "height": 844})
    # an entry holds its due day; the page counts the working days overdue on the build's day (lookup/workdays.json)
    with open(os.path.join(out, "lookup", "workdays.json"), encoding="utf-8") as fh:
        days = json.load(fh)
    calendar, built = load_rules(REPO).calendar, date.fromisoformat(days["day"])

    def late_by(p):
        return 0 if not p["due"] or p["completed"] or p["closed"] else calendar.count(date.fromisoformat(p["due"]), built)
    rid, code, late = _matter(out, "promised", lambda p: late_by(p) > 0)
    text = _ask(page, base, rid, code)
    assert f"已超期 {late_by(late)} 个工作日" in text and late["department"] in text and late["stage"] in text
    # across the Spring Festival, National Day and a new year, as the agency's calendar counts; a year the file
    # lacks, Monday to Friday
    for due, day in (("2026-02-10", "2026-02-28"), ("2026-09-28", "2026-10-12"), ("2025-12-25", "2026-01-05"),
                     ("2026-11-10", days["day"]), ("2026-11-10", "2026-11-10")):
        w = {"day": day, "years": days["years"]}
        assert page.evaluate("([d, w]) => window.swOverdue(d, w)", [due, w]) == \
            calendar.count(date.fromisoformat(due), date.fromisoformat(day)), (due, day)
    weekdays = sum(1 for i in range(1, 15) if (date(2026, 9, 28) + timedelta(days=i)).weekday() < 5)
    assert page.evaluate("w => window.swOverdue('2026-09-28', w)", {"day": "2026-10-12", "years": {}}) == weekdays
    y, m, d = late["due"].split("-")
    assert f"{int(y)}年{int(m)}月{int(d)}日前办结" in text
    assert page.evaluate("getComputedStyle(document.querySelector('.sw-overdue')).color") == "rgb(183, 28, 28)"
    assert re.search(r"数据截至 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the calendar can't be fetched (a proxy, a half-copied site): the page says what its own day tells, no count
    page.route("**/lookup/workdays.json", lambda route: route.abort())
    uncounted = _ask(page, base, rid, code)
    assert "已过承诺办结日期" in uncounted and "已超期" not in uncounted
    page.unroute("**/lookup/workdays.json")
    # a matter whose clock stands still has no due day yet: the page says when it will have one
    key = lookup.derive(rid, code)
    shard, name = lookup.locator(key)
    with open(os.path.join(out, "lookup", "data", f"{shard}.json"), encoding="utf-8") as fh:
        sealed = json.load(fh)
    sealed[name] = lookup.seal(key, dict(late, suspended=True, due=None))
    page.route(f"**/lookup/data/{shard}.json", lambda route: route.fulfill(json=sealed))
    paused = _ask(page, base, rid, code)
    assert "已暂停（补正材料）" in paused and "补齐材料后继续计时，届时确定" in paused and "已超期" not in paused
    page.unroute(f"**/lookup/data/{shard}.json")
    rid, code, done = _matter(out, "completed", lambda p: "pickup" in p)
    text = _ask(page, base, rid, code)
    assert "已办结，可以领取" in text and done["pickup"]["place"] in text and "领取" in text
    page.close()


def test_poster_carries_the_kiosk_and_lookup_addresses(site, browser):
    base, _, _ = site
    url = _institution()["site_url"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "poster/")
    text = page.locator("article").inner_text()
    assert url + "kiosk/" in text and url + "lookup/" in text
    assert page.locator("svg.sw-qr").count() == 2
    # a phone at the window reads each code as the address printed under it
    import io
    import zxingcpp
    from PIL import Image
    for i, rel in enumerate(("kiosk/", "lookup/")):
        shot = page.locator("svg.sw-qr").nth(i).screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
        assert [b.text for b in found] == [url + rel]
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.close()


def test_the_receipts_address_opens_the_lookup_with_its_id_filled_in(site, browser):
    # issue 12: the receipt's QR code is the lookup page's address "with the record id prefilled, never the code";
    # the page read nothing from its address, so the visitor who scanned it found an empty form
    base, out, _ = site
    rid, code, _ = _matter(out, "promised", lambda p: True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + f"lookup/?id={rid}")
    assert page.input_value("#sw-id") == rid and page.input_value("#sw-code") == ""
    page.fill("#sw-code", code)
    page.click("#sw-lookup button[type=submit]")
    page.locator(".sw-found").wait_for(timeout=20000)
    page.goto(base + "lookup/?id=%3Cb%3Ex")                      # only an id's characters are taken
    assert page.input_value("#sw-id") == ""
    page.close()
