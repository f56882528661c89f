"""One desk of the three-desk trial: N operations on a clone of a shared bare remote, most of them on
the same shared records at the same second as the other desks, each followed by a sync now and then.

Usage: desk_trial_worker.py CLONE BADGE N SEED SHARED_ID... Prints "ok ID TEXT" per committed event,
"refused ID TEXT CODE" per write refused with exit 2 (a conflict the desk was told about), and exits 1 on a
traceback or an unexpected exit code.
"""
import random
import re
import sys

from click.testing import CliRunner

from shouwen.cli import cli

clone, badge, n, seed, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
rng = random.Random(seed)
runner = CliRunner()
SAME_SECOND = "2026-11-26T10:00:00+08:00"


def shouwen(*args):
    r = runner.invoke(cli, ["--repo", clone, "--as", badge, *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit) or "Traceback" in r.output:
        sys.exit(f"{badge}: shouwen {' '.join(args)} raised {r.exception!r}\n{r.output}")
    if r.exit_code not in (0, 2, 3):
        sys.exit(f"{badge}: shouwen {' '.join(args)} exited {r.exit_code}: {r.output}")
    return r


for i in range(n):
    rid = rng.choice(shared)
    text = f"{badge}-{seed}-{i}"
    op = rng.random()
    if op < 0.15:
        r = shouwen("forward", rid, "--to", rng.choice(["family", "approvals"]), "--note", text, "--at", SAME_SECOND)
    else:
        r = shouwen("note", rid, "--text", text, "--at", SAME_SECOND)
    if r.exit_code == 0:
        print(f"ok {rid} {text}", flush=True)
    elif r.exit_code == 2:
        why = re.search(r"错误 ([a-z-]+)", r.output)      # the coded problem the desk was shown
        print(f"refused {rid} {text} {why.group(1) if why else 'uncoded'}", flush=True)
    if rng.random() < 0.4 or i == n - 1:
        for _ in range(20):
            if shouwen("sync").exit_code == 0:
                break
        else:
            sys.exit(f"{badge}: sync never went through")
