"""A writer in its own process, to be killed: appends notes (and now and then registers a matter)
through the one writer path, printing each event's text once its commit has returned.

Usage: writer_worker.py REPO BADGE SEED RECORD_ID...
"""
import faulthandler
import random
import signal
import sys
from datetime import datetime, timedelta, timezone

from shouwen.repo.loader import load_rules
from shouwen.repo.writer import append_event, register

root, badge, seed, ids = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
faulthandler.register(signal.SIGUSR1, all_threads=True)     # where it is, should the trial find it hung
# Ctrl-C as at a terminal, even when the trials run in a background job, whose commands the shell starts
# with SIGINT ignored (Python then leaves it ignored, and the trial's SIGINT would be lost)
signal.signal(signal.SIGINT, signal.default_int_handler)
rules = load_rules(root)
rng = random.Random(seed)
print("ready", flush=True)
n = 0
while True:
    n += 1
    text = f"{badge}-{seed}-{n}"
    at = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0)
    if rng.random() < 0.15:
        rec = register(root, rules, badge, at, {"name": f"来访人{text}"}, f"咨询{text}", "visit")
        print(f"registered {rec.id} {text}", flush=True)
    else:
        rid = rng.choice(ids)
        append_event(root, rules, rid, {"at": at, "by": badge, "action": "note", "text": text})
        print(f"note {rid} {text}", flush=True)
