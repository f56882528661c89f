"""Driving Debian's chromium through Playwright for the site tests: launch, pages, search."""
import os
import shutil

import pytest

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# The flags a sandboxed machine with no outside network needs (see the environment notes).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SIZES = {"desktop": (1280, 900), "phone": (390, 844), "kiosk": (1080, 1920)}


def missing(what):
    (pytest.fail if REQUIRED else pytest.skip)(f"{what}（CI 中由 .ci/run 安装并强制运行）")


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def require_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("未安装 Python 包 playwright")
    if not CHROMIUM:
        missing("没有找到 chromium（Debian 包 chromium）")


def new_page(browser, requests_seen, size="desktop", **kw):
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN", **kw)
    ctx.on("request", lambda r: requests_seen.append(r.url))
    return ctx.new_page()


def search(page, engine, term) -> str:
    """Put `term` into the site's search box the way a paste or an input method does (text in,
    no key pressed) and return the results' text. Each engine has its own search box."""
    if engine == "mkdocs":
        page.locator(".md-search__input").click()
        page.keyboard.insert_text(term)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        return page.locator(".md-search-result").inner_text().replace("\u200b", "")   # jieba's invisible joints
    page.locator(".md-search__button").first.click()
    box = page.locator("dialog input[role=combobox]")
    box.click()
    page.keyboard.insert_text(term)
    page.locator("dialog ol[role=listbox] li").first.wait_for(timeout=15000)
    return page.locator("dialog ol[role=listbox]").inner_text()
