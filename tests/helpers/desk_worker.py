"""One desk in its own process: register, advance and sync, as a clone on a shared remote would.

Usage: desk_worker.py CLONE BADGE N. Prints one JSON line per event it recorded: {"id", "text"}.
"""
import json
import subprocess
import sys

clone, badge, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
hour = {"J005": 9, "J006": 10, "J007": 11}[badge]


def shouwen(*args, ok=(0,)):
    r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", clone, "--as", badge, *args],
                       capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit(f"{badge}: shouwen {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r


def sync():
    for _ in range(10):     # exit 3 is "busy, try again": pushes rejected while others push
        if shouwen("sync", ok=(0, 3)).returncode == 0:
            return
    sys.exit(f"{badge}: sync never went through")


for i in range(n):
    at = f"2026-11-26T{hour:02d}:{i * 5:02d}"
    rid = json.loads(shouwen("new", "--name", f"来访人{badge}{i}", "--matter", f"咨询{i}", "--at", at,
                             "--format", "json").stdout)["id"]
    print(json.dumps({"id": rid, "text": "registered"}), flush=True)
    text = f"{badge}-自办-{i}"
    shouwen("note", rid, "--text", text, "--at", f"2026-11-26T{hour:02d}:{i * 5 + 1:02d}")
    print(json.dumps({"id": rid, "text": text}), flush=True)
    sync()
    # advance a matter another desk registered, once it has arrived here
    out = subprocess.run(["git", "-C", clone, "ls-files", "records/inquiries"], capture_output=True, text=True).stdout
    others = sorted(p.rsplit("/", 1)[-1][:-3] for p in out.split() if p.endswith(".md") and f"-{badge}-" not in p)
    if others:
        other = others[i % len(others)]
        text = f"{badge}-协办-{i}"
        shouwen("note", other, "--text", text)     # now: later than anything this desk has seen of it
        print(json.dumps({"id": other, "text": text}), flush=True)
    sync()
