"""`check` judges an hour clock by the time of day: the hotel's 第一时间 response missed on Saturday at
21:00 is late at 21:01 that night, and the index (which keeps judgements per day) never hides it."""
import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from conftest import Agency
from shouwen.cli import cli
from shouwen.core.view import summary_of


def _codes(a, *opts):
    r = a.run("check", *opts, "--format", "json")
    assert r.exit_code in (0, 1), r.output
    return [p["code"] for p in json.loads(r.stdout)["problems"]]


def test_an_hour_deadline_is_late_as_soon_as_it_passes(tmp_path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    a = Agency(tmp_path / "hotel")
    a.new("2026-11-21T20:00", badge="H010")             # a Saturday, 20:00: due within the hour
    assert _codes(a, "--now", "2026-11-21T20:30") == []
    assert _codes(a, "--now", "2026-11-21T21:01") == ["forward-late"]     # the same day: judged again
    assert _codes(a, "--now", "2026-11-21T20:59:59") == []                # and the index did not keep it
    assert _codes(a, "--now", "2026-11-21T21:01+08:00") == ["forward-late"]
    assert _codes(a, "--today", "2026-11-21") == ["forward-late"]        # a day: as of its end
    why = {r["id"]: r["why"] for r in json.loads(a.ok("todo", "--all", "--today", "2026-11-21", "--format", "json").stdout)}
    assert list(why.values()) == ["已超期"], why                        # the desk reads a day as check does
    assert _codes(a, "--today", "2026-11-20") == []
    assert _codes(a) == ["forward-late"]                                 # by default: now
    assert _codes(a, "--no-cache", "--now", "2026-11-21T20:30") == []

    both = a.run("check", "--today", "2026-11-21", "--now", "2026-11-21T20:30")
    assert both.exit_code == 2 and "--now" in both.stderr and "--today" in both.stderr
    bad = a.run("check", "--now", "周六晚上")
    assert bad.exit_code == 2 and "--now" in bad.stderr and "Traceback" not in bad.output


def test_a_working_day_deadline_is_judged_by_the_day_whatever_the_hour(agency):
    rid = agency.new("2026-11-02T09:00")              # the bureau: forward within 2 working days (by 11-04)
    assert _codes(agency, "--now", "2026-11-04T23:59") == []
    assert _codes(agency, "--now", "2026-11-05T00:01") == ["forward-late"]
    assert _codes(agency, "--today", "2026-11-04") == []
    assert rid


def test_each_escalation_step_is_late_as_soon_as_its_hour_passes(tmp_path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    a = Agency(tmp_path / "hotel")
    rid = a.new("2026-11-21T20:00", badge="H010")
    r = a.run("--as", "H010", "escalate", rid, "--reason", "超出本人权限", "--at", "2026-11-21T20:10")
    assert r.exit_code == 0, r.output                # to the supervisor, by the chain; who has an hour
    assert _codes(a, "--now", "2026-11-21T21:05") == []
    assert _codes(a, "--now", "2026-11-21T21:11") == ["accept-late"]
    assert _codes(a, "--today", "2026-11-21") == ["accept-late"]


def test_todo_and_show_judge_an_hour_deadline_by_the_current_time(tmp_path):
    """What `check` says by default, the desk sees too: the hour, and that it has passed."""
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    a = Agency(tmp_path / "hotel")
    at = (datetime.now(CST) - timedelta(hours=2, minutes=30)).replace(second=0, microsecond=0)
    rid = a.new(at.strftime("%Y-%m-%dT%H:%M"), badge="H010")       # 第一时间: within the hour, so 1.5 hours late
    due = at + timedelta(hours=1)
    when = f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}"
    row = next(l for l in a.ok("--as", "H010", "todo").output.split("\n") if l.startswith(rid))
    assert when in row and "已超期" in row, row
    row = next(l for l in a.ok("list").output.split("\n") if l.startswith(rid))
    assert when in row and "已超期" in row, row
    shown = a.ok("show", rid).output
    assert f"下一期限    {when}，已超期 1 小时" in shown, shown
    assert "工作日" not in shown.split("下一期限")[1].split("\n")[0]


def test_remind_tells_an_hour_deadline_missed_today_as_overdue_with_its_minute(tmp_path):
    from datetime import datetime, timedelta
    from shouwen.core.record import CST
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "hotel"), "--template", "hotel"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    a = Agency(tmp_path / "hotel")
    at = (datetime.now(CST) - timedelta(hours=2, minutes=30)).replace(second=0, microsecond=0)
    rid = a.new(at.strftime("%Y-%m-%dT%H:%M"), badge="H010")
    due = at + timedelta(hours=1)
    out = json.loads(a.ok("remind", "--dry-run", "--format", "json").stdout)["reminders"]
    mine = [x for x in out if x["record"] == rid]
    assert mine and all(x["kind"] == "overdue" for x in mine), mine
    assert f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}" in mine[0]["text"]


def test_checks_last_line_reads_the_moment_in_beijing_time(agency):
    """The last line names the moment judged as people read it, in Beijing time whatever offset it was given in
    (it printed the given offset's hour: 01:00 for 09:00 in Beijing)."""
    out = agency.run("check", "--now", "2026-11-29T01:00:00+00:00").output.splitlines()[-1]
    assert "（2026年11月29日 09:00）" in out, out
    assert "（2026年11月29日 09:00）" in summary_of(0, datetime(2026, 11, 29, 1, tzinfo=timezone(timedelta(0))), [])
