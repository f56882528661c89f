"""Report commands: ladder, bulletin, review, rollup (DESIGN §8). Reading at the edge, the rest pure."""
from __future__ import annotations

import json
from datetime import date

import click

from ..repo import gitio
from ..core.accountability import Complaint
from ..core.assessment import parse_quarter, quarter_span
from ..core.quarter_sums import Question, assess, finish
from ..core.clock import zh_day
from ..core.departed import still_here
from ..publish.bulletin import Q_ZH, as_json, charts, markdown, names
from .bulletin_guard import refuse_personal
from .outputs import refuse_agency_output
from .context import FORMAT, answer, emit_json, json_text, parse_day, pass_desk, read_ledger, today_cst
from ..core.ladder import year_outcomes
from ..core.problems import ERROR, InputError, os_reason
from ..repo.loader import load_rules_at
from ..repo.rules_history import RulesInTime
from ..core.quote import quoted

BULLETINS = "site/bulletins"


def _commit(desk, rev: str) -> str:
    sha = gitio.git(desk.root, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False).strip()
    if not sha:
        raise InputError(f"找不到提交 {rev}")
    return sha


def rules_at(desk, rev: str):
    """A commit's full id, its rules, and those rules in time as of that commit's history."""
    sha = _commit(desk, rev)
    rules = load_rules_at(desk.root, sha)
    broken = [p for p in rules.problems if p.severity == ERROR]
    if broken:
        raise InputError(f"提交 {sha[:10]} 中的规则文件有错误", broken)
    return sha, rules, RulesInTime(desk.root, rules, sha)


def _complaints(ledger):
    return [e.account for e in ledger.entries if isinstance(e.account, Complaint)]


def _ledger_complaints(desk, day) -> list:
    """The work tree's complaints not void on `day`: from the kept whole-ledger judgement patched for what
    changed since (repo.summary), else from the ledger (which keeps that judgement)."""
    from datetime import datetime
    from ..core.record import CST
    kept, start = None, datetime(day.year, day.month, day.day, tzinfo=CST)
    if desk.use_cache and gitio.is_repo(desk.root):
        from ..repo.summary import Kept
        from .context import work_tree
        kept = Kept(desk.root, work_tree(desk), desk.in_time, day, None, start)
        found = kept.complaints(lambda: desk.rules)
        if found is not None:
            return found
    from ..repo.index_rows import state_from     # the complaints are of the light part
    return _complaints(read_ledger(desk, day, before_judge=kept.keeper(desk.rules) if kept else None,
                                   keep_state=state_from(start)))


class Year(click.ParamType):
    """A year as people write it: 2026, `2026年`, `2026年度`, in full-width digits, with spaces around."""
    name = "年份"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        import re
        import unicodedata
        m = re.fullmatch(r"(\d{4})\s*(?:年度?)?", unicodedata.normalize("NFKC", str(value)).strip())
        if m and 1900 <= int(m.group(1)) <= 2999:
            return int(m.group(1))
        self.fail(f"年份{quoted(value)}不对，应写成 2026 或 2026年", param, ctx)


# --- the ladder ------------------------------------------------------------------------------

KIND_ZH = {"count": "按查实次数", "severity": "按情节", "discretionary": "酌情"}


@click.command("ladder")
@click.argument("year", metavar="年份", type=Year())
@FORMAT
@pass_desk
def ladder_cmd(desk, year, fmt):
    """某年度每位工作人员被查实投诉的次数、所到档次和应受的处理，以及科室负责人的连带扣罚。
    酌情处理的规定（公司）报告实际记录的处理决定；有几条规定的（县局），各管各的投诉类别。"""
    rules = desk.rules
    ladders = rules.policy.ladders
    if not ladders:
        broken = [p.line() for p in rules.problems if p.code == "ladder-invalid"]
        raise InputError("rules/policy.yml 的责任追究规定有误，无法计算：\n  " + "\n  ".join(broken) if broken
                         else "rules/policy.yml 中没有 ladder（责任追究规定）")
    day = today_cst()

    def outcomes():
        people, heads = year_outcomes(ladders, _ledger_complaints(desk, day), rules, year, desk.rules_on)
        if fmt == "json":
            return json_text(_ladder_json(year, ladders, rules, people, heads))
        return "".join(line + "\n" for line in _ladder_lines(year, ladders, rules, people, heads))
    click.echo(answer(desk, day, ("ladder", year, fmt), outcomes), nl=False)


