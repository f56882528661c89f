"""Clock skew is visible: an event ahead of the clock is refused at write time and reported by `check`;
the event time is taken under the writer's lock."""
import json

from shouwen.core.record import CST


def _commit_event(agency, rid, line):
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = agency.file(rel)
    head, _, body = text.rpartition("---\n")
    agency.write(rel, head + f"  - {line}\n---\n" + body)
    agency.git("commit", "-q", "--no-verify", "-am", "快了两天的电脑")


def test_an_event_ahead_of_the_clock_is_refused(agency):
    rid = agency.new("2026-11-02T09:30")
    head = agency.head()
    r = agency.run("--as", "J005", "note", rid, "--text", "将来", "--at", "2099-01-01T09:00")
    assert r.exit_code == 2 and "clock-skew" in r.stderr and "晚于现在" in r.stderr
    assert agency.head() == head and agency.status() == ""


def test_a_fast_desk_is_reported_by_check_and_named_at_the_next_write(agency):
    from datetime import datetime, timedelta
    rid = agency.new("2026-11-02T09:30")
    ahead = (datetime.now(CST) + timedelta(days=2)).replace(microsecond=0)
    _commit_event(agency, rid, f"{{at: {ahead.isoformat()}, by: J005, action: note, text: 时钟快了}}")
    out = json.loads(agency.run("check", "--format", "json").stdout)
    assert [p for p in out["problems"] if p["code"] == "clock-skew" and p["field"] == "events[1].at"]
    # asked again, the check is read back from .shouwen/ (repo.answers) and held to the clock once more
    again = json.loads(agency.run("check", "--format", "json").stdout)
    named = lambda o: [(p["code"], p["path"], p["field"]) for p in o["problems"]]   # the message holds the time
    assert named(again) == named(out) and again["records"] == out["records"]
    # read afresh, keeping the state of today's records only (the fast desk's among them)
    fresh = json.loads(agency.run("check", "--no-cache", "--format", "json").stdout)
    assert named(fresh) == named(out) and fresh["records"] == out["records"]
    r = agency.run("--as", "J014", "note", rid, "--text", "另一台电脑")
    assert r.exit_code == 2 and "clock-skew" in r.stderr and "时钟快了" in r.stderr


def test_the_event_time_is_taken_when_the_write_happens(agency):
    from datetime import datetime
    rid = agency.new("2026-11-02T09:30")
    before = datetime.now(CST).replace(microsecond=0)
    agency.ok("--as", "J005", "note", rid, "--text", "现在")
    text = agency.file(f"records/inquiries/2026/11/{rid}.md")
    at = text.split("action: note")[0].rsplit("{at: ", 1)[1].split(",")[0]
    assert datetime.fromisoformat(at) >= before


def test_eight_writers_on_one_clone_are_never_out_of_order(agency):
    """The time is read under the lock: writers queued on it can't stamp an earlier time after a later one."""
    import subprocess
    import sys
    rid = agency.new("2026-11-02T09:30")
    code = ("import sys\nfrom shouwen.cli import main\nrepo, rid, name = sys.argv[1:4]\n"
            "for i in range(3):\n"
            "    sys.argv = ['shouwen', '--repo', repo, '--as', 'J005', 'note', rid, '--text', f'{name}-{i}']\n"
            "    try:\n        main()\n    except SystemExit as e:\n        if e.code not in (0, None):\n            raise\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, agency.path, rid, f"w{k}"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(8)]
    results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    failed = [(rc, err[-300:]) for out, err, rc in results if rc != 0]
    assert not failed, failed
    assert agency.file(f"records/inquiries/2026/11/{rid}.md").count("action: note") == 24
