"""HTML is escaped everywhere and links from rules files are limited to http(s), mailto, tel or relative."""
import os
import re

SCRIPT = "<script>alert(1)</script>"


def test_receipt_and_pickup_form_escape_the_visitor(agency):
    rid = agency.new("2026-11-02T09:30", name=SCRIPT)
    out = agency.ok("receipt", rid).stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and SCRIPT not in out
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    agency.ok("--as", "J014", "complete", rid, "--result", SCRIPT, "--at", "2026-11-02T11:30")
    for args in (["receipt", rid], ["receipt", rid, "--pickup"]):
        out = agency.ok(*args).stdout
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out, out[:2000]
        assert SCRIPT not in out


def _pages(agency, tmp_path):
    out = tmp_path / "pages"
    agency.ok("site", "pages", str(out))
    texts = []
    for dirpath, _, names in os.walk(out):
        for n in names:
            with open(os.path.join(dirpath, n), encoding="utf-8", errors="replace") as fh:
                texts.append(fh.read())
    return "\n".join(texts)


def test_a_javascript_link_in_the_rules_is_refused_and_never_published(agency, tmp_path):
    inst = agency.file("rules/institution.yml")
    agency.write("rules/institution.yml", re.sub(r"(?m)^website: .*$", "website: '[官网](javascript:alert(1))'", inst))
    svc = agency.file("rules/services/birth-permit.md")
    agency.write("rules/services/birth-permit.md", svc + "\n[在线办理](JavaScript:alert(2))\n<img src=x onerror=alert(3)>\n")
    r = agency.run("check", "--format", "json")
    assert r.exit_code == 1
    assert '"field": "website"' in r.stdout and '"path": "rules/institution.yml"' in r.stdout
    assert '"path": "rules/services/birth-permit.md"' in r.stdout
    out = tmp_path / "pages"
    r = agency.run("site", "pages", str(out))
    assert r.exit_code == 2 and "javascript:" in r.stderr.lower()       # named, and nothing generated
    assert not out.exists() or not any(out.iterdir())


def test_ordinary_links_stay(agency, tmp_path):
    svc = agency.file("rules/services/birth-permit.md")
    agency.write("rules/services/birth-permit.md",
                 svc + "\n[政策原文](https://example.gov.cn/a) [来信](mailto:xx@example.gov.cn) [电话](tel:0935-2210000) [指南](../archive-lookup/)\n")
    r = agency.run("check", "--format", "json")
    assert "birth-permit.md" not in r.stdout, r.stdout[:1000]
    assert "https://example.gov.cn/a" in _pages(agency, tmp_path)
