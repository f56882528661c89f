"""Clocks as offices run them: a year the calendar does not cover yet, hours within service hours,
a clock stopped for 补正, a second round after a bad rating."""
from dataclasses import replace
from datetime import date, datetime

import pytest

from shouwen.core.record import CST
from shouwen.core.rules import parse_calendar, parse_policy
from shouwen.repo.loader import load_rules
from shouwen.repo.setup import template_dir
from test_deadlines import codes, inquiry, ledger


@pytest.fixture(scope="module")
def bureau():
    return load_rules(template_dir("bureau"))


def with_2027(rules, holidays=(), workdays=()):
    probs = []
    cal = parse_calendar({"years": {2027: {"holidays": list(holidays), "workdays": list(workdays)}}},
                         "rules/calendar.yml", probs)
    assert probs == []
    return replace(rules, calendar=cal)


NEW_YEAR = ["{at: 2026-12-30T09:30:00+08:00, by: J005, action: registered}"]


def test_a_deadline_in_an_uncovered_year_is_provisional_and_never_an_error(bureau):
    text = inquiry("20261230-J005-001", NEW_YEAR + ["{at: 2027-01-04T09:00:00+08:00, by: J005, action: forwarded, to: family}"])
    led = ledger(bureau, text, date(2027, 1, 4))
    assert not [p for p in led.problems if p.severity == "error"]
    late = [p for p in led.problems if p.code == "forward-late"]
    assert late and late[0].severity == "warning" and "暂定" in late[0].message and "2027" in late[0].message
    assert "forward_by" in led.entries[0].deadlines.provisional
    # still open on 2027-01-02: a reminder, not an accusation
    led = ledger(bureau, inquiry("20261230-J005-001", NEW_YEAR), date(2027, 1, 2))
    assert {p.severity for p in led.problems} == {"warning"}
    # the clerk's view marks the deadline the desk works to next as provisional too
    from shouwen.core.view import clerk_view
    rows = dict(clerk_view(led.entries[0], bureau, date(2026, 12, 31))["rows"])
    assert rows["下一期限"].startswith("2027年1月1日（暂定）"), rows


def test_once_2027_is_published_the_same_record_gets_the_real_verdict(bureau):
    text = inquiry("20261230-J005-001", NEW_YEAR + ["{at: 2027-01-04T09:00:00+08:00, by: J005, action: forwarded, to: family}"])
    led = ledger(with_2027(bureau, holidays=["2027-01-01"]), text, date(2027, 1, 4))
    assert codes(led) == []
    assert led.entries[0].deadlines.forward_by == date(2027, 1, 4)
    assert not led.entries[0].deadlines.provisional

    late = inquiry("20261230-J005-001", NEW_YEAR + ["{at: 2027-01-05T09:00:00+08:00, by: J005, action: forwarded, to: family}"])
    led = ledger(with_2027(bureau, workdays=["2027-01-01", "2027-01-04"]), late, date(2027, 1, 5))
    assert codes(led) == ["forward-late"]
    p = led.problems[0]
    assert p.severity == "error" and "最迟 2027年1月1日" in p.message and "暂定" not in p.message


def hotel_rules():
    return load_rules(template_dir("hotel"))


def hotel_request(events):
    return inquiry("20261128-H010-001", ["{at: 2026-11-28T20:00:00+08:00, by: H010, action: registered}", *events]).replace(
        "first_responder: J005", "first_responder: H010")


def test_a_hotel_request_on_saturday_night_is_late_that_night_not_on_monday():
    rules = hotel_rules()
    assert rules.policy.clock.unit == "hours"
    late = hotel_request(["{at: 2026-11-28T23:30:00+08:00, by: H010, action: escalated, to: H007}"])
    led = ledger(rules, late, date(2026, 11, 28))
    assert codes(led) == ["forward-late"]
    assert "最迟 2026年11月28日 21:00" in led.problems[0].message
    on_time = hotel_request(["{at: 2026-11-28T20:40:00+08:00, by: H010, action: escalated, to: H007}",
                             "{at: 2026-11-28T21:10:00+08:00, by: H007, action: answered, answer: 已安排}"])
    assert codes(ledger(rules, on_time, date(2026, 11, 29))) == []
    # nothing done at all: late from Saturday night, so reported on Sunday
    assert codes(ledger(rules, hotel_request([]), date(2026, 11, 29))) == ["forward-late"]
    # the same request on the government's working days would only be due on Monday
    gov = replace(rules, policy=replace(rules.policy, clock=bureau_clock()))
    assert codes(ledger(gov, late, date(2026, 11, 30))) == []


