"""QR codes as inline SVG for the window poster (segno: pure Python, no image library). Pure."""
from __future__ import annotations

from html import escape

import segno


def qr_svg(url: str, title: str) -> str:
    """Medium error correction: a poster at a window gets scuffed and taped over."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=6, svgclass="sw-qr", lineclass=None, title=title)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}二维码" ', 1)
