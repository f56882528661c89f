"""The 首问登记簿 both ways: export to .xlsx and .csv, LibreOffice opens it, and it re-imports to the same records."""
import csv
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from shouwen.repo import store
from shouwen.cli import cli
from conftest import Agency

REQUIRED = os.environ.get("SHOUWEN_REQUIRE_COMPONENTS") == "1"      # .ci/run installs LibreOffice too
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def ledger_agency(a):
    r1 = a.new("2026-11-02T09:30", name="张三", phone="13800000000")
    a.ok("--as", "J005", "answer", r1, "--answer", "当场告知办理流程", "--at", "2026-11-02T09:40")
    r2 = json.loads(a.ok("--as", "J005", "new", "--name", "李四", "--phone", "0935-2211234", "--org", "某某有限公司",
                         "--address", "示例市凉州区东大街12号", "--matter", "咨询再生育审批，材料，引号\"与换行",
                         "--service", "birth-permit", "--at", "2026-11-03T10:00", "--format", "json").stdout)["id"]
    a.ok("--as", "J005", "notify", r2, "--at", "2026-11-03T10:05")
    a.ok("--as", "J005", "forward", r2, "--to", "family", "--staff", "J014", "--at", "2026-11-03T10:10")
    a.ok("--as", "J014", "accept", r2, "--at", "2026-11-04T09:00")
    a.ok("--as", "J014", "promise", r2, "--due", "2026-11-13", "--at", "2026-11-04T09:05")
    a.ok("--as", "J014", "complete", r2, "--result", "准予再生育", "--at", "2026-11-12T15:00")
    return r1, r2


def snapshot(path):
    """What each record says, without where it came from (an import adds its provenance, `imported`)."""
    return {r.id: ({k: v for k, v in r.meta.items() if k != "imported"}, r.body)
            for r in store.load_records(path, use_cache=False)}


@pytest.fixture
def fresh(tmp_path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "fresh")])
    assert r.exit_code == 0
    return Agency(tmp_path / "fresh")


def test_csv_round_trip_and_columns(agency, fresh, tmp_path):
    ledger_agency(agency)
    out = tmp_path / "ledger.csv"
    agency.ok("export", "-o", str(out), "--quarter", "2026Q4")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][:14] == ["序号", "登记日期", "登记时间", "事项编号", "查询码", "渠道", "发问人姓名", "单位", "地址",
                             "联系办法", "发问事由", "办事事项", "被问责任人", "办理结果或衔接情况"]
    assert table[2][table[0].index("联系办法")] == "0935-2211234"
    assert "转办至" in table[2][table[0].index("办理结果或衔接情况")]
    fresh.ok("--as", "J003", "import", str(out), "--dry-run")
    assert fresh.status() == ""
    fresh.ok("--as", "J003", "import", str(out))
    assert snapshot(fresh.path) == snapshot(agency.path)
    # an import is one commit, and the audit takes its events' own authors and past dates as they are
    assert fresh.git("log", "-1", "--format=%(trailers:key=Shouwen-Action,valueonly)").strip() == "imported"
    # and evidence of what was imported: the ledger file's digest and row count, the importer, on the commit
    # and on each record, whose events are shown as imported
    import hashlib
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert fresh.git("log", "-1", "--format=%(trailers:key=Shouwen-Import-SHA256,valueonly)").strip() == digest
    first = store.load_records(fresh.path, use_cache=False)[0]
    assert first.meta["imported"]["sha256"] == digest and first.meta["imported"]["by"] == "J003"
    assert "【导入】" in fresh.ok("show", first.id).output
    codes = {p["code"] for p in json.loads(fresh.run("audit", "--format", "json").stdout)["problems"]}
    assert not codes & {"author-mismatch", "backdated"}


