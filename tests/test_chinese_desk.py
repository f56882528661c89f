"""Chinese first: the README's desk tour typed with Chinese names only, as a new clerk would, and
Click's own texts, did-you-mean refusals and YAML errors in Chinese with Chinese punctuation."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "helpers"))
import zhpunct  # noqa: E402


def no_ascii_punctuation(*outputs):
    for text in outputs:
        for line in text.splitlines():
            assert not zhpunct.hits(line), line


def test_the_desk_tour_without_one_english_id(agency):
    r = agency.ok("--as", "李明", "new", "--name", "王五", "--phone", "13912345678", "--matter", "开婚育情况证明",
                  "--channel", "来电", "--service", "婚育情况", "--at", "2026-11-02T09:30")
    rid = r.output.split()[1]
    assert rid == "20261102-J005-001" and "婚育情况证明（即办件）" in r.output
    outputs = [r.output]
    for who, cmd, extra, at in (("李明", "notify", [], "09:35"),
                                ("李明", "forward", ["--to", "人口家庭科", "--staff", "朱立新"], "09:40"),
                                ("朱立新", "accept", [], "10:00"),
                                ("朱立新", "complete", ["--result", "已开具证明"], "10:30"),
                                ("朱立新", "deliver", ["--method", "窗口领取"], "10:40"),
                                (" j005", "rate", ["--score", "5"], "10:45")):
        outputs.append(agency.ok("--as", who, cmd, rid, *extra, "--at", f"2026-11-02T{at}").output)
    shown = json.loads(agency.ok("show", rid, "--format", "json").output)
    assert shown["channel"] == "phone" and shown["service"] == "marital-status-proof" and shown["handler"] == "J014"
    assert shown["stage"] == "delivered" and shown["rating"] == 5
    text = agency.ok("show", rid, "--today", "2026-11-03").output
    for words in ("发问人      王五", "联系电话    13912345678", "查询码", "首问责任人  李明（J005）", "渠道        来电",
                  "一次性告知  李明（J005）  材料：", "转办  李明（J005）  至：人口家庭科；承办人：朱立新（J014）",
                  "2026年11月2日 09:40"):
        assert words in text, words
    listed = agency.ok("list", "--status", "已送达", "--department", "人口家庭科", "--staff", "朱立新", "--today", "2026-11-03")
    assert listed.output.splitlines()[0].split() == ["编号", "阶段", "期限", "说明", "承办", "发问事由"]
    assert rid in listed.output and "共 1 件" in listed.output
    found = agency.ok("find", "5678").output
    assert rid in found and "王五" in found
    no_ascii_punctuation(*outputs, text, listed.output, found)


def test_interactive_registration_takes_chinese_choices(agency):
    answers = "\n".join(["赵六", "13900000000", "", "", "咨询再生育", "来电", "再生育", ""]) + "\n"
    r = agency.ok("--as", "J006", "new", input=answers)
    assert "渠道（来访、来电、来信、网上；默认：来访）：" in r.output and "visit" not in r.output
    # the prompts read as Chinese: a full-width colon, the default in words, inside the prompt's own brackets
    # (it read 渠道（来访、来电、来信、网上）（默认：来访）: two bracketed notes in a row)
    assert "发问人姓名：" in r.output and ": " not in r.output and "）（" not in r.output, r.output
    rid = r.output.split("已登记 ")[1].split()[0]
    shown = json.loads(agency.ok("show", rid, "--format", "json").output)
    assert shown["channel"] == "phone" and shown["service"] == "birth-permit"


def test_an_unknown_name_gets_did_you_mean_once(agency):
    rid = agency.new("2026-11-02T09:30")
    r = agency.run("--as", "J005", "forward", rid, "--to", "人口科")
    assert r.exit_code == 2
    assert "您是不是要找：人口家庭科（family）？" in r.stderr
    assert r.stderr.count("人口科") == 1                       # said once, not twice
    r = agency.run("--as", "J005", "forward", rid, "--to", "科")
    assert r.exit_code == 2 and "您是不是要找" in r.stderr
    r = agency.run("list", "--status", "foo")
    assert r.exit_code == 2 and "没有状态“foo”" in r.stderr
    assert agency.ok("list", "--status", "已登记").output.strip().endswith("共 1 件")
    assert agency.run("--as", "J999", "todo").exit_code == 2


def test_clicks_own_texts_are_chinese(agency):
    out = agency.ok("--help").output
    assert "用法：" in out and "选项" in out and "命令" in out and "显示本帮助并退出。" in out
    assert "Usage" not in out and "Show this message" not in out and "Options" not in out
    r = agency.run("nosuch")
    assert r.exit_code == 2 and "没有命令" in r.stderr and "No such command" not in r.stderr
    r = agency.run("forward")
    assert r.exit_code == 2 and "缺少参数" in r.stderr and "Missing" not in r.stderr
    assert "必填" in agency.ok("forward", "--help").output
    # the option or argument named bare, as every other message names an option (not in Click's ASCII quotes)
    r = agency.run("demo", "--size", "0", "d")
    assert r.exit_code == 2 and "参数 --size 的值不对" in r.stderr, r.stderr
    assert "缺少参数 编号" in agency.run("forward").stderr


def test_help_headings_end_with_a_full_width_colon(agency):
    """GB/T 15834: Click writes its section headings as `heading:`; in Chinese text that is 选项：."""
    for args in (("--help",), ("site", "--help"), ("new", "--help")):
        out = agency.ok(*args).output
        assert "选项：" in out and [line for line in out.splitlines() if zhpunct.hits(line)] == [], out
    assert "命令：" in agency.ok("--help").output
    # no space after the usage line's full-width colon (Click puts one after its `Usage:`), on help and errors
    for out in (agency.ok("sync", "--help").output, agency.run("sync", "--nosuch").output):
        assert "用法：cli sync [选项]" in out and "用法： " not in out, out


def test_rules_take_chinese_department_names_and_yaml_errors_are_explained(agency):
    agency.write("rules/staff.yml", agency.file("rules/staff.yml").replace(
        "{badge: J005, name: 李明, title: 科员, department: reception", "{badge: J005, name: 李明, title: 科员, department: 综合受理科"))
    r = agency.run("check", "--today", "2026-11-02")
    assert "staff[" not in r.output and r.exit_code == 0, r.output
    assert json.loads(agency.ok("show", agency.new("2026-11-02T09:30"), "--format", "json").output)["first_responder"] == "J005"
    agency.write("rules/policy.yml", "forward_limit: 2\nladder: [a\n")
    r = agency.run("check")
    out = r.output + r.stderr
    assert "rules/policy.yml" in out and "第 3 行第 1 列" in out and "方括号" in out
    assert "expected" not in out and "flow sequence" not in out


def test_complaints_and_commendations_take_names_too(agency):
    rid = agency.new("2026-11-02T09:30")
    out = agency.ok("--as", "韩冰", "complain", "--against", "李明", "--channel", "举报电话", "--summary", "态度生硬",
                    "--inquiry", rid, "--witness", "张晓燕", "--at", "2026-11-03T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    agency.ok("--as", "韩冰", "verdict", cid, "--substantiated", "--reason", "属实", "--liable", "李明", "--at", "2026-11-05T10:00")
    shown = agency.ok("show", cid, "--format", "json").output
    assert '"against": [\n    "J005"' in shown and '"channel": "hotline"' in shown
    agency.ok("--as", "王芳", "commend", "张晓燕", "--note", "群众来电表扬", "--at", "2026-11-06T10:00")
    r = agency.run("--as", "韩冰", "complain", "--against", "李大明", "--channel", "举报电话", "--summary", "x")
    assert r.exit_code == 2 and "您是不是要找" in r.stderr


def test_a_promised_date_reads_as_people_write_it(agency):
    rid = agency.new("2026-11-02T09:30", service="birth-permit")
    agency.ok("--as", "李明", "forward", rid, "--to", "人口家庭科", "--at", "2026-11-02T10:00")
    agency.ok("--as", "朱立新", "accept", rid, "--at", "2026-11-02T11:00")
    agency.ok("--as", "朱立新", "promise", rid, "--due", "2026年11月9日", "--at", "2026-11-02T11:10")
    assert "承诺  朱立新（J014）  办结期限：2026年11月9日" in agency.ok("show", rid, "--today", "2026/11/3").output
    assert rid in agency.ok("list", "--from", "2026年11月1日", "--to", "2026.11.2").output
    r = agency.run("list", "--from", "2026年13月1日")
    assert r.exit_code == 2 and "日期“2026年13月1日”不对：没有 13 月（--from）" in r.stderr      # says why, not just 格式不对
    # a year no office works in is a typing mistake however it is written (as an ISO day is refused)
    for typed in ("0001-01-01", "0001年1月1日", "9999/12/31"):
        r = agency.run("list", "--today", typed)
        assert r.exit_code == 2 and "--today" in r.stderr, (typed, r.output)


def test_a_quarter_as_offices_write_it(agency):
    """2026年第四季度, 2026年4季度 or 2026Q4: one quarter; a report keeps it as 2026Q4."""
    agency.new("2026-11-02T09:30")
    q4 = agency.ok("bulletin", "2026Q4", "--today", "2026-11-20", "--format", "json").stdout
    for text in ("2026年第四季度", "2026年4季度", "2026 年第 4 季度", "2026q4"):
        assert agency.ok("bulletin", text, "--today", "2026-11-20", "--format", "json").stdout == q4, text
    agency.ok("--as", "J013", "report", "人口家庭科", "--quarter", "2026年第三季度", "--summary", "已报",
              "--at", "2026-09-28T10:00")
    rel = [f for f in agency.git("ls-files", "records/reports").split() if f.endswith(".md")][0]
    assert "quarter: 2026Q3" in agency.file(rel)
    r = agency.run("bulletin", "2026年第五季度")
    assert r.exit_code == 2 and "2026年第四季度" in r.stderr


def test_a_year_is_taken_as_people_write_it(agency):
    """ladder and review take 2026年 (or full-width digits) as they take 2026."""
    assert agency.ok("ladder", "2026年").output == agency.ok("ladder", "2026").output
    assert agency.ok("review", "２０２６ 年").output == agency.ok("review", "2026").output
    r = agency.run("ladder", "去年")
    assert r.exit_code == 2 and "去年" in r.stderr and "2026年" in r.stderr, r.stderr


def test_a_template_is_chosen_by_its_chinese_name(tmp_path):
    """init --template 酒店、县局、公司、机关 as the ids in the help; an unknown one gets did-you-mean."""
    from click.testing import CliRunner
    from shouwen.cli import cli
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "h"), "--template", "酒店"])
    assert r.exit_code == 0 and "模板：酒店（hotel）" in r.output, r.output
    assert "unit: hours" in (tmp_path / "h" / "rules" / "policy.yml").read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--template", "饭店"])
    assert r.exit_code == 2 and "没有模板“饭店”" in r.output and "您是不是要找" in r.output, r.output
    assert not (tmp_path / "x").exists()


def test_an_event_time_refused_is_told_as_people_read_it(agency, monkeypatch):
    """A future or a late --at is refused naming the time as 2026年11月2日 09:30, not in ISO form."""
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    ahead = (datetime.now(CST) + timedelta(days=2)).replace(second=0, microsecond=0)
    r = agency.run("--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询",
                   "--at", ahead.isoformat())
    said = f"{ahead.year}年{ahead.month}月{ahead.day}日 {ahead:%H:%M}"
    assert r.exit_code == 2 and said in r.stderr and ahead.isoformat() not in r.stderr, r.stderr
    monkeypatch.delenv("SHOUWEN_LATE_REASON")                  # the suite enters its past events as 补录
    r = agency.run("--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询",
                   "--at", "2026-11-02T09:30")
    assert r.exit_code == 2 and "事件时间 2026年11月2日 09:30 早于现在" in r.stderr, r.stderr


def test_a_fast_clock_is_reported_with_times_people_read(agency):
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    rid = agency.new("2026-11-02T09:30")
    path = f"records/inquiries/2026/11/{rid}.md"
    ahead = (datetime.now(CST) + timedelta(days=1)).replace(second=0, microsecond=0)
    text = agency.file(path)
    end = text.rindex("---\n")
    agency.write(path, text[:end] + f"  - {{at: {ahead.isoformat()}, by: J005, action: note, text: 备注}}\n" + text[end:])
    out = agency.run("check").stdout
    line = next(x for x in out.splitlines() if "clock-skew" in x)
    assert f"事件时间 {ahead.year}年{ahead.month}月{ahead.day}日 {ahead:%H:%M} 晚于检查时的时间" in line, line


def test_the_usage_line_and_metavars_are_chinese_and_columns_line_up(agency):
    """Click's own words in a help page ([OPTIONS], COMMAND [ARGS]..., TEXT) are Chinese too, and the
    descriptions start in one column although 整数 and 文本 are twice as wide as ASCII."""
    from shouwen.core.view import width
    out = agency.ok("--help").output
    assert "[选项]" in out and "命令 [参数]..." in out and "[OPTIONS]" not in out and "COMMAND" not in out, out
    out = agency.ok("remind", "--help").output
    assert "--today 文本" in out and "TEXT" not in out, out
    starts = {}
    for line in out.splitlines():
        for flag, words in (("--days", "提醒几个"), ("--today", "按该日期"), ("--dry-run", "只列出")):
            if line.strip().startswith(flag) and words in line:
                starts[flag] = width(line[:line.index(words)])
    assert len(starts) == 3 and len(set(starts.values())) == 1, (starts, out)


def test_a_service_by_the_words_people_use_for_it(agency):
    """rules/search.yml's words （准生证、光荣证） name a service at the desk as on the site; one that means
    several services is refused naming them, a near miss still gets did-you-mean."""
    rid = json.loads(agency.ok("--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询",
                               "--service", "生育证", "--at", "2026-11-02T09:30", "--format", "json").stdout)["id"]
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["service"] == "birth-permit"
    r = agency.run("--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询",
                   "--service", "准生证", "--at", "2026-11-02T09:40")
    assert r.exit_code == 2 and "可以指多个办事事项" in r.stderr and "生育登记" in r.stderr and "再生育审批" in r.stderr
    assert agency.status() == ""
    # a start of a name stays as it was: `生育` is `生育登记`, not also the 生育证 people say for 再生育审批
    rid = json.loads(agency.ok("--as", "J005", "new", "--name", "张三", "--phone", "13800000000", "--matter", "咨询",
                               "--service", "生育", "--at", "2026-11-02T09:50", "--format", "json").stdout)["id"]
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["service"] == "birth-registration"


def test_a_rating_is_taken_in_the_words_of_the_scale(agency):
    """好差评 as the visitor says it: 非常满意……非常不满意 (the policy's scale), or `2分`, as well as 1–5."""
    from shouwen.core.steps import _score
    from shouwen.repo.loader import load_rules
    rules = load_rules(agency.path)
    assert [_score(said, rules, None) for said in ("不满意", "２分", "4", 3)] == [2, 2, 4, 3]
    rid = agency.new("2026-11-02T09:30")
    agency.ok("--as", "J005", "answer", rid, "--answer", "已答复", "--at", "2026-11-02T09:40")
    r = agency.run("--as", "J005", "rate", rid, "--score", "还行", "--at", "2026-11-02T09:45")
    assert r.exit_code == 2 and "还行" in r.stderr and "基本满意" in r.stderr, r.stderr
    agency.ok("--as", "J005", "rate", rid, "--score", "非常满意", "--at", "2026-11-02T09:50")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["rating"] == 5


def test_a_share_and_a_span_are_taken_as_offices_write_them(agency):
    """sanction --bonus 20% (as the decision reads) as well as 0.2; promise --days 5个工作日 as well as 5."""
    rid = agency.new("2026-03-02T09:30")
    out = agency.ok("--as", "J022", "complain", "--against", "J005", "--channel", "hotline", "--summary", "态度生硬",
                    "--name", "赵投诉", "--phone", "13600000000", "--at", "2026-03-02T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    agency.ok("--as", "J022", "verdict", cid, "--substantiated", "--reason", "调查属实", "--at", "2026-03-09T10:00")
    agency.ok("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "通报批评", "--bonus", "20%",
              "--at", "2026-03-12T10:00")
    assert "bonus_deduction: 0.2" in agency.file(f"records/complaints/2026/03/{cid}.md")
    assert agency.run("--as", "J003", "sanction", cid, "--staff", "J005", "--measure", "通报批评",
                      "--bonus", "120%").exit_code == 2
    agency.ok("--as", "J005", "forward", rid, "--to", "人口家庭科", "--staff", "朱立新", "--at", "2026-03-02T10:00")
    agency.ok("--as", "J014", "accept", rid, "--at", "2026-03-02T11:00")
    agency.ok("--as", "J014", "promise", rid, "--days", "5个工作日", "--at", "2026-03-02T11:10")
    assert json.loads(agency.ok("show", rid, "--format", "json").stdout)["due"] == "2026-03-09"


def test_a_broken_roster_is_named_when_nobody_can_be_found_in_it(agency):
    """With rules/staff.yml unreadable, who-are-you says why (the file, line and column), not only 没有工作人员."""
    agency.write("rules/staff.yml", "staff:\n  - {badge: J005, name: 李明\n")
    for args in (("--as", "李明", "todo"), ("todo",)):
        r = agency.run(*args)
        assert r.exit_code == 2 and "rules/staff.yml" in r.stderr and "第 3 行" in r.stderr, r.stderr


def test_every_help_page_names_its_values_in_chinese():
    """What an option takes is said in Chinese on every command's help page (`--as 工号`, not `--as BADGE`; `--at 提交`,
    not COMMIT), and Click's [默认：…；1 到 365] is punctuated as Chinese text."""
    import re
    import click
    from click.testing import CliRunner
    from shouwen.cli import cli

    def pages(cmd, path):
        yield path, CliRunner().invoke(cli, [*path, "--help"]).output
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from pages(sub, [*path, name])

    bad = []
    for path, out in pages(cli, []):
        for line in out.splitlines():
            m = re.match(r"\s+(?:-\w, )?--[\w-]+ (\S+)", line)
            if m and not m.group(1).startswith("[") and re.search(r"[A-Za-z]", m.group(1)):
                bad.append(f"{' '.join(path)}: {line.strip()[:50]}")
            if re.search(r"\[[^\]]*; [^\]]*\]", line):
                bad.append(f"{' '.join(path)}: {line.strip()[:70]}")
        usage = out.splitlines()[0] if out else ""
        if re.search(r"\b[A-Z]{2,}\b", usage):
            bad.append(f"{' '.join(path)}: {usage}")
    assert isinstance(cli, click.Group) and bad == [], "\n".join(bad)


def test_materials_read_out_nest_brackets_as_chinese_text_does():
    # `notify` read out 结婚证或离婚证（原件，1 份，非必需，申请人自备（已婚或离婚的））: a bracket inside a bracket
    # is written ［］ inside （）(GB/T 15834 4.9.3), never two closing （） in a row
    from shouwen.core.view import materials_lines
    from shouwen.repo.loader import load_rules
    from shouwen.repo.setup import template_dir
    rules = load_rules(template_dir("bureau"))
    svc = rules.services["marital-status-proof"]
    line = materials_lines(["结婚证或离婚证"], svc)[1]
    assert line.endswith("结婚证或离婚证（原件，1 份，非必需，申请人自备［已婚或离婚的］）") and "））" not in line, line
