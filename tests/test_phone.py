"""A visitor's or complainant's phone the office can call back (`回访`, `告知`): refused at the desk when it cannot be
dialled in mainland China, a warning of `check` on a record that already holds one (old records stay readable)."""
import json
import os
import random
import re

import pytest

from shouwen.core.phones import undialable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# what people really give at a window, each form the brief names
REAL = ["13912345678", "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "+8613912345678", "0086 13912345678",
        "１３９１２３４５６７８", "＋８６ １３９１２３４５６７８", "19912345678", "010-12345678", "0571 8888 8888",
        "(0755)12345678", "（0755）12345678", "0935-2210012", "+86 10 1234 5678", "+86 571 8888 8888", "2210012",
        "88888888", "12345", "95588", "400-810-8888", "800-810-8888", "4008108888", "0935-2210012转123",
        "0935-2210012 分机 123", "010-12345678 ext 123", "010-12345678 EXT. 8", "010-12345678-123",
        "+852 2123 4567", "+853 2812 3456", "+886 2 2345 6789", "+886 912 345 678", "+1 212 555 0123",
        "+44 20 7946 0958", "0044 20 7946 0958", "13800000000/0935-2210012"]
# a mobile cut short, one too long, and numbers no phone in China rings
SHORT = ["139", "1391234567", "12345678901234"]
WRONG = SHORT + ["010-1234", "0571", "1234567", "12312345678", "+86 139 1234", "+852 1234", "+886 12",
                 "+0 123 4567", "13800000000/139", "0935-2210012转", "+8613912345678999"]


@pytest.mark.parametrize("phone", REAL)
def test_every_real_form_can_be_dialled(phone):
    assert undialable(phone) is None, undialable(phone)


@pytest.mark.parametrize("phone", WRONG)
def test_a_number_no_phone_rings_says_why(phone):
    why = undialable(phone)
    assert why and re.search(r"[\u4e00-\u9fff]", why)


def test_a_short_mobile_is_told_its_length():
    assert "11 位" in undialable("139") and "3 位" in undialable("139")
    assert "10 位" in undialable("1391234567")


def test_the_demo_agency_phones_can_all_be_dialled():
    from shouwen.repo.demo import _person
    for seed in range(300):
        rng = random.Random(seed)
        phone = _person(rng)["phone"]
        k = rng.randrange(3, len(phone))        # the demo office's correction changes one digit past the third
        fixed = phone[:k] + str((int(phone[k]) + rng.randint(1, 9)) % 10) + phone[k + 1:]
        assert undialable(phone) is None and undialable(fixed) is None, (phone, fixed)
    shipped = []
    for folder, _, files in os.walk(os.path.join(ROOT, "records")):
        for f in files:
            with open(os.path.join(folder, f), encoding="utf-8") as fh:
                shipped += re.findall(r"phone: '([^']*)'", fh.read())
    assert len(shipped) > 100 and [p for p in shipped if undialable(p)] == []


RECORD = """
---
id: 20261102-J005-001
code: 7KQ4MX
channel: visit
first_responder: J005
visitor:
  name: 张三
  phone: '139'
matter: 咨询
events:
  - {at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}
  - {at: 2026-11-02T09:35:00+08:00, by: J005, action: answered, answer: 已答复}
---
"""
PATH = "records/inquiries/2026/11/20261102-J005-001.md"


