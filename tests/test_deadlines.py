"""The deadline rules, checked on records written inline (the ledger is the test's input)."""
from datetime import date
import textwrap

import pytest

from shouwen.core.ledger import build
from shouwen.core.record import parse
from shouwen.repo.loader import load_rules
from shouwen.repo.setup import template_dir


@pytest.fixture(scope="module")
def rules():
    return load_rules(template_dir("bureau"))


def ledger(rules, text, today):
    text = textwrap.dedent(text).lstrip("\n")
    rid = text.split("id: ", 1)[1].split("\n", 1)[0].strip()
    path = f"records/inquiries/{rid[:4]}/{rid[4:6]}/{rid}.md"
    return build([parse(path, text.encode())], rules, today)


def codes(led):
    return sorted(p.code for p in led.problems)


def inquiry(rid, events, service=None):
    svc = f"service: {service}\n" if service else ""
    lines = "\n".join(f"  - {e}" for e in events)
    return f"""---
id: {rid}
code: 7KQ4MX
channel: visit
first_responder: J005
visitor: {{name: 张三, phone: "13800000000"}}
matter: 咨询
{svc}events:
{lines}
---
"""


def test_forwarded_on_the_second_working_day_after_national_day_is_on_time(rules):
    led = ledger(rules, inquiry("20260930-J005-001", [
        "{at: 2026-09-30T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-10-09T16:00:00+08:00, by: J005, action: forwarded, to: family}"]), date(2026, 10, 9))
    assert codes(led) == []


def test_forwarded_on_make_up_saturday_is_late(rules):
    led = ledger(rules, inquiry("20260930-J005-001", [
        "{at: 2026-09-30T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-10-10T09:00:00+08:00, by: J005, action: forwarded, to: family}"]), date(2026, 10, 10))
    assert codes(led) == ["forward-late"]
    assert "最迟 2026年10月9日" in led.problems[0].message


def test_spring_festival_forwarding(rules):
    led = ledger(rules, inquiry("20260213-J005-001", [
        "{at: 2026-02-13T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-02-24T09:00:00+08:00, by: J005, action: forwarded, to: family}"]), date(2026, 2, 24))
    assert codes(led) == []


def test_not_forwarded_at_all_is_late_once_the_limit_passes(rules):
    text = inquiry("20261123-J005-001", ["{at: 2026-11-23T09:30:00+08:00, by: J005, action: registered}"])
    assert codes(ledger(rules, text, date(2026, 11, 25))) == []
    assert codes(ledger(rules, text, date(2026, 11, 26))) == ["forward-late"]


def test_registered_before_new_year_warns_calendar_uncovered(rules):
    led = ledger(rules, inquiry("20261230-J005-001", [
        "{at: 2026-12-30T09:30:00+08:00, by: J005, action: registered}"]), date(2026, 12, 30))
    assert codes(led) == ["calendar-uncovered"]
    p = led.problems[0]
    assert p.severity == "warning" and "2027" in p.message and "rules/calendar.yml" in p.message


def test_accept_late_and_promise_missing(rules):
    text = inquiry("20261102-J005-001", [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
        "{at: 2026-11-05T10:00:00+08:00, by: J014, action: accepted}"], service="birth-permit")
    assert codes(ledger(rules, text, date(2026, 11, 5))) == ["accept-late"]
    assert codes(ledger(rules, text, date(2026, 11, 9))) == ["accept-late", "promise-missing"]


def test_a_promise_made_after_its_limit_is_reported_as_late(rules):
    """A promise made late is a missed promise limit, as a late forward or sign-off is (the 监察室 sees it)."""
    base = [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
        "{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}"]
    timely = base + ["{at: 2026-11-03T11:05:00+08:00, by: J014, action: promised, due: 2026-11-12}"]
    late = base + ["{at: 2026-11-06T11:05:00+08:00, by: J014, action: promised, due: 2026-11-12}"]
    assert codes(ledger(rules, inquiry("20261102-J005-001", timely, service="birth-permit"), date(2026, 11, 6))) == []
    led = ledger(rules, inquiry("20261102-J005-001", late, service="birth-permit"), date(2026, 11, 6))
    assert codes(led) == ["promise-missing"]
    p = led.problems[0]
    assert p.field == "events[3]" and "2026年11月6日" in p.message and "才承诺" in p.message


def test_promise_beyond_service_limit_and_overdue(rules):
    text = inquiry("20261102-J005-001", [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
        "{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}",
        "{at: 2026-11-02T11:05:00+08:00, by: J014, action: promised, due: 2026-11-20}"], service="birth-permit")
    led = ledger(rules, text, date(2026, 11, 20))
    assert codes(led) == ["promise-exceeds-limit"]       # 10 working days from 11-02 is 11-16
    led = ledger(rules, text, date(2026, 11, 23))
    assert codes(led) == ["overdue", "promise-exceeds-limit"]
    assert led.entries[0].deadlines.overdue


def test_extension_only_before_the_old_due_date(rules):
    base = [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T10:00:00+08:00, by: J005, action: forwarded, to: family, staff: J014}",
        "{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}",
        "{at: 2026-11-02T11:05:00+08:00, by: J014, action: promised, due: 2026-11-09}"]
    on_time = base + ["{at: 2026-11-09T17:00:00+08:00, by: J014, action: extended, due: 2026-11-16, reason: 入户核实, approver: J013}"]
    late = base + ["{at: 2026-11-10T09:00:00+08:00, by: J014, action: extended, due: 2026-11-16, reason: 入户核实, approver: J013}"]
    assert codes(ledger(rules, inquiry("20261102-J005-001", on_time, "birth-permit"), date(2026, 11, 12))) == []
    assert codes(ledger(rules, inquiry("20261102-J005-001", late, "birth-permit"), date(2026, 11, 12))) == ["extension-late"]


def test_answered_on_the_spot_has_no_deadline(rules):
    led = ledger(rules, inquiry("20261102-J005-001", [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T09:35:00+08:00, by: J005, action: answered, answer: 已答复}"]), date(2026, 12, 1))
    assert codes(led) == []
    st = led.entries[0].state
    assert st.closed and st.stage == "answered"


def test_event_out_of_order_and_out_of_stage(rules):
    led = ledger(rules, inquiry("20261102-J005-001", [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T09:20:00+08:00, by: J005, action: note, text: 早于登记}",
        "{at: 2026-11-02T09:40:00+08:00, by: J005, action: completed, result: 未受理就办结}"]), date(2026, 11, 2))
    fields = {(p.code, p.field) for p in led.problems}
    assert ("event-order", "events[1].at") in fields
    assert ("event-order", "events[2].action") in fields


def test_reference_and_field_checks(rules):
    led = ledger(rules, inquiry("20261102-J005-001", [
        "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
        "{at: 2026-11-02T09:40:00+08:00, by: J099, action: forwarded, to: nowhere, colour: red}"],
        service="no-such-service"), date(2026, 11, 2))
    got = {(p.code, p.field) for p in led.problems}
    assert ("staff-unknown", "events[1].by") in got
    assert ("department-unknown", "events[1].to") in got
    assert ("field-unknown", "events[1].colour") in got
    assert ("service-unknown", "service") in got
