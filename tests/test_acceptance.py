"""Acceptance sweep over the ended issues: each test is one promised capability, tried as a user would,
through the real CLI on a real repository, where the earlier tests tried it only with hand-picked input."""
import csv

from test_ledger_io import fresh, snapshot  # noqa: F401  (fixture and helper)


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