def bureau_clock():
    return load_rules(template_dir("bureau")).policy.clock


def test_each_escalation_step_has_its_hours():
    rules = hotel_rules()
    slow = hotel_request(["{at: 2026-11-28T20:10:00+08:00, by: H010, action: escalated, to: H007}",
                          "{at: 2026-11-29T08:00:00+08:00, by: H007, action: answered, answer: 已安排}"])
    led = ledger(rules, slow, date(2026, 11, 29))
    assert codes(led) == ["accept-late"] and "上报" in led.problems[0].message


def test_a_window_open_in_two_spans_counts_only_its_hours(bureau):
    probs = []
    pol = parse_policy({**bureau.policy.raw, "clock": {"unit": "hours", "service_hours": ["08:30-12:00", "14:30-18:00"]},
                        "limits": {**bureau.policy.raw["limits"], "forward_limit": 4}}, "rules/policy.yml", probs)
    assert probs == [] and pol.clock.open_days == "workdays"
    rules = replace(bureau, policy=pol)
    # Friday 11:00: one hour left before noon, three from 14:30: due 17:30; Saturday and Sunday closed
    text = inquiry("20261127-J005-001", ["{at: 2026-11-27T11:00:00+08:00, by: J005, action: registered}",
                                         "{at: 2026-11-27T17:45:00+08:00, by: J005, action: forwarded, to: family}"])
    led = ledger(rules, text, date(2026, 11, 27))
    assert codes(led) == ["forward-late"] and "最迟 2026年11月27日 17:30" in led.problems[0].message
    evening = inquiry("20261127-J005-001", ["{at: 2026-11-27T19:00:00+08:00, by: J005, action: registered}",
                                            "{at: 2026-11-30T12:00:00+08:00, by: J005, action: forwarded, to: family}"])
    led = ledger(rules, evening, datetime(2026, 11, 30, 12, 30, tzinfo=CST))     # not yet accepted, not yet late
    assert codes(led) == [] and led.entries[0].deadlines.times["forward_by"].strftime("%m-%d %H:%M") == "11-30 15:00"


BASE = ["{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
        "{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}",
        "{at: 2026-11-02T11:05:00+08:00, by: J014, action: promised, due: 2026-11-09}"]


def test_suspended_five_working_days_is_on_time_five_working_days_after_the_original_due(bureau):
    suspended = BASE + ["{at: 2026-11-04T09:00:00+08:00, by: J014, action: suspended, reason: 补正材料}",
                        "{at: 2026-11-11T09:00:00+08:00, by: J014, action: resumed}",
                        "{at: 2026-11-16T16:00:00+08:00, by: J014, action: completed, result: 已办结}"]
    led = ledger(bureau, inquiry("20261102-J005-001", suspended, "birth-permit"), date(2026, 11, 16))
    assert codes(led) == []
    dl = led.entries[0].deadlines
    assert dl.due == date(2026, 11, 16) and dl.suspended == 5
    # one day later is late
    later = suspended[:-1] + ["{at: 2026-11-17T09:00:00+08:00, by: J014, action: note, text: 仍在办}"]
    assert codes(ledger(bureau, inquiry("20261102-J005-001", later, "birth-permit"), date(2026, 11, 17))) == ["overdue"]


def test_a_stopped_clock_shows_why_and_blocks_the_work_until_resumed(bureau):
    open_ = BASE + ["{at: 2026-11-04T09:00:00+08:00, by: J014, action: suspended, reason: 补正材料}"]
    led = ledger(bureau, inquiry("20261102-J005-001", open_, "birth-permit"), date(2026, 11, 20))
    st = led.entries[0].state
    assert st.suspended and st.status_zh == "已暂停（补正材料）" and codes(led) == []
    blocked = open_ + ["{at: 2026-11-05T09:00:00+08:00, by: J014, action: completed, result: 已办结}"]
    led = ledger(bureau, inquiry("20261102-J005-001", blocked, "birth-permit"), date(2026, 11, 5))
    assert ("event-order", "events[5].action") in {(p.code, p.field) for p in led.problems}


