"""What the final review of session 6 found: values a clerk can type or a file can hold that ended in exit 70.
Each is refused with exit 2 naming the field, or answered, never a traceback."""
import os
import subprocess


def test_a_promise_of_more_days_than_ten_years_is_refused(agency):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "forward", rid, "--to", "family", "--staff", "J014", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-11-02T11:00")
    for days in ("99999999999", "5000"):
        r = agency.run("--as", "J014", "promise", rid, "--days", days, "--at", "2026-11-02T11:10")
        assert r.exit_code == 2 and "--days" in r.output and "内部错误" not in r.output, r.output
    assert "promised" not in agency.file(f"records/inquiries/2026/11/{rid}.md")


def test_a_score_in_digits_python_reads_as_digits_but_not_as_a_number_is_refused(agency):
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    r = agency.run("--as", "J005", "rate", rid, "--score", "\u1369", "--at", "2026-11-02T09:50")
    assert r.exit_code == 2 and "内部错误" not in r.output, r.output


def test_an_output_outside_git_is_written_without_asking_git(agency, tmp_path):
    """An agency folder copied without .git (a USB stick): the output guard asks Git only where there is one."""
    rid = agency.new("2026-11-02T09:30")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(agency.path), str(copy)], check=True)
    subprocess.run(["rm", "-rf", str(copy / ".git")], check=True)
    from click.testing import CliRunner
    from shouwen.cli import cli
    r = CliRunner().invoke(cli, ["--repo", str(copy), "receipt", rid, "-o", str(copy / "回执.html")])
    assert "内部错误" not in r.output and r.exit_code in (0, 2), r.output


def test_import_of_a_register_beside_a_record_with_a_list_for_its_matter(agency, tmp_path):
    """One bad record (check names it) never stops an import of a register whose rows carry no id."""
    rid = agency.new("2026-11-02T09:30")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    import re
    text = re.sub(r"^matter: .*$", "matter: [测试, 延期]", text, count=1, flags=re.M)
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text)
    subprocess.run(["git", "-C", str(agency.path), "commit", "-qam", "坏记录", "--no-verify"], check=True)
    sheet = tmp_path / "register.csv"
    sheet.write_text("登记日期,登记时间,发问人姓名,联系办法,发问事由,被问责任人\n"
                     "2026-11-03,09:00,赵六,13900000001,咨询生育登记,J005\n", encoding="utf-8")
    r = agency.run("--as", "J003", "import", str(sheet), "--dry-run")
    assert "内部错误" not in r.output and r.exit_code in (0, 1, 2), r.output
    assert "赵六" in r.output or "1" in r.output
