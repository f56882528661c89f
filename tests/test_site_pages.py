"""The site's pages as templates an agency can override, the search words of rules/search.yml,
and the Zensical build's own guards; through the real CLI on a real agency repository."""
import os
import re
import subprocess
import sys

AS_OF = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}".encode())


def pages(agency, where):
    """Every generated file; the minute the data was taken (数据截至) is blanked, as two builds
    a minute apart differ there and nowhere else."""
    agency.ok("site", "pages", str(where))
    out = {}
    for d, _, fs in os.walk(where):
        for f in fs:
            with open(os.path.join(d, f), "rb") as fh:
                out[os.path.relpath(os.path.join(d, f), where)] = AS_OF.sub(b"<as-of>", fh.read())
    return out


def test_an_override_of_home_changes_the_home_page_and_nothing_else(agency, tmp_path):
    shipped = pages(agency, tmp_path / "a")
    agency.write("site/overrides/home.md", """\
        ---
        title: {{ inst.name | yaml }}
        ---
        # {{ inst.name }}

        欢迎来到本单位。办事请先到一楼大厅 1 号窗口。
        """)
    changed = pages(agency, tmp_path / "b")
    assert {k for k in shipped if shipped[k] != changed.get(k)} == {"index.md"}
    assert set(changed) == set(shipped)
    assert "欢迎来到本单位。办事请先到一楼大厅 1 号窗口。" in changed["index.md"].decode()
    # the build says which override it used, and the built home page has the new wording
    r = agency.ok("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert "使用了自定义页面模板：site/overrides/home.md" in r.output
    home = open(tmp_path / "out" / "index.html", encoding="utf-8").read()
    assert "办事请先到一楼大厅 1 号窗口" in home and not os.path.exists(tmp_path / "out" / "overrides")
    # removing it restores the shipped page
    os.remove(os.path.join(agency.path, "site", "overrides", "home.md"))
    assert pages(agency, tmp_path / "c") == shipped


def test_scheme_and_complaint_wording_is_editable_without_python(agency, tmp_path):
    shipped = os.path.join(os.path.dirname(__file__), "..", "tools", "shouwen", "templates", "site", "pages")
    for name, old, new in (("scheme.md", "## 首问责任人的职责", "## 首问责任人应当做到"),
                           ("complaints.md", "可以通过以下方式投诉", "欢迎通过以下方式监督我们")):
        text = open(os.path.join(shipped, name), encoding="utf-8").read()
        assert old in text
        agency.write(f"site/overrides/{name}", text.replace(old, new))
    got = pages(agency, tmp_path / "p")
    assert "首问责任人应当做到" in got["scheme/index.md"].decode() and "欢迎通过以下方式监督我们" in got["complaints/index.md"].decode()


def test_a_broken_override_stops_the_build_naming_file_and_line(agency, tmp_path):
    agency.write("site/overrides/home.md", "# 首页\n\n{% if inst.name %}\n没有结束的判断\n")
    r = agency.run("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert r.exit_code == 2 and "site/overrides/home.md" in r.output and "行" in r.output
    assert "Traceback" not in r.output and not os.path.exists(tmp_path / "out")
    # an unknown variable is named too, not left blank
    agency.write("site/overrides/home.md", "# {{ inst.name }}\n\n{{ 电话号码 }}\n")
    r = agency.run("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert r.exit_code != 0 and "site/overrides/home.md" in r.output + (r.stderr or "") and "电话号码" in r.output


def test_a_broken_override_is_bad_input_under_mkdocs_too(agency, tmp_path):
    """The engine MkDocs runs the page templates in its hook: a template that fails there is still the agency's
    file at fault (exit 2, named), not a failed build (exit 1)."""
    for text, said in (("# 首页\n\n{% if inst.name %}\n没有结束的判断\n", "行"), ("# {{ inst.name }}\n\n{{ 电话号码 }}\n", "电话号码")):
        agency.write("site/overrides/home.md", text)
        r = agency.run("site", "build", "--engine", "mkdocs", "-o", str(tmp_path / "out"))
        out = r.output + (r.stderr or "")
        assert r.exit_code == 2 and "site/overrides/home.md" in out and said in out, out
        assert "Traceback" not in out and not os.path.exists(tmp_path / "out")


def test_an_override_that_matches_no_page_is_named(agency, tmp_path):
    agency.write("site/overrides/hom.md", "# 首页\n")
    r = agency.ok("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert "site/overrides/hom.md 不是任何页面模板的名字" in r.output


def test_search_words_show_on_the_guides_they_name(agency, tmp_path):
    got = pages(agency, tmp_path / "p")
    assert "也叫：出生证明、准生证" in got["guide/birth-registration.md"].decode()
    assert "准生证" in got["guide/birth-permit.md"].decode()


def test_a_search_word_for_an_unknown_service_stops_the_build(agency, tmp_path):
    agency.write("rules/search.yml", "synonyms:\n  出生证明: [出生登记]\n  准生证: [生育登记]\n")
    r = agency.run("site", "build", "-o", str(tmp_path / "out"))
    assert r.exit_code == 2 and "rules/search.yml" in r.output and "出生证明" in r.output and "出生登记" in r.output
    assert "Traceback" not in r.output and not os.path.exists(tmp_path / "out")
    # it is a rule like the others: `check` reports it too
    r = agency.run("check")
    assert r.exit_code == 1 and "rules-invalid" in r.output and "rules/search.yml" in r.output and "出生登记" in r.output


def test_an_agency_made_by_the_old_init_still_builds(agency, tmp_path):
    """Its mkdocs.yml names hooks/shouwen_site.py, which imports the hook by its old path."""
    agency.write("hooks/shouwen_site.py", "from shouwen.mkdocs_hook import on_config, on_files, on_post_build  # noqa\n")
    cfg = agency.file("mkdocs.yml")
    assert "hooks/shouwen_site.py" in cfg
    agency.write("mkdocs.yml", cfg.replace("  overrides/\n", "").replace("  /poster/*\n", ""))
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")],
                           cwd=agency.path, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    assert os.path.exists(tmp_path / "out" / "kiosk" / "index.html")
    agency.ok("site", "build", "--engine", "zensical", "-o", str(tmp_path / "zs"))
    assert os.path.exists(tmp_path / "zs" / "kiosk" / "index.html")


def test_zensical_build_fails_on_a_leak_and_on_an_external_asset(agency, tmp_path):
    agency.new("2026-11-02T09:30", name="欧阳春晓", phone="13912345678")
    rel = "rules/services/birth-permit.md"
    original = agency.file(rel)
    agency.write(rel, original + "\n联系人欧阳春晓,电话 13912345678。\n")
    r = agency.run("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert r.exit_code == 1 and "pii-leak" in r.output and "guide/birth-permit/index.html" in r.output
    assert "欧阳春晓" not in r.output and "13912345678" not in r.output
    assert not os.path.exists(tmp_path / "out") and not os.path.exists(os.path.join(agency.path, ".shouwen", "zensical"))
    agency.write(rel, original + "\n![流程图](https://cdn.example.com/flow.png)\n")
    r = agency.run("site", "build", "--engine", "zensical", "-o", str(tmp_path / "out"))
    assert r.exit_code == 1 and "cdn.example.com" in r.output and not os.path.exists(tmp_path / "out")


def test_a_theme_custom_dir_serves_both_engines(agency, tmp_path):
    """Material's custom_dir (beside mkdocs.yml) still applies when the Zensical build stages the site elsewhere."""
    agency.write("theme/main.html", '{% extends "base.html" %}\n{% block announce %}本站为示例{% endblock %}\n')
    cfg = agency.file("mkdocs.yml")
    agency.write("mkdocs.yml", cfg.replace("  name: material\n", "  name: material\n  custom_dir: theme\n", 1))
    for engine in ("mkdocs", "zensical"):
        agency.ok("site", "build", "--engine", engine, "-o", str(tmp_path / engine))
        assert "本站为示例" in open(tmp_path / engine / "index.html", encoding="utf-8").read(), engine


def test_an_override_never_runs_code_in_the_build(agency, tmp_path):
    """site/overrides/ is text the office edits, not a way into the build machine (as mkdocs.yml's tags are not)."""
    marker = tmp_path / "PWNED"
    home = open(os.path.join(os.path.dirname(__file__), "..", "tools", "shouwen", "templates", "site", "pages",
                             "home.md"), encoding="utf-8").read()
    agency.write("site/overrides/home.md", home + f'\n{{{{ cycler.__init__.__globals__.os.system("touch {marker}") }}}}\n')
    r = agency.run("site", "pages", str(tmp_path / "out"))
    assert r.exit_code == 2 and "site/overrides/home.md" in r.stderr and "Traceback" not in r.output, r.output
    assert "Python 内部" in r.stderr and not marker.exists()
    # and who changes them is audited like mkdocs.yml: a clerk may not
    env = dict(os.environ, GIT_AUTHOR_NAME="李明", GIT_AUTHOR_EMAIL="j005@example.gov.cn",
               GIT_COMMITTER_NAME="李明", GIT_COMMITTER_EMAIL="j005@example.gov.cn")
    agency.write("site/overrides/home.md", home + "\n本单位欢迎您\n")
    subprocess.run(["git", "-C", agency.path, "add", "site"], check=True)
    subprocess.run(["git", "-C", agency.path, "commit", "-qm", "首页", "--no-verify"], env=env, check=True)
    import json
    probs = json.loads(agency.run("audit", "--format", "json").stdout)["problems"]
    assert [p["path"] for p in probs if p["code"] == "role-forbidden"] == ["site/overrides/home.md"]


def test_site_serve_previews_a_zensical_site_with_our_pages(agency, tmp_path):
    """Zensical runs no hook: `site serve --engine zensical` builds as `site build` does and serves that, so the
    office previews its own pages (not a bare engine site), and Ctrl-C leaves no temporary copy behind."""
    import signal
    import socket
    import time
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "shouwen", "--repo", str(agency.path), "site", "serve", "--engine",
                             "zensical", "-a", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    try:
        home = None
        for _ in range(600):
            if proc.poll() is not None:
                break
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert home is not None, proc.communicate()
        assert "首问" in home
        kiosk = urllib.request.urlopen(f"http://127.0.0.1:{port}/kiosk/", timeout=2).read().decode()
        assert "kiosk" in kiosk.lower()
        assert [p for p in os.listdir(tmp_path) if p.startswith("shouwen-preview-")]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "正在预览（zensical" in out and "Traceback" not in out + err
    assert "本机浏览" not in out and "8000" not in out       # the build's own hint names another port
    assert not [p for p in os.listdir(tmp_path) if p.startswith("shouwen-preview-")]


def test_site_serve_refuses_a_bad_address_in_chinese(agency):
    r = agency.run("site", "serve", "--engine", "zensical", "-a", "localhost")
    assert r.exit_code == 2 and "预览地址 localhost 无效" in r.output and "Traceback" not in r.output