def _ladder_json(year, ladders, rules, people, heads) -> dict:
    return {"year": year, "kind": ladders[0].kind if len(ladders) == 1 else "several",
            "ladders": [{"name": lad.name, "kind": lad.kind, "applies_to": lad.applies_to} for lad in ladders],
            "staff": [{"badge": p.badge, "name": rules.staff[p.badge].name if p.badge in rules.staff else "",
                       "count": p.count, "step": p.step, "bonus_deduction": round(p.bonus_deduction, 4),
                       "measures": [{"measure": m, "complaint": c} for m, c in p.measures],
                       "rating": p.rating, "complaints": p.complaints} for p in people],
            "heads": [{"badge": h.badge, "bonus_deduction": round(h.bonus_deduction, 4),
                       "from": [{"badge": b, "complaint": c, "deduction": d} for b, c, d in h.sources]}
                      for h in heads]}


def _ladder_lines(year, ladders, rules, people, heads) -> list[str]:
    out = []
    how = "；".join(f"{lad.name}：{KIND_ZH[lad.kind]}" if lad.name else KIND_ZH[lad.kind] for lad in ladders)
    out.append(f"{year}年度责任追究（{how}）")
    if not people:
        out.append("本年度没有查实的投诉。")
    counted = any(lad.kind == "count" for lad in ladders)
    for p in people:
        out.append(f"{rules.who(p.badge)}：查实 {p.count} 次" + (f"，第 {p.step} 档" if counted and p.step else "")
                   + (f"，扣罚当年奖金 {p.bonus_deduction:.0%}" if p.bonus_deduction else "")
                   + (f"，{'、'.join(p.rating)}" if p.rating else ""))
        for m, c in p.measures:
            out.append(f"    {m}（{c}）")
        if not p.measures:
            out.append("    尚无处理决定")
    for h in heads:
        out.append(f"科室负责人{rules.who(h.badge)}：扣罚当年奖金 {h.bonus_deduction:.0%}（"
                   + "；".join(f"{rules.who(b)} {c} {d:.0%}" for b, c, d in h.sources) + "）")
    return out


# --- the bulletin ---------------------------------------------------------------------------

def last_complete_quarter(today: date) -> str:
    q = (today.month - 1) // 3          # the quarter before the current one
    return f"{today.year - 1}Q4" if q == 0 else f"{today.year}Q{q}"


def _quarter(text):
    if text.strip().lower() == "last":
        text = last_complete_quarter(today_cst())
    parsed = parse_quarter(text)
    if parsed is None:
        raise InputError(f"季度{quoted(text)}格式不对，应为 YYYYQn（如 2026Q4）或 2026年第四季度")
    return parsed


def compute_bulletin(desk, quarter: str, rev: str = "HEAD", today=None):
    """Figures as of the quarter's end or today, whichever is earlier: mid-quarter, every record is judged as
    it stood at the end of that day (its later events, a finding or an answer, were not yet there); once the
    quarter is over, the same commit always gives the same text. From the
    sums kept for an earlier commit, patched for the records changed since (repo.kept_quarter), where
    they can be followed; else from the commit's whole ledger (whose sums are kept)."""
    year, q = _quarter(quarter)
    _, end = quarter_span(year, q)
    as_of = min(end, today or today_cst())
    sha, rules, in_time = rules_at(desk, rev)
    qn = Question(rules, year, q, as_of, in_time.on)
    kept = None
    if desk.use_cache and gitio.is_repo(desk.root):
        from ..repo.kept_quarter import KeptQuarter
        kept = KeptQuarter(desk.root, rules, in_time, qn)
        qa = kept.quarter(sha)
        if qa is not None:
            return qa, rules, sha
    led = read_ledger(desk, as_of, rev=sha, rules=rules, in_time=in_time,
                      before_judge=kept.keeper(sha) if kept is not None else None, stood=qn.mid)
    if kept is not None and kept.sums is not None:
        return finish(kept.sums, qn), rules, sha
    from ..repo.index_rows import one_at_a_time
    return assess(led, rules, year, q, as_of, in_time.on, walk=one_at_a_time), rules, sha


