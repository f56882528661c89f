"""The public site: a real `mkdocs build --strict` and a real `zensical build --strict` of a real
agency, and what must never be in either."""
import json
import os
import re
import subprocess
import sys

import pytest

from shouwen.publish import lookup
from shouwen.core.fold import STAGE_ZH
from conftest import Agency
from helpers.offline import external_refs

VISITOR = {"name": "欧阳春晓", "phone": "13912345678", "org": "示例市春晓商贸有限公司", "addr": "示例市凉州区西大街77号"}


ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """One agency with a few matters, built once by each engine for the read-only checks below."""
    from click.testing import CliRunner
    from shouwen.cli import cli
    tmp = tmp_path_factory.mktemp("site")
    r = CliRunner().invoke(cli, ["init", str(tmp / "agency")])
    assert r.exit_code == 0, r.output
    a = Agency(tmp / "agency")
    rid = json.loads(a.ok("--as", "J005", "new", "--name", VISITOR["name"], "--phone", VISITOR["phone"],
                          "--org", VISITOR["org"], "--address", VISITOR["addr"], "--matter", "咨询再生育审批",
                          "--service", "birth-permit", "--at", "2026-11-02T09:30", "--format", "json").stdout)["id"]
    a.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    a.ok("--as", "J014", "accept", rid, "--at", "2026-11-03T09:00")
    a.ok("--as", "J014", "promise", rid, "--due", "2026-11-10", "--at", "2026-11-03T09:05")
    paused = a.new("2026-11-02T11:00", service="birth-permit", name="东方晓", phone="13600002222")
    a.ok("--as", "J005", "forward", paused, "--to", "family", "--staff", "J014", "--at", "2026-11-02T11:30")
    a.ok("--as", "J014", "accept", paused, "--at", "2026-11-03T09:00")
    a.ok("--as", "J014", "promise", paused, "--due", "2026-11-12", "--at", "2026-11-03T09:05")
    a.ok("--as", "J014", "suspend", paused, "--reason", "补正材料", "--at", "2026-11-04T10:00")
    other = a.new("2026-11-04T09:00", name="司马青衫", phone="13700001111")
    a.ok("--as", "J005", "answer", other, "--answer", "已当场答复", "--at", "2026-11-04T09:10")
    outs = {}
    for engine in ENGINES:
        outs[engine] = tmp / f"public-{engine}"
        r = a.run("site", "build", "--engine", engine, "-o", str(outs[engine]))
        assert r.exit_code == 0, r.output
    a.paused = paused
    return a, outs, rid


@pytest.fixture(scope="module", params=ENGINES)
def built(sites, request):
    a, outs, rid = sites
    return a, outs[request.param], rid


def _pages(out):
    return sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs if f.endswith(".html"))


def test_both_engines_build_the_same_pages(sites):
    _, outs, _ = sites
    mk, zs = (_pages(outs[e]) for e in ENGINES)
    assert mk == zs and len(mk) > 30
    for rel in ("kiosk/approvals/index.html", "poster/index.html", "guide/birth-permit/index.html"):
        assert rel in mk


def test_zensicals_search_dialog_speaks_chinese(sites):
    """The pinned Zensical's search dialog says its result count, "No results" and "Loading search…" in English
    whatever the site's language: the build puts them into Chinese in the bundle itself (a newer Zensical that
    spells them otherwise fails here, not silently in the lobby)."""
    import glob
    _, outs, _ = sites
    bundle = "".join(open(p, encoding="utf-8").read()
                     for p in glob.glob(os.path.join(outs["zensical"], "assets", "javascripts", "bundle.*.js")))
    for english in ('"result":"results"', '"No results"', '"Loading search', "Search is unavailable"):
        assert english not in bundle, english
    for chinese in ("个符合条件的结果", "没有找到符合条件的结果", "正在加载搜索", "搜索暂时不可用"):
        assert chinese in bundle, chinese


def read(out, rel):
    with open(os.path.join(out, rel), encoding="utf-8") as fh:
        return fh.read()