def test_check_warns_of_an_old_record_it_cannot_call_back(agency):
    agency.write(PATH, RECORD)
    agency.git("add", "-A")
    agency.git("commit", "-q", "--no-verify", "-m", "old record")
    r = agency.run("check", "--today", "2026-11-27", "--format", "json")
    probs = json.loads(r.stdout)["problems"]
    assert r.exit_code == 0, r.output
    assert [(p["code"], p["severity"], p["path"], p["record"], p["field"]) for p in probs] == [
        ("phone-undialable", "warning", PATH, "20261102-J005-001", "visitor.phone")]
    assert "“139”" in probs[0]["message"] and "11 位" in probs[0]["message"]
    # the record still takes events, and a correction to a number the office can call ends the warning
    agency.ok("--as", "J005", "note", "20261102-J005-001", "--text", "回访未果", "--at", "2026-11-03T09:00")
    agency.ok("--as", "J005", "correct", "20261102-J005-001", "--field", "电话", "--value", "139 1234 5678",
              "--reason", "登记时少记", "--at", "2026-11-03T09:10")
    r = agency.run("check", "--today", "2026-11-27", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["problems"] == []


def test_check_warns_of_an_old_complaint_it_cannot_call_back(agency):
    agency.ok("--as", "J005", "complain", "--against", "J005", "--channel", "box", "--summary", "态度差", "--name",
              "李四", "--phone", "13912345678", "--at", "2026-11-02T10:00")
    path = agency.git("ls-files", "records/complaints/*.md").split()[0]
    agency.write(path, agency.file(path).replace("13912345678", "139"))
    r = agency.run("check", "--today", "2026-11-03", "--format", "json")
    got = [(p["code"], p["severity"], p["path"], p["field"]) for p in json.loads(r.stdout)["problems"]]
    assert ("phone-undialable", "warning", path, "complainant.phone") in got


def _refused(agency, r, before):
    assert r.exit_code == 2, r.output
    assert "visitor.phone" in r.stderr or "complainant.phone" in r.stderr, r.stderr
    assert "11 位" in r.stderr and "Traceback" not in r.output
    assert agency.head() == before and agency.status() == ""


@pytest.mark.parametrize("phone", SHORT)
def test_the_desk_refuses_a_number_it_cannot_call_back(agency, phone):
    before = agency.head()
    r = agency.run("--as", "J005", "new", "--name", "张三", "--phone", phone, "--matter", "咨询", "--at",
                   "2026-11-02T09:30")
    _refused(agency, r, before)
    assert f"“{phone}”" in r.stderr


def test_a_complaint_and_a_correction_refuse_it_too(agency):
    rid = agency.new("2026-11-02T09:30")
    before = agency.head()
    r = agency.run("--as", "J005", "complain", "--against", "J005", "--channel", "box", "--summary", "态度差",
                   "--name", "李四", "--phone", "139", "--at", "2026-11-02T10:00")
    _refused(agency, r, before)
    assert "complainant.phone" in r.stderr
    r = agency.run("--as", "J005", "correct", rid, "--field", "电话", "--value", "1391234567", "--reason", "听错",
                   "--at", "2026-11-02T10:00")
    _refused(agency, r, before)


def test_the_desk_page_refuses_it(agency):
    from datetime import datetime
    from shouwen.core.record import CST
    from shouwen.desk import pins
    from shouwen.desk.app import create_app
    pins.set_pin(agency.path, "J005", "2468")
    client = create_app(agency.path, now=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=CST)).test_client()
    base = "http://127.0.0.1"
    page = client.get("/login", base_url=base).get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/login", data={"badge": "J005", "pin": "2468", "csrf": csrf}, base_url=base)
    before = agency.head()
    form = client.get("/new", base_url=base).get_data(as_text=True)
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    r = client.post("/new", data={"name": "张三", "phone": "139", "matter": "咨询", "channel": "来访", "once": once,
                                  "csrf": csrf}, base_url=base)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "visitor.phone" in page and "11 位" in page
    assert agency.head() == before and agency.status() == ""


def test_the_desk_takes_every_real_form(agency):
    for phone in REAL:
        agency.ok("--as", "J005", "new", "--name", "张三", "--phone", phone, "--matter", "咨询", "--at",
                  "2026-11-02T09:30")
    out = json.loads(agency.run("check", "--today", "2026-11-02", "--format", "json").stdout)
    assert out["records"] == len(REAL) and [p for p in out["problems"] if p["code"] == "phone-undialable"] == []


def test_the_interactive_desk_asks_for_the_phone_again(agency):
    answers = "赵六\n139\n139 1234 5678\n\n\n咨询生育登记\nvisit\n\n"
    r = agency.ok("--as", "J006", "new", input=answers)
    assert "“139”无法拨通：手机号应为 11 位数字，实为 3 位" in r.output and "请重新输入。" in r.output
    rid = [w for w in r.stdout.split() if w.startswith("2026")][0]
    assert "phone: 139 1234 5678" in agency.file(f"records/inquiries/{rid[:4]}/{rid[4:6]}/{rid}.md")


def test_only_ascii_or_full_width_digits_count():
    assert undialable("١٣٩١٢٣٤٥٦٧٨")           # Arabic-Indic digits: a regular expression's \d, no phone's key
    assert undialable("13٩12345678")


def test_check_warns_of_a_public_number_no_one_can_dial(agency):
    """The numbers the public is given (rules/institution.yml: the switchboard, the hotline, each `科室`'s)
    are printed on the site and the placard: one cut short is a warning naming its file and field."""
    text = agency.file("rules/institution.yml")
    assert "phones:\n  总机:" in text and "hotline:" in text and "phone:" in text
    text = re.sub(r"(phones:\n  \S+: )\S+", r"\g<1>0935-221", text, count=1)
    text = re.sub(r"(hotline: )\S+", r"\g<1>1391234", text, count=1)
    text = re.sub(r"(\n    phone: )\S+", r"\g<1>0935-22", text, count=1)
    agency.write("rules/institution.yml", text)
    r = agency.run("check", "--today", "2026-11-27", "--format", "json")
    found = [(p["code"], p["severity"], p["path"], p["field"]) for p in json.loads(r.stdout)["problems"]
             if p["code"] == "phone-undialable"]
    assert r.exit_code == 0, r.output       # a warning: the rules still hold
    assert [f[:3] for f in found] == [("phone-undialable", "warning", "rules/institution.yml")] * 3
    assert {f[3] for f in found} == {"phones.总机", "supervision.hotline", "departments[0].phone"}