@click.command("bulletin")
@click.argument("quarter", metavar="季度")
@click.option("--write", is_flag=True, help=f"写入 {BULLETINS}/ 并提交（发布后不可改写）")
@click.option("--at", "rev", default="HEAD", show_default=True, metavar="提交", help="按该提交的登记簿计算（复现已发布的通报）")
@click.option("--today", help="按该日期计算（默认今天）；季度未结束时数据截至该日")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--gongwen", "gongwen_out", type=click.Path(dir_okay=False), metavar="文件",
              help="另存为公文格式（GB/T 9704，A4）：文件名以 .pdf 结尾时用 Chromium 打印成 PDF，否则写 HTML")
@click.option("--number", metavar="文本", help="公文的发文字号（默认：本机关简称首问通〔年〕季号）")
@click.option("--to", "to", default="各科（室）", show_default=True, help="公文的主送机关")
@click.option("--date", "signed", metavar="日期", help="公文的成文日期（默认今天）")
@click.option("--as", "as_badge", metavar="工号")
@pass_desk
def bulletin_cmd(desk, quarter, write, rev, today, fmt, gongwen_out, number, to, signed, as_badge):
    """季度通报：各科室考核数据、排名、表扬与批评、图表；--format json 为报市的机读格式。last 表示上一个完整季度。"""
    day = parse_day(today, "--today") or today_cst()
    year, q = _quarter(quarter)
    if gongwen_out:
        from ..publish.printpdf import check_name
        refuse_agency_output(desk.root, gongwen_out)
        check_name(gongwen_out, "公文格式通报")
    _, end = quarter_span(year, q)
    if end >= day and not write:
        click.echo(f"注意：{year}年{Q_ZH[q]}尚未结束，数据截至{zh_day(min(end, day))}", err=True)
    if fmt == "json" or not (write or gongwen_out):      # a pure function of the commit and the day: kept
        sha = _commit(desk, rev)

        def text():
            qa, rules, _ = compute_bulletin(desk, f"{year}Q{q}", sha, day)
            if fmt != "json":
                return markdown(qa, rules, sha)
            refuse_personal(desk, f"{year}Q{q}.json", qa, sha, day, "通报（报市 JSON）未生成")    # it leaves the agency
            return json_text(as_json(qa, rules, sha))
        click.echo(answer(desk, min(end, day), ("bulletin", year, q, fmt), text, rev=sha), nl=False)
        return
    qa, rules, sha = compute_bulletin(desk, quarter, rev, day)
    text = markdown(qa, rules, sha)
    if gongwen_out:
        refuse_personal(desk, gongwen_out, qa, sha, day, "公文格式通报未生成", also=(number, to))
        return _gongwen(text, qa, rules, gongwen_out, number, to, signed)
    from ..core.roles import require
    from ..repo.writer import commit_new_files
    if qa.end >= day:
        raise InputError(f"{qa.year}年{Q_ZH[qa.q]}尚未结束，不能发布通报")
    desk_rules = desk.rules_for_write()
    by = desk.badge(as_badge)
    require(desk_rules, by, "publish")
    n = names(qa)
    refuse_personal(desk, f"{BULLETINS}/{n['page']}", qa, sha, day,
                     "通报未发布（通报发布后不能改写，公开网站也将无法生成）")
    files = {f"{BULLETINS}/{n['page']}": text, **{f"{BULLETINS}/{k}": v for k, v in charts(qa).items()}}
    commit_new_files(desk.root, desk_rules, files, by, f"发布 {qa.year}年{Q_ZH[qa.q]}首问责任制执行情况通报",
                     {"Shouwen-Bulletin": f"{qa.year}Q{qa.q}", "Shouwen-Computed-From": sha})
    click.echo(f"已发布 {BULLETINS}/{n['page']}（依据提交 {sha[:10]}），图表 {len(files) - 1} 个")


