"""Printed pages as A4 PDF files, through Debian's headless Chromium (the 公文 bulletin, the 公示牌).

The page's own `@page` rule sets the paper and margins; Chromium adds no header or footer and
fetches nothing: every page we print is self-contained.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ..core.problems import InputError, os_reason

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-pdf-header-footer"]


def chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pdf(page: str, out: str) -> None:
    """Print the page to a PDF file with a headless Chromium."""
    exe = chromium()
    if not exe:
        raise InputError("没有找到 chromium，无法生成 PDF；请安装 Debian 包 chromium")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "bulletin.html")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(page)
        target = os.path.abspath(out)
        r = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={target}",
                            f"file://{src}"], capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or not os.path.exists(target):
            raise InputError(f"chromium 未能生成 PDF：{(r.stderr or r.stdout).strip()[-300:]}")


def check_name(out: str, what: str) -> None:
    """Refuse an output named as neither a PDF nor a page (`回执.docx` would hold the HTML, a file the reader calls
    broken); a device (a printer's, /dev/stdout) takes the page as it is."""
    if out.lower().endswith((".pdf", ".html", ".htm")) or os.path.exists(out) and not os.path.isfile(out):
        return
    raise InputError(f"{out}：{what}只能写成 PDF（.pdf）或网页（.html），未写入任何内容")


def save(page: str, out: str) -> None:
    """The page as `out`: a PDF when the name ends in .pdf, else the HTML itself (to print from a browser)."""
    try:
        if out.lower().endswith(".pdf"):
            pdf(page, out)
        else:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(page)
    except OSError as e:
        raise InputError(f"无法写入 {out}：{os_reason(e)}，未写入任何内容") from None
