"""Acceptance sweep over the ended issues: each test is one promised capability, tried as a user would,
through the real CLI on a real repository, where the earlier tests tried it only with hand-picked input."""
import csv
import os

import pytest
import yaml

from test_ledger_io import fresh, snapshot  # noqa: F401  (fixture and helper)
from test_templates import made


def test_the_events_column_is_chinese_for_events_written_now(agency, fresh, tmp_path):
    # issue 12: "the events column in Chinese (one line per event: time, person, action, detail) that the importer
    # reads back exactly" -- for the events a desk writes with no --at too, whose times carry seconds
    rid = agency.new("2026-11-03T10:00:07")
    agency.ok("--as", "J005", "forward", rid, "--to", "人口家庭科", "--staff", "J014", "--at", "2026-11-03T10:10:59")
    agency.ok("--as", "J014", "accept", rid)                          # now: a time with seconds
    out = tmp_path / "ledger.csv"
    agency.ok("export", "-o", str(out))
    with open(out, encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    lines = row["事件记录"].splitlines()
    assert len(lines) == 3 and all("｜" in line and "action" not in line for line in lines), lines
    assert lines[0].startswith("2026年11月3日 10:00:07｜李明（J005）｜登记｜")
    assert lines[1].startswith("2026年11月3日 10:10:59｜李明（J005）｜转办｜至：人口家庭科（family）")
    fresh.ok("--as", "J003", "import", str(out))
    assert snapshot(fresh.path) == snapshot(agency.path)


@pytest.mark.parametrize("template", ["bureau", "hotel", "company", "county"])
def test_every_template_ships_its_duties(template):
    # issue 10: "The templates ship sensible roles" -- the county (added later, issue 13) shipped none, so anyone
    # could rule on a complaint, decide its sanction, publish the bulletin, import or void
    from shouwen.repo.setup import template_dir
    policy = yaml.safe_load(open(os.path.join(template_dir(template), "rules", "policy.yml"), encoding="utf-8"))
    duties = policy.get("permissions") or {}
    assert all(duties.get(d) not in (None, "any") for d in ("verdict", "sanction", "publish", "import", "void",
                                                              "correct", "roster")), duties


def test_a_county_clerk_can_neither_rule_nor_publish(tmp_path):
    a = made(tmp_path, "county")
    out = a.ok("--as", "X004", "complain", "--against", "X009", "--category", "推诿扯皮", "--channel", "意见簿",
               "--summary", "办事遇到推诿", "--at", "2026-04-01T10:00").output
    cid = out.split("已登记投诉 ")[1].split("（")[0]
    r = a.run("--as", "X007", "verdict", cid, "--substantiated", "--reason", "x", "--at", "2026-04-02T10:00")
    assert r.exit_code == 2 and "role-forbidden" in r.stderr and "permissions.verdict" in r.stderr
    a.ok("--as", "X002", "verdict", cid, "--substantiated", "--reason", "查实", "--at", "2026-04-02T10:00")
    r = a.run("--as", "X007", "sanction", cid, "--staff", "X009", "--measure", "批评教育", "--at", "2026-04-03T10:00")
    assert r.exit_code == 2 and "permissions.sanction" in r.stderr
    r = a.run("--as", "X007", "bulletin", "2026Q2", "--write")
    assert r.exit_code == 2 and "permissions.publish" in r.stderr
    a.ok("--as", "X001", "sanction", cid, "--staff", "X009", "--measure", "批评教育", "--at", "2026-04-03T10:00")
