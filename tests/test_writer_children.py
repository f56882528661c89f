"""A writer killed while its git runs is repaired by the next writer, which first waits for that git to
finish (repo.journal.recover finds it by the writer's private index in its environment) and only then looks
whether the commit landed. So every git process a write starts must carry that index: a `fast-import`
without it moved the branch after the next writer had put the old file back, and the record was left
differing from HEAD (found by the kill trial in a fresh clone)."""
from __future__ import annotations

import os

from shouwen.repo import gitio


def test_every_git_a_write_starts_carries_its_private_index(agency, monkeypatch):
    rid = agency.new("2026-11-02T09:30")
    calls = []
    real = gitio.subprocess.run

    def run(args, *a, **kw):
        if isinstance(args, list) and args and os.path.basename(str(args[0])).startswith("git"):
            calls.append((args, (kw.get("env") or os.environ).get("GIT_INDEX_FILE") or ""))
        return real(args, *a, **kw)
    monkeypatch.setattr(gitio.subprocess, "run", run)
    agency.ok("--as", "J005", "note", rid, "--text", "补记")
    writing = [(args, env) for args, env in calls
               if any(step in args for step in ("hash-object", "fast-import", "update-index", "add", "commit"))]
    assert {"hash-object", "fast-import", "update-index"} <= {s for args, _ in writing for s in args}
    assert all(env.endswith(f"index.{os.getpid()}.tmp") for _, env in writing), writing
