"""The county bureau (third scheme): 首问承诺, 考核 with 张榜公布, and its two rules in one policy —
推诿扯皮 counted per person per year, 吃拿卡要 by severity (待岗、下岗、辞退) — each for its own complaints."""
import json

from test_templates import made


def complaint(a, against, category, at, verdict_at, severity=None, channel="book"):
    out = a.ok("--as", "X002", "complain", "--against", against, "--category", category, "--channel", channel,
               "--summary", "办事遇到推诿" if category == "推诿扯皮" else "索要好处", "--at", at).output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    args = ["--severity", severity] if severity else []
    a.ok("--as", "X002", "verdict", cid, "--substantiated", *args, "--reason", "查实", "--at", verdict_at)
    return cid


def test_the_county_template_applies_each_rule_to_its_own_complaints(tmp_path):
    a = made(tmp_path, "county")
    # 推诿扯皮, counted: the 1st, 2nd and 3rd in one year climb the ladder
    shirk = [complaint(a, "X004", "推诿扯皮", f"2026-0{m}-01T10:00", f"2026-0{m}-03T10:00") for m in (3, 5, 7)]
    # 吃拿卡要, by severity: each gets what its severity names, whatever the count
    light = complaint(a, "X009", "吃拿卡要", "2026-04-01T10:00", "2026-04-03T10:00", "情节较轻")
    heavy = complaint(a, "X010", "吃拿卡要", "2026-04-06T10:00", "2026-04-08T10:00", "情节较重")
    worst = complaint(a, "X007", "以权谋私", "2026-06-01T10:00", "2026-06-03T10:00", "情节严重")
    # X009 is also counted once under 推诿扯皮: a first offence there, not a second
    other = complaint(a, "X009", "推诿扯皮", "2026-08-03T10:00", "2026-08-05T10:00")
    out = json.loads(a.ok("ladder", "2026", "--format", "json").stdout)
    assert out["kind"] == "several" and [x["name"] for x in out["ladders"]] == ["推诿扯皮", "吃拿卡要"]
    got = {s["badge"]: [(m["complaint"], m["measure"]) for m in s["measures"]] for s in out["staff"]}
    assert got["X004"] == [(shirk[0], "批评教育"), (shirk[1], "通报批评"), (shirk[2], "通报批评"), (shirk[2], "待岗")]
    assert got["X010"] == [(heavy, "下岗")] and got["X007"] == [(worst, "辞退")]
    assert sorted(got["X009"]) == sorted([(light, "待岗"), (other, "批评教育")])
    text = a.ok("ladder", "2026").output
    assert "推诿扯皮：按查实次数；吃拿卡要：按情节" in text
    # 下岗 by severity carries no bonus deduction: none is printed, as if 0% had been decided
    x010 = next(line for line in text.splitlines() if "X010" in line)
    assert "扣罚" not in x010 and "不称职" in x010, x010
    # the step (档) is the counted rule's: X009's 待岗 by severity is no third step of 推诿扯皮
    steps = {s["badge"]: s["step"] for s in out["staff"]}
    assert steps["X009"] == 1 and steps["X004"] == 3 and steps["X010"] == 0
    assert "第 2 档" not in text.split("X009")[1].split("\n")[0] and "第 3 档" not in text.split("X009")[1].split("\n")[0]


def test_the_county_refuses_what_its_rules_cannot_place(tmp_path):
    a = made(tmp_path, "county")
    r = a.run("--as", "X002", "complain", "--against", "X004", "--channel", "box", "--summary", "x")
    assert r.exit_code == 2 and "--category" in r.stderr
    r = a.run("--as", "X002", "complain", "--against", "X004", "--category", "迟到", "--channel", "box", "--summary", "x")
    assert r.exit_code == 2 and "推诿扯皮" in r.stderr
    out = a.ok("--as", "X002", "complain", "--against", "X009", "--category", "吃拿卡要", "--channel", "hotline",
               "--summary", "x", "--at", "2026-04-01T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    r = a.run("--as", "X002", "verdict", cid, "--substantiated", "--reason", "x", "--at", "2026-04-02T10:00")
    assert r.exit_code == 2 and "情节" in r.stderr                       # 吃拿卡要 needs its severity
    a.ok("--as", "X002", "verdict", cid, "--substantiated", "--severity", "情节较轻", "--reason", "x",
         "--at", "2026-04-02T10:00")
    # a decision that is not what the severity names is a mismatch; the right one is not
    a.ok("--as", "X001", "sanction", cid, "--staff", "X009", "--measure", "批评教育", "--at", "2026-04-03T10:00")
    probs = json.loads(a.run("check", "--format", "json", "--today", "2026-04-10").stdout)["problems"]
    assert [p["code"] for p in probs if p.get("record") == cid] == ["sanction-mismatch"]


def test_the_county_bulletin_is_posted_and_names_the_promise(tmp_path):
    a = made(tmp_path, "county")
    rid = a.new("2026-07-06T09:00", badge="X004", service="planning-permit", name="村民甲")
    a.ok("--as", "X004", "forward", rid, "--to", "planning", "--staff", "X007", "--at", "2026-07-06T10:00")
    a.ok("--as", "X007", "accept", rid, "--at", "2026-07-06T11:00")
    a.ok("--as", "X007", "promise", rid, "--due", "2026-07-17", "--at", "2026-07-06T11:10")      # 首问承诺
    page = a.ok("bulletin", "2026Q3").stdout
    assert "张榜公布" in page and "办公室" in page


def test_the_scheme_page_shows_both_rules_and_the_complaint_page_the_book():
    from shouwen.publish.pages import Pages
    from shouwen.publish.scheme_pages import complaints, scheme
    from shouwen.repo.loader import load_rules
    from shouwen.repo.setup import template_dir
    rules = load_rules(template_dir("county"))
    pages = Pages(rules.root)           # the shipped page templates (a template folder has no overrides)
    page = scheme(pages, rules)
    assert "### 推诿扯皮" in page and "### 吃拿卡要" in page
    assert "| 第 1 次 | 批评教育 |" in page and "| 情节严重 | 辞退 |" in page
    assert "| 意见簿 |" in complaints(pages, rules) and "| 纪检监察机关 |" in complaints(pages, rules)
    hotel = load_rules(template_dir("hotel"))
    assert "1 小时内" in scheme(pages, hotel) and "纪检监察机关" not in complaints(pages, hotel)
