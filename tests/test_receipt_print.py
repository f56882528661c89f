"""The 收件回执 a visitor takes home: dates in words, 即办件 as such, the lookup address with a QR code
(the id filled in, never the lookup code), still one A4 page when printed by Chromium."""
import os
import re

import pytest

from shouwen.publish import printpdf
from shouwen.publish.receipt import lookup_url, qr_svg

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"


def test_the_receipt_reads_as_people_write(agency, tmp_path):
    agency.write("mkdocs.yml", agency.file("mkdocs.yml") + "site_url: https://zwfw.example.gov.cn/shouwen/\n")
    rid = agency.new("2026-11-02T09:30", service="marital-status-proof")
    code = agency.file(f"records/inquiries/2026/11/{rid}.md").split("code: ")[1].split()[0]
    out = tmp_path / "回执.html"
    agency.ok("receipt", rid, "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert "2026年11月2日 09:30" in page and "2026-11-02" not in page and "+08:00" not in page
    assert "即办件，当场办结" in page and "承诺时限 0" not in page
    url = f"https://zwfw.example.gov.cn/shouwen/lookup/?id={rid}"
    assert lookup_url(agency.path, rid) == url and url in page and code not in url
    assert str(qr_svg(url)) in page and "<svg" in page                 # the QR code of that address
    assert len(re.findall(r"https?://[^\s\"'<>]+", page)) >= 1
    assert all(code not in u for u in re.findall(r"https?://[^\s\"'<>]+", page))
    if not printpdf.chromium():
        (pytest.fail if REQUIRED else pytest.skip)("没有找到 chromium（Debian 包 chromium）")
    pdf = tmp_path / "回执.pdf"
    printpdf.pdf(page, str(pdf))
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes())) == 1       # one A4 page


def test_a_fresh_agency_prints_the_address_its_rules_give(agency):
    """The templates name the site's address once, in rules/institution.yml (the poster's QR code uses it):
    the receipt uses it too when mkdocs.yml has no site_url."""
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    page = agency.ok("receipt", rid).output
    assert f"http://zwfw.shouwen.example/lookup/?id={rid}" in page and "<svg" in page


def test_without_a_site_url_the_receipt_names_the_page_only(agency):
    agency.write("rules/institution.yml", "\n".join(l for l in agency.file("rules/institution.yml").split("\n")
                                                    if not l.startswith("site_url:")))
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    page = agency.ok("receipt", rid).output
    assert "办理进度查询" in page and "<svg" not in page and "承诺件，法定时限" in page


def test_a_printed_page_is_written_only_as_a_pdf_or_a_page(agency, tmp_path):
    # `receipt ID -o 回执.docx` (and placard, bulletin --gongwen) wrote the HTML page under that name: a file Word
    # calls broken, found only at the counter with the visitor waiting; a receipt named .pdf got HTML bytes too
    rid = agency.new("2026-11-02T09:30")
    for args in (("receipt", rid), ("placard",), ("bulletin", "2026Q3", "--gongwen")):
        out = tmp_path / "回执.docx"
        r = agency.run(*args, *(() if args[0] == "bulletin" else ("-o",)), str(out))
        assert r.exit_code == 2 and "回执.docx" in r.stderr and ".pdf" in r.stderr and ".html" in r.stderr, r.output
        assert not out.exists()
    agency.ok("receipt", rid, "-o", str(tmp_path / "回执.html"))
    assert (tmp_path / "回执.html").read_text(encoding="utf-8").startswith("<!doctype html>")