def test_every_bad_row_is_reported_and_nothing_is_written(fresh, tmp_path):
    bad = tmp_path / "paper.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["登记日期", "登记时间", "发问人姓名", "联系办法", "发问事由", "被问责任人", "办事事项", "办理结果或衔接情况"])
        w.writerow(["2026-11-02", "09:00", "王五", "13900000000", "咨询", "李明（J005）", "", "已当场答复"])
        w.writerow(["2026-11-02", "09:10", "", "", "咨询", "J005", "", ""])                       # row 3: no name
        w.writerow(["2026-11-31", "09:20", "赵六", "", "咨询", "J005", "", ""])                    # row 4: no such day
        w.writerow(["2026-11-02", "09:30", "钱七", "", "咨询", "J099", "", ""])                    # row 5: unknown badge
        w.writerow(["2026-11-02", "09:40", "孙八", "", "咨询", "J005", "不存在的事项", ""])         # row 6
    head = fresh.head()
    r = fresh.run("--as", "J003", "import", str(bad))
    assert r.exit_code == 2
    for n, col in ((3, "发问人姓名"), (4, "登记日期"), (5, "被问责任人"), (6, "办事事项")):
        assert f"第 {n} 行 字段 {col}" in r.stderr, r.stderr
    assert "第 2 行" not in r.stderr and str(bad) in r.stderr
    assert fresh.head() == head and fresh.status() == ""
    # the good row alone imports: a registration, with the result as a note
    with open(bad, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    bad.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    fresh.ok("--as", "J003", "import", str(bad))
    recs = store.load_records(fresh.path)
    assert [r.meta["visitor"]["name"] for r in recs] == ["王五"] and recs[0].events[1]["action"] == "note"
    assert recs[0].id == "20261102-J005-001"


def test_xlsx_opens_in_libreoffice_and_reimports_the_same(agency, fresh, tmp_path):
    if not SOFFICE:
        (pytest.fail if REQUIRED else pytest.skip)("没有 LibreOffice（Debian 包 libreoffice-calc;CI 中由 .ci/run 安装）")
    ledger_agency(agency)
    xlsx = tmp_path / "ledger.xlsx"
    agency.ok("export", "-o", str(xlsx))
    conv = tmp_path / "lo"
    env = dict(os.environ, HOME=str(tmp_path / "lohome"))          # a profile of its own, not the user's
    # LibreOffice opens our .xlsx and saves it again, as .xlsx and as UTF-8 CSV
    for target in ("xlsx", 'csv:Text - txt - csv (StarCalc):44,34,76'):
        r = subprocess.run([SOFFICE, "--headless", "--norestore", "--convert-to", target, "--outdir", str(conv), str(xlsx)],
                           capture_output=True, text=True, env=env, timeout=180)
        assert r.returncode == 0, r.stderr
    assert (conv / "ledger.xlsx").stat().st_size > 0 and (conv / "ledger.csv").stat().st_size > 0
    fresh.ok("--as", "J003", "import", str(conv / "ledger.xlsx"))
    assert snapshot(fresh.path) == snapshot(agency.path)
    again = tmp_path / "again"
    CliRunner().invoke(cli, ["init", str(again)])
    Agency(again).ok("--as", "J003", "import", str(conv / "ledger.csv"))
    assert snapshot(str(again)) == snapshot(agency.path)


def test_the_exported_cells_use_chinese_punctuation(agency, tmp_path):
    """GB/T 15834 in the ledger an office reads: the steps of 办理结果或衔接情况 are joined by a full-width ；."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "helpers"))
    import zhpunct
    ledger_agency(agency)
    out = tmp_path / "ledger.csv"
    agency.ok("export", "-o", str(out), "--quarter", "2026Q4")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[2][table[0].index("办理结果或衔接情况")] == "转办至朱立新（J014）；办结：准予再生育"
    assert [cell for row in table for cell in row if zhpunct.hits(cell)] == []


def test_a_csv_cell_comes_back_as_typed_whatever_apostrophes_it_starts_with():
    """The apostrophe that keeps a formula from running is taken off on import, and only that one: a value that
    itself starts with an apostrophe before =, +, - or @ comes back with it."""
    from shouwen.publish.ledger_io import csv_cell, from_csv_cell
    for typed in ("=1+1", "'=1+1", "''@SUM(A1)", "'plain", "plain", "", "-", "'"):
        assert from_csv_cell(csv_cell(typed)) == typed, typed
        assert not csv_cell(typed).startswith(("=", "+", "-", "@"))