def test_every_page_of_the_disclosure_is_built(built):
    a, out, _ = built
    from shouwen.repo.loader import load_rules
    rules = load_rules(a.path)
    home = read(out, "index.html")
    assert rules.institution["name"] in home and "<html lang=\"zh\"" in home
    for rel in ("org/index.html", "board/index.html", "complaints/index.html", "scheme/index.html",
                "bulletins/index.html", "lookup/index.html", "guide/index.html", "kiosk/index.html", "org/org-chart.svg"):
        assert os.path.exists(os.path.join(out, rel)), rel
    for d in rules.departments.values():
        assert d.name in read(out, f"org/{d.id}/index.html")
    for s in rules.services.values():
        page = read(out, f"guide/{s.id}/index.html")
        assert s.name in page and "一次性告知清单" in page and f"{s.promised_days} 个工作日" in page
        for m in s.materials:
            assert m["名称"] in page
    board = read(out, "board/index.html")
    for s in rules.staff.values():
        assert (s.badge in board) == s.public
    svg = read(out, "org/org-chart.svg")
    assert svg.startswith("<svg") and all(d.name in svg for d in rules.departments.values())
    scheme = read(out, "scheme/index.html")
    assert f"{rules.policy.forward_limit} 个工作日内" in scheme
    # the ladder as a table: the seed's three rows
    for cells in (("第 1 次", "通报批评", "20%", "不得评为优秀", "5%"), ("第 2 次", "警告处分", "50%", "不称职", "10%"),
                  ("第 3 次及以后", "调离工作岗位", "100%", "15%")):
        row = next(r for r in scheme.split("<tr>") if cells[0] in r)
        assert all(c in row for c in cells), row


def test_open311_service_list_and_definitions(built):
    a, out, _ = built
    listing = json.loads(read(out, "services.json"))
    codes = {s["service_code"] for s in listing}
    assert "birth-permit" in codes and all({"service_name", "description", "metadata", "type"} <= set(s) for s in listing)
    d = json.loads(read(out, "services/birth-permit.json"))
    assert d["service_code"] == "birth-permit" and any(x["description"] == "户口簿" for x in d["attributes"])


def test_service_pages_stay_out_of_the_navigation(built):
    _, out, _ = built
    page = read(out, "scheme/index.html")       # every page embeds the navigation; this one links no service
    assert 'href="../guide/"' in page and "guide/birth-permit" not in page
    assert "birth-permit" in read(out, "guide/index.html")


def test_nothing_refers_to_another_host(built):
    _, out, _ = built
    assert external_refs(out) == []


def test_search_index_segments_chinese(sites):
    _, outs, _ = sites
    out = outs["mkdocs"]        # Zensical segments in the browser (Intl.Segmenter): see test_browser
    index = json.loads(read(out, "search/search_index.json"))
    guide = next(d for d in index["docs"] if d["location"].startswith("guide/birth-permit/"))
    # jieba's segments are joined by zero-width spaces, so the browser's index holds the words whole
    assert "\u200b" in guide["text"]
    words = set(re.split(r"[\u200b\s,。、:;()《》]+", " ".join(d["text"] for d in index["docs"])))
    assert {"再生育", "身份证"} <= words


def test_lookup_opens_with_the_right_code_only(built):
    a, out, rid = built
    code = re.search(r"^code: (\w+)$", a.file(f"records/inquiries/2026/11/{rid}.md"), re.M).group(1)
    key = lookup.derive(rid, code)
    shard, name = lookup.locator(key)
    data = json.loads(read(out, f"lookup/data/{shard}.json"))
    got = lookup.open_sealed(key, data[name])
    assert got["status"] == STAGE_ZH["promised"] and got["department"] == "人口家庭科" and got["due"] == "2026-11-10"
    # a wrong code derives another key: its entry is in no shard
    wrong_shard, wrong_name = lookup.locator(lookup.derive(rid, "AAAAAA" if code != "AAAAAA" else "BBBBBB"))
    shard_file = os.path.join(out, "lookup", "data", f"{wrong_shard}.json")
    assert not os.path.exists(shard_file) or wrong_name not in json.loads(read(out, f"lookup/data/{wrong_shard}.json"))
    # statuses can't be listed: every shard is opaque
    for f in os.listdir(os.path.join(out, "lookup", "data")):
        text = read(out, f"lookup/data/{f}")
        assert not any(z in text for z in STAGE_ZH.values()) and rid not in text


