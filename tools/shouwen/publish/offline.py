"""Keeping the site off other hosts (DESIGN §7): the themes' bundles name scripts on CDNs that
they load only on demand — Mermaid, a ResizeObserver polyfill, and in Zensical also Pyodide, Ace
and GLightbox — none of which these pages use. An empty inline script stands in for each, so the
built site names no other host at all and works on an intranet with no way out. Pure."""
from __future__ import annotations

import re

ON_DEMAND = re.compile(r"https://(?:unpkg\.com|cdn\.jsdelivr\.net)/[^\"'`\s)]*")
EMPTY = "data:text/javascript,"


def is_theme_bundle(path: str) -> bool:
    path = path.replace("\\", "/")
    return path.startswith("assets/javascripts/bundle.") and path.endswith(".js")


def neutralise(text: str) -> str:
    return ON_DEMAND.sub(EMPTY, text)