def test_the_clock_stands_still_only_as_long_as_the_policy_allows(bureau):
    open_ = BASE + ["{at: 2026-11-04T09:00:00+08:00, by: J014, action: suspended, reason: 补正材料}"]
    rules = replace(bureau, policy=replace(bureau.policy, suspend_limit=5))
    led = ledger(rules, inquiry("20261102-J005-001", open_, "birth-permit"), date(2026, 11, 20))
    assert codes(led) == ["overdue", "suspend-exceeded"]
    # exactly the allowance is no excess: five working days stopped, due five working days later
    exact = open_ + ["{at: 2026-11-11T09:00:00+08:00, by: J014, action: resumed}"]
    led = ledger(rules, inquiry("20261102-J005-001", exact, "birth-permit"), date(2026, 11, 16))
    assert codes(led) == [] and led.entries[0].deadlines.due == date(2026, 11, 16)


def test_reopened_after_a_bad_rating_runs_a_second_round(bureau):
    first = BASE + ["{at: 2026-11-05T10:00:00+08:00, by: J014, action: completed, result: 已办结}",
                    "{at: 2026-11-05T11:00:00+08:00, by: J014, action: delivered, method: 当场领取}",
                    "{at: 2026-11-05T11:05:00+08:00, by: J014, action: rated, score: 1}"]
    refused = first[:-1] + ["{at: 2026-11-05T11:05:00+08:00, by: J014, action: rated, score: 5}",
                            "{at: 2026-11-06T09:00:00+08:00, by: J005, action: reopened, reason: 结果有误}"]
    led = ledger(bureau, inquiry("20261102-J005-001", refused, "birth-permit"), date(2026, 11, 6))
    assert ("event-order", "events[7].action") in {(p.code, p.field) for p in led.problems}
    second = first + ["{at: 2026-11-06T09:00:00+08:00, by: J005, action: followed_up}",
                      "{at: 2026-11-06T09:10:00+08:00, by: J005, action: reopened, reason: 证件信息有误}"]
    led = ledger(bureau, inquiry("20261102-J005-001", second, "birth-permit"), date(2026, 11, 9))
    st = led.entries[0].state
    assert st.round == 2 and not st.closed and st.stage == "reopened" and codes(led) == []
    assert led.entries[0].deadlines.forward_by == date(2026, 11, 10)
    assert codes(ledger(bureau, inquiry("20261102-J005-001", second, "birth-permit"), date(2026, 11, 11))) == ["forward-late"]
    # a second round's forwarding and acceptance run again
    done = second + ["{at: 2026-11-09T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
                     "{at: 2026-11-09T11:00:00+08:00, by: J014, action: accepted}",
                     "{at: 2026-11-09T11:05:00+08:00, by: J014, action: promised, due: 2026-11-12}",
                     "{at: 2026-11-12T10:00:00+08:00, by: J014, action: completed, result: 已更正}"]
    led = ledger(bureau, inquiry("20261102-J005-001", done, "birth-permit"), date(2026, 11, 20))
    assert codes(led) == [] and led.entries[0].state.round == 2


def test_a_referral_is_signed_off_like_a_forward_and_escalation_ends_the_forward_clock(bureau):
    referred = inquiry("20261102-J005-001", ["{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
                                             "{at: 2026-11-02T09:40:00+08:00, by: J005, action: referred, to: family, staff: J014}"])
    assert codes(ledger(bureau, referred, date(2026, 11, 3))) == []
    assert codes(ledger(bureau, referred, date(2026, 11, 4))) == ["accept-late"]
    escalated = inquiry("20261102-J005-001", ["{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
                                              "{at: 2026-11-02T09:40:00+08:00, by: J005, action: escalated, to: J013}",
                                              "{at: 2026-11-03T09:40:00+08:00, by: J013, action: accepted}"])
    assert codes(ledger(bureau, escalated, date(2026, 11, 20))) == []


def test_a_service_may_count_its_own_limits_in_calendar_days(bureau):
    from shouwen.core.clock import Clock
    svc = replace(bureau.services["birth-permit"], clock=Clock("days"))
    rules = replace(bureau, services={**bureau.services, "birth-permit": svc})
    text = inquiry("20261102-J005-001", BASE[:3] + ["{at: 2026-11-02T11:05:00+08:00, by: J014, action: promised, due: 2026-11-13}"],
                   "birth-permit")
    # 10 calendar days from 11-02 is 11-12; on working days it would be 11-16
    led = ledger(rules, text, date(2026, 11, 3))
    assert codes(led) == ["promise-exceeds-limit"] and "最迟 2026年11月12日" in led.problems[0].message
    assert codes(ledger(bureau, text, date(2026, 11, 3))) == []
    # the scheme's own limits (forwarding) stay on working days
    assert led.entries[0].deadlines.forward_by == date(2026, 11, 4)