def test_lookup_says_where_the_matter_stands(built):
    a, out, rid = built
    def opened(record_id):
        rel = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(a.path, "records")) for f in fs
                   if f == f"{record_id}.md")
        code = re.search(r"^code: (\w+)$", open(rel, encoding="utf-8").read(), re.M).group(1)
        key = lookup.derive(record_id, code)
        shard, name = lookup.locator(key)
        return lookup.open_sealed(key, json.loads(read(out, f"lookup/data/{shard}.json"))[name])
    late = opened(rid)          # promised for 2026-11-10, never completed: late by the build's day
    from shouwen.repo.loader import load_rules
    from datetime import date, timedelta
    # the entry holds its due day, nothing the day alone changes; the page counts the working days overdue from
    # the build's day (the one its 数据截至 says: Beijing's) and the year's working days, the agency's calendar
    assert late["stage"] == "正在办理" and late["due"] == "2026-11-10" and "overdue" not in late
    days = json.loads(read(out, "lookup/workdays.json"))
    calendar = load_rules(a.path).calendar
    y, m, d = re.search(r'data-as-of="(\d{4})年(\d{1,2})月(\d{1,2})日', read(out, "lookup/index.html")).groups()
    built = date(int(y), int(m), int(d))
    assert days["day"] == built.isoformat() and str(built.year) in days["years"]
    flags = days["years"]["2026"]
    assert [flags[i] == "W" for i in range(len(flags))] == \
        [calendar.is_workday(date(2026, 1, 1) + timedelta(days=i)) for i in range(365)]
    assert late["suspended"] is False and "pickup" not in late
    paused = opened(a.paused)
    assert paused["suspended"] is True
    page = read(out, "lookup/index.html")
    assert re.search(r'data-as-of="\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"', page)


def test_no_visitor_data_anywhere(built):
    _, out, _ = built
    for dirpath, _, files in os.walk(out):
        for f in files:
            text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
            assert not any(v in text for v in VISITOR.values()), f
            assert "司马青衫" not in text and "13700001111" not in text and "东方晓" not in text


def test_a_visitor_name_planted_in_a_guide_fails_the_build(agency, tmp_path):
    agency.new("2026-11-02T09:30", name="欧阳春晓", phone="13912345678")
    rel = "rules/services/birth-permit.md"
    agency.write(rel, agency.file(rel) + "\n联系人欧阳春晓，电话 13912345678。\n")
    r = agency.run("site", "build", "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "pii-leak" in r.stderr and "guide/birth-permit/index.html" in r.stderr
    assert "欧阳春晓" not in r.stderr and "13912345678" not in r.stderr     # the log doesn't repeat the value
    # a plain `mkdocs build` fails the same way, through the hook
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out2")],
                           cwd=agency.path, capture_output=True, text=True)
    assert plain.returncode != 0 and "pii-leak" in plain.stdout + plain.stderr
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "out2")   # nothing left to publish


def test_malformed_rules_fail_the_build_with_the_check_problem(agency, tmp_path):
    rel = "rules/services/birth-permit.md"
    agency.write(rel, agency.file(rel).replace("承诺办结时限: 10", "承诺办结时限: 十天"))
    check = agency.run("check")
    r = agency.run("site", "build", "-o", str(tmp_path / "out"))
    assert r.exit_code == 2 and "rules-invalid" in r.stderr and rel in r.stderr and "承诺办结时限" in r.stderr
    line = next(l.strip() for l in r.stderr.splitlines() if "rules-invalid" in l)
    assert line in check.output
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out2")],
                           cwd=agency.path, capture_output=True, text=True)
    assert plain.returncode != 0 and line in plain.stdout + plain.stderr
    assert not os.path.exists(tmp_path / "out" / "index.html")


