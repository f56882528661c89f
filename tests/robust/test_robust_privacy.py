"""The privacy guard scans every published file of any type, with phones and text normalised, and judges
a value by the kind of field it came from; a build that fails it leaves no output."""
import gzip
import io
import os
import shutil
import tarfile

import openpyxl

from shouwen.core.record import Record
from shouwen.publish.privacy import personal_values, scan

AGENCY = "示例市凉州区东大街 88 号政务服务中心"


def _values(**visitor):
    rec = Record("records/inquiries/2026/11/20261102-J005-001.md", {"id": "20261102-J005-001", "visitor": visitor})
    return personal_values([rec], ["李明"], AGENCY)


def _site(tmp_path, files: dict):
    site = tmp_path / "public"
    for rel, data in files.items():
        p = site / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(site)


def _leaks(site, values):
    return {(p.path, p.field) for p in scan(site, values)}


def test_phones_in_any_spelling(tmp_path):
    values = _values(name="张三", phone="13800138001")
    site = _site(tmp_path, {"a.html": "<p>电话 138-0013-8001</p>", "b.html": "１３８００１３８００１",
                            "c.html": "<a href='tel:+86 138 0013 8001'>x</a>", "d.txt": "(138) 0013 8001",
                            "clean.html": "咨询电话 0935-2210000"})
    found = _leaks(site, values)
    assert {p for p, _ in found} == {"a.html", "b.html", "c.html", "d.txt"}


def test_names_split_by_markup_and_files_of_every_type(tmp_path):
    values = _values(name="张三丰")
    book = openpyxl.Workbook()
    book.active.append(["姓名", "事由"])
    book.active.append(["张三丰", "咨询"])
    xlsx = io.BytesIO()
    book.save(xlsx)
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as t:
        data = "来访人:张三丰".encode()
        info = tarfile.TarInfo("inner/list.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    site = _site(tmp_path, {"a.html": "张<b>三</b>丰", "b.html": "张&#19977;丰", "card.vcf": "BEGIN:VCARD\nFN:张三丰\nEND:VCARD",
                            "data.yml": "name: 张三丰", "sitemap.xml.gz": gzip.compress("张三丰".encode()),
                            "登记簿.xlsx": xlsx.getvalue(), "backup.tar.gz": tar.getvalue(),
                            "gbk.txt": "张三丰".encode("gbk"), "clean.html": "张三来过"})
    found = {p for p, _ in _leaks(site, values)}
    assert found == {"a.html", "b.html", "card.vcf", "data.yml", "sitemap.xml.gz", "登记簿.xlsx", "backup.tar.gz", "gbk.txt"}


def test_the_agency_own_address_and_generic_organisations_are_not_leaks(tmp_path):
    values = _values(name="赵六", organization="政务服务中心", address="东大街")
    assert set(values) == {"赵六"}
    site = _site(tmp_path, {"index.html": f"地址:{AGENCY}"})
    assert not scan(site, values)
    specific = _values(name="赵六", organization="某某建材有限公司", address="示例市凉州区西关街 12 号 3 单元")
    site = _site(tmp_path / "2", {"a.html": "某某建材有限公司", "b.html": "西关街 12 号 3 单元 示例市凉州区西关街 12 号 3 单元"})
    assert {f for _, f in _leaks(site, specific)} == {"来访人单位", "来访人地址"}


def test_a_ledger_dropped_into_the_site_fails_the_build_and_leaves_no_output(agency):
    agency.new("2026-11-02T09:30", name="欧阳明日", phone="13800138001")
    # export refuses site/ itself; a ledger copied there by hand is the guard's to catch
    agency.ok("export", "-o", os.path.join(agency.path, "..", "登记簿.xlsx"))
    shutil.copy(os.path.join(agency.path, "..", "登记簿.xlsx"), os.path.join(agency.path, "site", "登记簿.xlsx"))
    r = agency.run("site", "build")
    assert r.exit_code != 0
    assert "pii-leak" in r.output and "登记簿.xlsx" in r.output
    assert "欧阳明日" not in r.output and "13800138001" not in r.output
    leftovers = [n for n in os.listdir(agency.path) if n.startswith("public")]
    assert leftovers == []


def test_a_plain_ascii_file_is_searched_for_every_value_it_could_hold(tmp_path):
    """ASCII-only files (the lookup shards) are searched with the ASCII values only: a Latin name is still
    found in one, and a Chinese name written as HTML entities is read as the reader sees it."""
    values = _values(name="John Smith", organization="示例市顺达物流有限公司")
    values.update(_values(name="张三丰"))
    site = _site(tmp_path, {"shard.json": '{"a":"QUJD"}', "latin.txt": "visitor: John Smith\n",
                            "entities.html": "<p>&#24352;&#19977;&#20016;</p>"})
    assert _leaks(site, values) == {("latin.txt", "来访人姓名"), ("entities.html", "来访人姓名")}