def test_a_clock_written_wrong_is_named_in_chinese_with_its_field(bureau):
    for clock, field in (({"unit": "weeks"}, "clock.unit"), ({"unit": "hours", "service_hours": ["12:00-08:30"]},
                                                             "clock.service_hours[0]"),
                         ({"unit": "hours", "days": "sometimes"}, "clock.days")):
        probs = []
        parse_policy({**bureau.policy.raw, "clock": clock}, "rules/policy.yml", probs)
        assert [(p.code, p.path, p.field) for p in probs] == [("rules-invalid", "rules/policy.yml", field)]
        assert "应" in probs[0].message or "不对" in probs[0].message


def test_show_counts_the_time_left_on_the_clock_the_deadline_is_counted_on(bureau):
    # `show` said 还有 66 小时 on Friday evening for a deadline of 4 hours within service hours due on Monday
    # 11:00: the time left is counted as the deadline is, over the night and the weekend the window is closed
    from shouwen.core.view import clerk_view
    probs = []
    pol = parse_policy({**bureau.policy.raw, "clock": {"unit": "hours", "service_hours": ["08:30-12:00", "14:30-18:00"]},
                        "limits": {**bureau.policy.raw["limits"], "forward_limit": 4}}, "rules/policy.yml", probs)
    assert probs == []
    rules = replace(bureau, policy=pol)
    text = inquiry("20261127-J005-001", ["{at: 2026-11-27T16:30:00+08:00, by: J005, action: registered}"])

    def left(now):
        led = ledger(rules, text, now)
        return dict(clerk_view(led.entries[0], rules, now.date(), now)["rows"])["下一期限"]
    # Friday 17:00: an hour to 18:00, then Monday 08:30-11:00
    assert left(datetime(2026, 11, 27, 17, 0, tzinfo=CST)) == "2026年11月30日 11:00，还有 3 个工作小时"
    # Sunday night: still the same two and a half hours of Monday morning
    assert left(datetime(2026, 11, 29, 22, 0, tzinfo=CST)).endswith("还有 2 个工作小时")
    # Monday 14:45: late by 11:00-12:00 and 14:30-14:45, not by the lunch break
    assert left(datetime(2026, 11, 30, 14, 45, tzinfo=CST)).endswith("已超期 1 个工作小时")
    # Monday 19:00, the window closed at 18:00: late by the working hours since 11:00, never "还有 0 分钟";
    # at 12:30 (lunch, 1 working hour after the deadline) and Tuesday 08:00 too
    assert left(datetime(2026, 11, 30, 19, 0, tzinfo=CST)).endswith("已超期 4 个工作小时")
    assert left(datetime(2026, 11, 30, 12, 30, tzinfo=CST)).endswith("已超期 1 个工作小时")
    assert left(datetime(2026, 12, 1, 8, 0, tzinfo=CST)).endswith("已超期 4 个工作小时")
    # a deadline at closing time read that night or before opening: late, though no working minute passed
    from shouwen.core.view import hours_left
    closing = datetime(2026, 11, 30, 18, 0, tzinfo=CST)
    for now in (datetime(2026, 11, 30, 20, 0, tzinfo=CST), datetime(2026, 12, 1, 8, 0, tzinfo=CST)):
        assert hours_left(closing, now, rules, pol.clock) == "已超期 0 分钟"
    assert hours_left(closing, datetime(2026, 12, 1, 9, 40, tzinfo=CST), rules, pol.clock) == "已超期 1 个工作小时"
    assert hours_left(closing, datetime(2026, 11, 30, 17, 0, tzinfo=CST), rules, pol.clock) == "还有 1 个工作小时"
    # a clock round the clock (the hotel's) keeps plain hours; a clock of calendar days counts days, not working days
    pol24 = parse_policy({**pol.raw, "clock": {"unit": "hours", "service_hours": "24h", "days": "all"}}, "p", probs)
    rules24 = replace(bureau, policy=pol24)
    now = datetime(2026, 11, 27, 17, 0, tzinfo=CST)
    assert dict(clerk_view(ledger(rules24, text, now).entries[0], rules24, now.date(), now)["rows"])["下一期限"] \
        == "2026年11月27日 20:30，还有 3 小时"
    poldays = parse_policy({**pol.raw, "clock": {"unit": "days"}, "limits": {**pol.raw["limits"], "forward_limit": 2}},
                           "p", probs)
    rulesd = replace(bureau, policy=poldays)
    row = dict(clerk_view(ledger(rulesd, text, date(2026, 11, 27)).entries[0], rulesd, date(2026, 11, 27))["rows"])
    assert row["下一期限"] == "2026年11月29日，还有 2 天" and probs == [], row
