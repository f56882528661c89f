"""The lookup page of an agency whose rules set fewer rounds (the synthetic `shouwen demo` agency's 1,000, in
rules/policy.yml `lookup.rounds`): the browser derives the key with those rounds and finds the matter, in
WebCrypto and in the plain-JavaScript fallback. A real Chromium, as in test_browser.py."""
import functools
import glob
import http.server
import os
import re
import subprocess
import sys
import threading
from datetime import date

from helpers.browsing import launch, new_page, require_browser
from shouwen.repo.demo import make_demo


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_demo_agency_is_looked_up_with_its_own_rounds(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright
    root, _ = make_demo(str(tmp_path / "agency"), 6, date(2026, 11, 2), date(2026, 11, 13), seed=2)
    text = open(sorted(glob.glob(os.path.join(root, "records", "inquiries", "*", "*", "*.md")))[0],
                encoding="utf-8").read()
    rid, code = (re.search(rf"^{f}: (\S+)$", text, re.M).group(1) for f in ("id", "code"))
    assert "\nlookup_rounds: 1000\n" in text
    out = tmp_path / "public"
    r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", root, "site", "build", "--engine", "mkdocs",
                        "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ITERATIONS = 1000;" in (out / "assets" / "shouwen.js").read_text(encoding="utf-8")    # the rules' rounds
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            for mode in ("", "?purejs=1"):
                page = new_page(browser, [])
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/lookup/{mode}")
                page.fill("#sw-id", rid)
                page.fill("#sw-code", code)
                page.click("#sw-lookup button[type=submit]")
                page.locator(".sw-found").wait_for(timeout=20000)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