def _gongwen(text, qa, rules, out, number, to, signed):
    from ..publish import gongwen, printpdf
    short = rules.institution.get("short_name") or rules.institution.get("name", "")
    number = number or f"{short}首问通〔{qa.year}〕{qa.q}号"
    day = parse_day(signed, "--date") or today_cst()
    page = gongwen.html(text, rules, number, to.replace("(", "（").replace(")", "）"), day)
    printpdf.save(page, out)
    click.echo(f"已生成公文格式通报 {out}（发文字号 {number}）")


# --- the year-end review and the city's roll-up ---------------------------------------------

@click.command("review")
@click.argument("year", metavar="年份", type=Year())
@FORMAT
@pass_desk
def review_cmd(desk, year, fmt):
    """年底评议：每位工作人员四个季度的考核得分、责任追究结果及其对评优的限制。"""
    from ..repo.index_rows import one_at_a_time
    rules = desk.rules
    quarters = {}
    for q in range(1, 5):       # each entry's state made, counted and let go (all held: 850 MB at 100,000)
        _, end = quarter_span(year, q)
        led = read_ledger(desk, min(end, today_cst()))
        staff = assess(led, rules, year, q, rules_on=desk.rules_on, walk=one_at_a_time).staff
        quarters[q] = {f.unit: f for f in staff}
        del led
    led = read_ledger(desk, today_cst())
    people, _ = year_outcomes(rules.policy.ladders, _complaints(led), rules, year)
    outcome = {p.badge: p for p in people}
    rows = []
    for badge, s in sorted(rules.staff.items()):
        if not still_here(s, date(year, 1, 1)):
            continue        # left before the year began: not in its review (earlier years still list them)
        scores = {q: (quarters[q][badge].score if badge in quarters[q] else None) for q in range(1, 5)}
        p = outcome.get(badge)
        bars = list(p.rating) if p else []
        rows.append({"badge": badge, "name": s.name, "department": s.department,
                     "quarters": {f"Q{q}": v for q, v in scores.items()},
                     "registered": sum(quarters[q][badge].registered for q in range(1, 5) if badge in quarters[q]),
                     "substantiated": p.count if p else 0, "bonus_deduction": round(p.bonus_deduction, 4) if p else 0,
                     "measures": [m for m, _ in p.measures] if p else [], "bars": bars,
                     "excellent_allowed": not any("优秀" in b or "不称职" in b for b in bars)})
    if fmt == "json":
        emit_json({"year": year, "staff": rows})
        return
    click.echo(f"{year}年度评议（季度得分／查实投诉／追究结果）")
    for r in rows:
        qs = "  ".join(f"第{'一二三四'[int(k[1]) - 1]}季度 {'—' if v is None else f'{v:.1f}'}" for k, v in r["quarters"].items())
        click.echo(f"{r['name']}（{r['badge']}） {qs}  登记 {r['registered']} 件" + _review_tail(r))


def _review_tail(r) -> str:
    """What the year's substantiated complaints mean for the 年度考核, each consequence said once."""
    if not r["substantiated"]:
        return ""
    tail = f"，查实 {r['substantiated']} 次"
    if r["measures"]:
        tail += f"，{'、'.join(dict.fromkeys(r['measures']))}"
    if any("不称职" in b for b in r["bars"]):
        return tail + "，年度考核评为不称职"
    if not r["excellent_allowed"]:
        return tail + "，当年不得评为优秀"
    return tail


