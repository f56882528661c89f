"""Dates where people read them are written `2026年11月29日` and `2026年第四季度`: no space inside a Chinese date,
in the package's messages and page templates, the bulletin, its charts and the CLI's reports."""
import glob
import os
import re

from click.testing import CliRunner

from helpers import zhpunct
from shouwen.cli import cli
from test_punctuation import PACKAGE, REPO, python_strings

# a year (four digits or a placeholder) before `年`, and `年`/`月` with a number or placeholder around them, apart;
# not a count of days or years (`法定时限 60 日`, `有效期 5 年`)
SPACED = re.compile(r"(?:\d{4}|\0+) +年|年 +(?:\d|\0)|(?:\d|\0) +月(?=\s*(?:\d|\0))|月 +(?:\d|\0)+ *日")


def spaced_dates(text):
    return [m.group(0) for m in SPACED.finditer(text)]


def test_the_scan_finds_a_spaced_date_and_not_a_count():
    assert spaced_dates("# 2026 年第四季度通报") and spaced_dates("\0 年度评议") and spaced_dates("2026年 11 月 29 日")
    assert not spaced_dates("2026年11月29日，2026年第四季度") and not spaced_dates("法定时限 60 日内，有效期 5 年")


def test_messages_and_pages_write_dates_without_spaces():
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)):
        bad += [f"{os.path.relpath(path, REPO)}: {t[:50]}" for t in python_strings(path) if spaced_dates(t)]
    pages = [p for p in glob.glob(os.path.join(PACKAGE, "templates", "**", "*"), recursive=True)
             if p.endswith((".j2", ".html", ".md"))] + glob.glob(os.path.join(PACKAGE, "desk", "templates", "*.html"))
    for path in sorted(pages):
        text = zhpunct.mask_braces(open(path, encoding="utf-8").read(), jinja=True)
        bad += [f"{os.path.relpath(path, REPO)}: {d}" for d in spaced_dates(text)]
    assert bad == [], "\n".join(bad)


def test_the_bulletin_and_the_reports_name_the_year_and_quarter_as_people_read_them():
    run = lambda *a: CliRunner().invoke(cli, ["--repo", REPO, *a])
    assert run("bulletin", "2026Q3").stdout.startswith("# 2026年第三季度首问责任制执行情况通报\n")
    assert "注意：2026年第四季度尚未结束，数据截至2026年11月29日" in run("bulletin", "2026Q4", "--today", "2026-11-29").stderr
    assert run("review", "2026").stdout.startswith("2026年度评议")
    assert "2026年度责任追究" in run("ladder", "2026").stdout
    # the demo's committed bulletin, its chart and the site's list of bulletins read it that way too
    for name in ("2026Q3.md", "2026Q3-score.svg"):
        assert "2026年第三季度" in open(os.path.join(REPO, "site", "bulletins", name), encoding="utf-8").read(), name