def test_pages_for_another_engine(agency, tmp_path):
    agency.ok("site", "pages", str(tmp_path / "pages"))
    assert os.path.exists(tmp_path / "pages" / "guide" / "birth-permit.md")
    assert os.path.exists(tmp_path / "pages" / "services.json")
    agency.ok("site", "pages")                      # default: a git-ignored folder under site/
    assert os.path.exists(os.path.join(agency.path, "site", "_generated", "index.md")) and agency.status() == ""
    agency.ok("site", "build", "-o", str(tmp_path / "out"))   # and MkDocs leaves that folder out


def test_a_staff_photo_is_published_small_and_without_its_metadata(agency, tmp_path):
    from PIL import Image
    os.makedirs(os.path.join(agency.path, "rules", "photos"))
    big = Image.new("RGB", (1200, 1600), (200, 150, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"            # camera make: must not reach the public board
    big.save(os.path.join(agency.path, "rules", "photos", "j005.jpg"), "JPEG", exif=exif.tobytes())
    agency.write("rules/staff.yml", agency.file("rules/staff.yml").replace(
        "emails: [j005@example.gov.cn], public: true, window: W01}",
        "emails: [j005@example.gov.cn], public: true, window: W01, photo: photos/j005.jpg}"))
    r = agency.ok("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    board = read(tmp_path / "out", "board/index.html")
    assert 'src="photos/J005.jpg"' in board and "李明的照片" in board
    with Image.open(tmp_path / "out" / "board" / "photos" / "J005.jpg") as small:
        assert small.size == (240, 300) and not small.getexif()
    assert b"PhoneMaker" not in open(tmp_path / "out" / "board" / "photos" / "J005.jpg", "rb").read()
    # a photo that is no image is named in the build's output and left off; the site still builds
    with open(os.path.join(agency.path, "rules", "photos", "j005.jpg"), "wb") as fh:
        fh.write(b"not a picture")
    r = agency.ok("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert "J005" in r.output and "不是可读的图片" in r.output
    assert "J005.jpg" not in read(tmp_path / "out", "board/index.html")


def test_the_build_refuses_to_run_without_jieba(agency, tmp_path):
    # jieba made unimportable: Material's search would silently index Chinese unsegmented
    code = ("import sys; sys.modules['jieba'] = None; from mkdocs.__main__ import cli; "
            "cli(['build', '--strict', '-d', sys.argv[1]])")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], cwd=agency.path, capture_output=True, text=True)
    assert r.returncode != 0 and "jieba" in r.stdout + r.stderr


def test_the_agency_mkdocs_yml_is_this_projects(agency):
    here = open(os.path.join(os.path.dirname(__file__), "..", "mkdocs.yml"), encoding="utf-8").read()
    there = agency.file("mkdocs.yml")
    assert here.replace("tools/shouwen/publish/hook.py", "hooks/shouwen_site.py") == there


def test_an_external_asset_fails_the_strict_build(agency, tmp_path):
    rel = "rules/services/birth-permit.md"
    agency.write(rel, agency.file(rel) + "\n![流程图](https://cdn.example.com/flow.png)\n")
    r = agency.run("site", "build", "-o", str(tmp_path / "out"))
    assert r.exit_code == 1 and "cdn.example.com" in r.stderr


def test_the_built_site_uses_chinese_punctuation(built):
    """GB/T 15834 on what the public reads: no ASCII punctuation beside a CJK character in any page's text."""
    from helpers import zhpunct
    _, out, _ = built
    bad = zhpunct.site_hits(out)
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])


def test_the_404_page_is_chinese(built):
    _, out, _ = built
    page = read(out, "404.html")
    assert "404：页面不存在" in page and "Not found" not in page