@click.command("rollup")
@click.argument("files", metavar="文件", nargs=-1, required=True, type=click.Path(dir_okay=False))
@FORMAT
def rollup_cmd(files, fmt):
    """汇总报市：把几个单位的季度通报 JSON（shouwen bulletin … --format json）合成一份。"""
    agencies, quarter = [], None
    for f in files:
        try:
            with open(f, encoding="utf-8-sig") as fh:     # a BOM from a Windows editor is no fault
                data = json.load(fh)
        except OSError as e:
            raise InputError(f"{f}：无法读取（{os_reason(e)}）") from None
        except UnicodeDecodeError:
            raise InputError(f"{f}：不是 UTF-8 文本，不是 shouwen bulletin --format json 的输出") from None
        except json.JSONDecodeError as e:
            raise InputError(f"{f}：不是 JSON（第 {e.lineno} 行第 {e.colno} 列起无法读取），"
                             "不是 shouwen bulletin --format json 的输出") from None
        except RecursionError:          # [[[[… deeper than the parser goes: no bulletin is
            raise InputError(f"{f}：无法读取通报 JSON（嵌套层数过多，不是 shouwen bulletin --format json 的输出）")
        if not isinstance(data, dict) or not all(k in data for k in ("quarter", "commit", "departments", "total")):
            raise InputError(f"{f}：不是 shouwen bulletin --format json 的输出（缺少 quarter、commit、departments 或 total）")
        if quarter and data["quarter"] != quarter:
            raise InputError(f"{f}：季度 {data['quarter']} 与其他文件的 {quarter} 不同")
        quarter = data["quarter"]
        agencies.append(data)
    keys = ("registered", "answered", "forwarded", "forwarded_on_time", "completed", "completed_on_time",
            "overdue_open", "bad_ratings", "bad_followed_up", "complaints", "substantiated", "commendations")
    total = {k: sum(a["total"].get(k) or 0 for a in agencies) for k in keys}
    rated = sum(sum(a["total"].get("ratings", {}).values()) for a in agencies)
    rsum = sum(int(k) * v for a in agencies for k, v in a["total"].get("ratings", {}).items())
    n = total["forwarded"] + total["completed"]
    total["on_time_rate"] = round((total["forwarded_on_time"] + total["completed_on_time"]) / n, 4) if n else None
    total["satisfaction"] = round(rsum / rated, 2) if rated else None
    rows = sorted(({"agency": a["agency"], "commit": a["commit"], "score": a["total"].get("score"),
                    **{k: a["total"].get(k) for k in ("registered", "on_time_rate", "satisfaction", "complaints", "substantiated")}}
                   for a in agencies), key=lambda r: (-(r["score"] or 0), r["agency"]))
    out = {"quarter": quarter, "agencies": rows, "total": total}
    if fmt == "json":
        emit_json(out)
        return
    from ..core.assessment import zh_quarter
    click.echo(f"{zh_quarter(quarter)}首问责任制执行情况汇总（{len(rows)} 个单位）")
    for i, r in enumerate(rows, 1):
        rate = "—" if r["on_time_rate"] is None else f"{100 * r['on_time_rate']:.1f}%"
        score = "—" if r["score"] is None else f"{r['score']:.1f}"
        sat = "—" if r["satisfaction"] is None else f"{r['satisfaction']:.2f}"
        click.echo(f"{i}. {r['agency']}：得分 {score}，登记 {r['registered']} 件，按时率 {rate}，"
                   f"满意度 {sat}，投诉 {r['complaints']} 件（查实 {r['substantiated']} 件）")
    click.echo(f"合计：登记 {total['registered']} 件，投诉 {total['complaints']} 件，查实 {total['substantiated']} 件")


COMMANDS = [ladder_cmd, bulletin_cmd, review_cmd, rollup_cmd]
