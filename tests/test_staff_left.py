"""A clerk who has left (离职/调离): `left:` on the roster entry (their last working day). The badge stays
known for every record it is in; nothing new is done by or given to them after that day; their open matters
are handed over to a colleague of their 科室."""
import json
import os
import subprocess
from datetime import date

import pytest

from shouwen.core.rules_schema import STAFF
from shouwen.core.schema import clean
from shouwen.repo.loader import load_rules

from conftest import copy_agency


def _commit_rules(agency, message, edit, verify=True):
    rel = os.path.join(agency.path, "rules/staff.yml")
    with open(rel, encoding="utf-8") as fh:
        text = edit(fh.read())
    with open(rel, "w", encoding="utf-8") as fh:
        fh.write(text)
    env = dict(os.environ, GIT_AUTHOR_NAME="赵文斌", GIT_AUTHOR_EMAIL="j003@example.gov.cn",
               GIT_COMMITTER_NAME="赵文斌", GIT_COMMITTER_EMAIL="j003@example.gov.cn")
    return subprocess.run(["git", "-C", agency.path, "commit", "-qa", "-m", message] + ([] if verify else ["--no-verify"]),
                          env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def office(tmp_path_factory, _new_bureau):
    """张晓燕 (J006, reception) registered three matters in October and left on 10-31: A answered, B still open;
    徐敏 (J012, approvals) accepted C, forwarded to her by 李明, and left on 11-15 with it open. The roster entries
    record it in both forms a clerk writes a day, and the pre-commit hook takes that change."""
    agency = copy_agency(_new_bureau, tmp_path_factory.mktemp("left") / "agency")
    env = dict(os.environ, GIT_COMMITTER_DATE="2026-10-01T09:00:00+08:00", GIT_AUTHOR_DATE="2026-10-01T09:00:00+08:00")
    subprocess.run(["git", "-C", agency.path, "commit", "-q", "--amend", "--no-edit", "--no-verify"], env=env, check=True)
    a = agency.new("2026-10-20T09:00", badge="J006")
    agency.ok("--as", "J006", "answer", a, "--answer", "已当场答复", "--at", "2026-10-20T09:20")
    b = agency.new("2026-10-21T09:00", badge="J006")
    c = agency.new("2026-10-22T09:00", badge="J005")
    agency.ok("--as", "J005", "forward", c, "--to", "approvals", "--staff", "J012", "--at", "2026-10-22T10:00")
    agency.ok("--as", "J012", "accept", c, "--at", "2026-10-23T09:00")
    r = _commit_rules(agency, "张晓燕、徐敏离职", lambda t: t.replace(
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff,",
        "{badge: J006, name: 张晓燕, title: 科员, department: reception, role: staff, left: 2026年10月31日,").replace(
        "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: staff,",
        "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: staff, left: 2026-11-15,"))
    agency.hook = r
    agency.ids = {"A": a, "B": b, "C": c}
    return agency


def test_left_is_read_in_both_forms_and_a_wrong_day_is_named():
    problems = []
    got = clean({"staff": [{"badge": "J1", "name": "甲", "left": "2026年10月31日"},
                           {"badge": "J2", "name": "乙", "left": date(2026, 11, 15)},
                           {"badge": "J3", "name": "丙", "left": "2026-02-30"},
                           {"badge": "J4", "name": "丁", "left": "下月"}]}, STAFF, "rules/staff.yml", problems)
    assert [s.get("left") for s in got["staff"]] == [date(2026, 10, 31), date(2026, 11, 15), None, None]
    assert [(p.path, p.field) for p in problems] == [("rules/staff.yml", "staff[2].left"), ("rules/staff.yml", "staff[3].left")]
    assert "2026年2月没有30日" in problems[0].message and "离职" in problems[1].message
    assert not [p for p in problems if "," in p.message or "'" in p.message]


def test_a_departed_clerk_stays_known_for_every_record(office):
    assert office.hook.returncode == 0, office.hook.stdout + office.hook.stderr   # the hook takes a `left`
    rules = load_rules(office.path, cache=False)
    assert (rules.staff["J006"].left, rules.staff["J012"].left) == (date(2026, 10, 31), date(2026, 11, 15))
    out = json.loads(office.run("check", "--today", "2026-11-29", "--format", "json").stdout)
    assert not [p for p in out["problems"] if p["code"] in ("staff-unknown", "rules-invalid", "field-invalid")]
    shown = office.ok("show", office.ids["A"], "--today", "2026-11-29").output
    assert "张晓燕" in shown
