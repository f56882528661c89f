"""`report` takes the department as the clerk says it (人口家庭科, 人口, or its id), like every other command."""


def test_a_written_report_names_its_department_in_chinese(agency):
    r = agency.run("--as", "J013", "report", "人口", "--quarter", "2026q3", "--summary", "本季度承办 12 件，均按时办结",
                   "--at", "2026-09-28T10:00")
    assert r.exit_code == 0, r.output
    assert "人口家庭科 2026年第三季度" in r.output, r.output          # the quarter as people read it
    rid = r.output.split("书面情况汇报 ")[1].split("：")[0]
    assert "季度 2026年第三季度" in agency.ok("show", rid).output
    bad = agency.run("--as", "J013", "report", "人口科室", "--quarter", "2026Q4", "--summary", "x")
    assert bad.exit_code == 2 and "您是不是要找" in bad.stderr and "人口家庭科" in bad.stderr
