"""Benchmark: shouwen at the size of a city bureau's years, every figure against a baseline of the same run.

    python tools/bench/scale_bench.py --size 10000 [DIR]       (--no-site: without the site build's rows)

Builds an agency of N records with `shouwen demo --size N` (its history through `git fast-import`, one
commit per event), then times each command as a user runs it (a fresh `python -m shouwen` process, best of
--repeat runs) beside what plain Git or a bare parser takes for the same work on the same files, and prints
the table of issue 15 with every ratio. Peak memory is the child process's maximum resident set.
Nothing here is asserted: the figures go into BENCHMARKS.md by hand.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNTIL = date(2026, 11, 27)
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@shouwen.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@shouwen.invalid", "SHOUWEN_BADGE": "J005"}
ENV.pop("SHOUWEN_NO_CACHE", None)
ENV["SHOUWEN_LATE_REASON"] = "基准测试补录"      # the events are dated on UNTIL, past the late-entry grace
# As installed (pip compiles the package's bytecode): a run that may not write __pycache__ compiles every
# module at every start and measures the compiler, not shouwen.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def load() -> str:
    return "load %.1f" % os.getloadavg()[0]


CPU: dict = {}      # argv -> the least CPU time (user + sys, its children included) of its runs


def children_cpu() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(argv, cwd=None, repeat=1, setup=None) -> tuple[float, int]:
    best, peak = float("inf"), 0
    CPU[tuple(argv)] = float("inf")
    for _ in range(repeat):
        if setup:
            setup()
        t = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{p.stderr.read().decode(errors='replace')[-2000:]}")
        p.stderr.close()
        best, peak = min(best, dt), max(peak, usage.ru_maxrss)
        CPU[tuple(argv)] = min(CPU[tuple(argv)], usage.ru_utime + usage.ru_stime)
    return best, peak


def shouwen(*args):
    return [sys.executable, "-m", "shouwen", *args]


def fresh_clone_check(agency, today) -> int:
    """The peak memory (KB) of the first `check` in a clone that has nothing of shouwen's and no commit-graph:
    the index built, the rules' history walked. The largest process of the run counts, git's too."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        clone = os.path.join(tmp, "clone")
        subprocess.run(["git", "clone", "-q", agency, clone], check=True)
        graph = os.path.join(clone, ".git", "objects", "info", "commit-graph")
        if os.path.exists(graph):
            os.unlink(graph)
        _, peak = timed(sw(clone, "check", *today))
        return peak


def sw(agency, *args):
    return shouwen("--repo", agency, *args)


def git(agency, *args):
    return ["git", "-C", agency, *args]


def bare_parse(agency) -> float:
    """The floor of issue 15: every record file read, split at its front matter and loaded by libyaml, one core."""
    code = ("import os,yaml,time\nt=time.perf_counter()\nn=0\n"
            "for d,_,fs in os.walk('records'):\n for f in fs:\n  if f.endswith('.md'):\n"
            "   s=open(os.path.join(d,f),encoding='utf-8').read();e=s.find('\\n---',3)\n"
            "   yaml.load(s[3:e],Loader=yaml.CSafeLoader);n+=1\n"
            "print(time.perf_counter()-t, time.process_time())")
    best = float("inf")
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], cwd=agency, capture_output=True, text=True, check=True)
        wall, cpu = map(float, out.stdout.split())
        best = min(best, wall)
        CPU["bare parse"] = min(CPU.get("bare parse", float("inf")), cpu)
    return best


from memory_rows import SITE_KEPT, memory_rows  # noqa: E402 (beside this script)


def site_rows(small, agency, base, r, row):
    """`site build` of the large agency against the demo's, in turns (demo, large) so that both meet the
    same load. First build: nothing kept of an earlier build (its output, what it kept of the records, the
    sealed entries), the ledger's index warm as the desk's daily commands leave it; again: all of it kept;
    after an event on one matter (a commit, before each run): what is kept by record and by entry holds
    for all but that one."""
    def build(ag):
        return sw(ag, "site", "build", "-o", os.path.join(base, f"public-{os.path.basename(ag)}"))

    def forget(ag):
        def setup():
            shutil.rmtree(os.path.join(base, f"public-{os.path.basename(ag)}"), ignore_errors=True)
            for f in [f for pattern in SITE_KEPT for f in glob.glob(os.path.join(ag, pattern))]:
                if os.path.isdir(f):
                    shutil.rmtree(f)
                else:
                    os.remove(f)
        return setup
    victims = {ag: sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(ag, "records", "inquiries"))
                          for f in fs if f.endswith(".md"))[0] for ag in (small, agency)}

    def change(ag):
        def setup():        # an event recorded on one matter (one commit): nothing kept under the ledger's name holds
            subprocess.run(sw(ag, "--as", "J005", "note", os.path.basename(victims[ag])[:-3], "--text", "补记",
                              "--at", f"{UNTIL.isoformat()}T17:55"), env=ENV, check=True, capture_output=True)
        return setup
    days = [0]

    def next_day(ag):
        def setup():        # the build's clock a day on from the last one's: the page's day and the paused matters move
            days[0] += ag == small
            ENV["SHOUWEN_BENCH_DAYS"] = str(days[0])
        return setup
    registered = [0]

    def new_matter(ag):
        def setup():        # a matter registered (one commit) since the last build
            registered[0] += 1
            subprocess.run(sw(ag, "--as", "J005", "new", "--name", f"新来访人{registered[0]}", "--phone",
                              f"139{registered[0]:08d}", "--matter", "基准测试", "--at", f"{UNTIL.isoformat()}T17:50"),
                           env=ENV, check=True, capture_output=True)
        return setup
    shifted = tempfile.mkdtemp(prefix="shouwen-bench-clock-")
    with open(os.path.join(shifted, "sitecustomize.py"), "w", encoding="utf-8") as fh:
        fh.write(CLOCK_SHIFT)
    ENV["PYTHONPATH"] = os.pathsep.join(p for p in (shifted, ENV.get("PYTHONPATH")) if p)
    for ag in (small, agency):
        timed(build(ag))        # the ledger's index (and Python's bytecode), as any command would leave them
    for what, target, setup in (("site build, first build", "the demo's first", forget),
                                ("site build, again", "the demo's", None),
                                ("site build after an event on one matter", "the demo's, the same", change),
                                ("site build after a new matter", "the demo's, the same", new_matter),
                                ("site build on the next day", "the demo's, the same", next_day)):
        best = {}
        for _ in range(r):
            for ag in (small, agency):
                dt, _ = timed(build(ag), setup=setup(ag) if setup else None)
                wall, cpu = best.get(ag, (float("inf"), float("inf")))
                best[ag] = (min(wall, dt), min(cpu, CPU[tuple(build(ag))]))
        row(what, best[agency][0], best[small][0], target, "≤ 1.2×",
            cpu=best[agency][1], base_cpu=best[small][1])
    ENV.pop("SHOUWEN_BENCH_DAYS", None)


# The site build's clock moved on by SHOUWEN_BENCH_DAYS days, in every process (the MkDocs hook's too): "the
# next day" without waiting for it. Only the bench sets it; shouwen has no such setting.
CLOCK_SHIFT = """import datetime, os
_days = int(os.environ.get("SHOUWEN_BENCH_DAYS") or 0)
if _days:
    from shouwen.publish import sitebuild
    _now = sitebuild._now
    sitebuild._now = lambda: _now() + datetime.timedelta(days=_days)
"""


def since_for(size: int) -> date:
    """About a hundred matters a working day, ending on UNTIL."""
    return UNTIL - timedelta(days=max(30, int(size / 100 * 7 / 5)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", help="where to build the agency (default: a temporary folder)")
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--site", action=argparse.BooleanOptionalAction, default=True,
                    help="the site build beside the demo's (issue 15's row; --no-site skips it)")
    ap.add_argument("--write-only", dest="write_only", action="store_true",
                    help="only the write side: the demo, new, note, the pre-commit hook, the site build")
    ap.add_argument("--reuse", action="store_true", help="use the agency DIR/agency-N built by an earlier run "
                                                          "(no demo figure)")
    ap.add_argument("--reads-only", dest="reads_only", action="store_true", help="skip the write side")
    ap.add_argument("--site-only", dest="site_only", action="store_true",
                    help="only the site build rows (with --reuse: the agencies of an earlier run)")
    ap.add_argument("--cold-only", dest="cold_only", action="store_true",
                    help="only `check --no-cache` beside the bare parse, and its peak memory (issue 15 items 2, 5)")
    ap.add_argument("--no-audit", dest="audit", action="store_false", help="skip `audit` beside `git log -p` (long)")
    ap.add_argument("--memory-only", dest="memory_only", action="store_true",
                    help="only the peak memory of each whole-ledger command (memory_rows.py; with --reuse)")
    ap.add_argument("--reports-only", dest="reports_only", action="store_true",
                    help="only the ladder, the bulletin and the export beside `git status`, answer kept and after a "
                         "new commit (with --reuse)")
    a = ap.parse_args()
    base = a.dir or tempfile.mkdtemp(prefix="scale-bench-")
    agency = os.path.join(base, f"agency-{a.size}")
    reuse = a.reuse and os.path.isdir(os.path.join(agency, ".git"))
    if os.path.exists(agency) and not reuse:
        shutil.rmtree(agency)
    subprocess.run(shouwen("--help"), env=ENV, capture_output=True)       # the bytecode, as pip writes it
    rows = []

    def row(what, subject, baseline=None, base_name="", target=None, unit="s", cpu=None, base_cpu=None):
        ratio = f"{subject / baseline:.2f}×" if baseline else ""
        cpus = f"{cpu:.3f} / {base_cpu:.3f} s = {cpu / base_cpu:.2f}×" if cpu is not None and base_cpu else ""
        rows.append((what, f"{subject:.3f} {unit}" if unit == "s" else f"{subject} {unit}",
                     f"{base_name} {baseline:.3f} s" if baseline else base_name, ratio, cpus, target or "", load()))
        print(f"  {what:<52} {rows[-1][1]:>12} {rows[-1][2]:>34} {ratio:>8} {cpus:>18}  ({load()})", flush=True)

    def vs_status(what, argv, target, setup=None, warm=True):
        """A command against `git status` of the same moment, wall and CPU; warm: asked once before (its
        answer kept); setup: what to do before each run (one record changed: nothing kept holds for it)."""
        if warm:
            timed(argv, setup=setup)
        dt, _ = timed(argv, repeat=r, setup=setup)
        st, _ = timed(git(agency, "status"), repeat=r)
        row(what, dt, st, "git status", target, cpu=CPU[tuple(argv)], base_cpu=CPU[tuple(git(agency, "status"))])

    if not reuse:
        print(f"shouwen demo --size {a.size} … ({load()})", flush=True)
        t = time.perf_counter()
        subprocess.run(shouwen("demo", "--size", str(a.size), "--since", since_for(a.size).isoformat(),
                               "--until", UNTIL.isoformat(), agency), env=ENV, check=True, capture_output=True)
        build = time.perf_counter() - t
    files = sum(1 for d, _, fs in os.walk(os.path.join(agency, "records")) for f in fs if f.endswith(".md"))
    commits = int(subprocess.run(git(agency, "rev-list", "--count", "HEAD"), capture_output=True, text=True).stdout)
    if not reuse:
        print(f"  {files} record files, {commits} commits, built in {build:.1f} s ({a.size / build:.0f} records/s, "
              f"{load()})")
        rows.append(("shouwen demo --size N (git fast-import)", f"{build:.1f} s", f"{a.size / build:.0f} records/s, "
                     f"{commits} commits", "", "", "≥ 1,000 records/s", load()))
        subprocess.run(git(agency, "gc", "-q"), check=True)
    r = a.repeat
    today = ["--today", UNTIL.isoformat()]

    victim = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(agency, "records", "inquiries"))
                    for f in fs if f.endswith(".md"))[files // 2]
    original = open(victim, encoding="utf-8").read()

    def touch():
        with open(victim, "a", encoding="utf-8") as fh:
            fh.write("补记。\n")
    rid = os.path.basename(victim)[:-3]
    if not (a.write_only or a.site_only or a.reports_only or a.memory_only):   # the read side (issue 15 items 1, 2, 5)
        floor = bare_parse(agency)
        shutil.rmtree(os.path.join(agency, ".shouwen"), ignore_errors=True)
        argv = sw(agency, "check", "--no-cache", *today)
        cold, peak = timed(argv, repeat=min(r, 2))
        row("check --no-cache", cold, floor, "bare CSafeLoader parse", "≤ 0.75×", cpu=CPU[tuple(argv)],
            base_cpu=CPU["bare parse"])
        row("peak memory of check --no-cache, a record", peak * 1024 // files, None,
            f"(whole process {peak // 1024} MB)", "≤ 2,048 B", unit="B")
        if not a.cold_only:
            first, fpeak = timed(sw(agency, "check", *today))
            row("check, building the index", first, floor, "bare CSafeLoader parse")
            row("peak memory of check building the index, a record", fpeak * 1024 // files, None,
                f"(largest process {fpeak // 1024} MB)", "≤ 2,048 B", unit="B")
            cpeak = fresh_clone_check(agency, today)
            row("peak memory of the first check in a fresh clone, a record", cpeak * 1024 // files, None,
                f"(largest process {cpeak // 1024} MB, git's walks included)", "≤ 2,048 B", unit="B")
            vs_status("check, index and answer warm", sw(agency, "check", *today), "≤ 2×")
            timed(sw(agency, "check", *today))     # git status may have rewritten Git's index: a new key, asked once
            _, wpeak = timed(sw(agency, "check", *today))
            row("peak memory of check, warm, a record", wpeak * 1024 // files, None,
                f"(whole process {wpeak // 1024} MB)", "≤ 2,048 B", unit="B")
            # a record edited in the work tree before each run: the index and every kept answer are stale for it
            vs_status("check after one record changed", sw(agency, "check", *today), "≤ 2×", setup=touch, warm=False)
            _, opeak = timed(sw(agency, "check", *today), setup=touch)
            row("peak memory of check after one change, a record", opeak * 1024 // files, None,
                f"(whole process {opeak // 1024} MB)", "≤ 2,048 B", unit="B")
            for cmd in (["todo", "--all", *today], ["list", *today]):
                vs_status(f"{cmd[0]}, answer warm", sw(agency, *cmd), "≤ 2×")
                vs_status(f"{cmd[0]} after one record changed", sw(agency, *cmd), "≤ 2×", setup=touch, warm=False)
            with open(victim, "w", encoding="utf-8") as fh:
                fh.write(original)
            timed(sw(agency, "check", *today))
            vs_status("show ID", sw(agency, "show", rid, *today), "≤ 2×")
    if a.memory_only or not (a.write_only or a.site_only or a.reports_only or a.cold_only):
        q = (UNTIL.month - 1) // 3
        memory_rows(agency, ENV, UNTIL.isoformat(), f"{UNTIL.year}Q{q}" if q else f"{UNTIL.year - 1}Q4", row)

    # one commit: shouwen's writer against git add && git commit of one file
    n = [0]
    writes = not (a.reads_only or a.site_only or a.cold_only or a.reports_only or a.memory_only)

    def plain_commit():
        n[0] += 1
        path = os.path.join(agency, "site", f"bench-{os.getpid()}-{n[0]}.md")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{n[0]}\n")
        return path
    git_one = git_cpu = float("inf")
    for _ in range(r if writes else 0):
        p = plain_commit()
        t, c = time.perf_counter(), children_cpu()
        subprocess.run(git(agency, "add", p), env=ENV, check=True)
        subprocess.run(git(agency, "commit", "-q", "--no-verify", "-m", "x"), env=ENV, check=True)
        git_one, git_cpu = min(git_one, time.perf_counter() - t), min(git_cpu, children_cpu() - c)
    for what, argv in (("new (one commit)", sw(agency, "--as", "J005", "new", "--name", "测试", "--matter", "基准测试",
                                                 "--at", f"{UNTIL.isoformat()}T17:50")),
                       ("note (one event, one commit)", sw(agency, "--as", "J005", "note", rid, "--text", "基准测试",
                                                            "--at", f"{UNTIL.isoformat()}T17:55"))):
        if not writes:
            break
        dt, _ = timed(argv, repeat=r)
        row(what, dt, git_one, "git add && git commit", "≤ 1.5×")
        row(f"{what}, CPU time", CPU[tuple(argv)], git_cpu, "git add && git commit, CPU", "≤ 1.5×")
    # the pre-commit hook on a one-record commit, against the same commit without it
    best = {True: [float("inf"), float("inf")], False: [float("inf"), float("inf")]}
    for _ in range(r if writes else 0):
        for verify in (True, False):
            touch()
            subprocess.run(git(agency, "add", victim), env=ENV, check=True)
            t, c = time.perf_counter(), children_cpu()
            subprocess.run(git(agency, "commit", "-q", "-m", "补记", *([] if verify else ["--no-verify"])), env=ENV,
                           check=False, capture_output=True)
            best[verify] = [min(best[verify][0], time.perf_counter() - t), min(best[verify][1], children_cpu() - c)]
    if writes:
        row("a one-record commit through the pre-commit hook", best[True][0], best[False][0], "git commit --no-verify",
            "≤ 2×")
        row("the same, CPU time", best[True][1], best[False][1], "git commit --no-verify, CPU", "≤ 2×")

    if not (a.write_only or a.site_only or a.cold_only or a.memory_only):
        year = str(UNTIL.year)
        q = (UNTIL.month - 1) // 3
        quarter = f"{UNTIL.year}Q{q}" if q else f"{UNTIL.year - 1}Q4"
        k = [0]

        def commit_one():   # a new commit (one record changed): a bulletin or export of HEAD is asked anew
            k[0] += 1
            with open(victim, "a", encoding="utf-8") as fh:
                fh.write(f"补记 {k[0]}。\n")
            subprocess.run(git(agency, "commit", "-q", "--no-verify", "-am", "补记"), env=ENV, check=True)
        for cmd in (["ladder", year], ["bulletin", quarter], ["bulletin", quarter, "--format", "json"],
                    ["export", "--quarter", quarter, "-o", os.path.join(base, "export.csv")],
                    ["export", "--quarter", quarter, "-o", os.path.join(base, "export.xlsx")]):
            name = " ".join(c for c in cmd if c != "--format") if cmd[0] != "export" else \
                f"export --quarter (.{cmd[-1].rsplit('.', 1)[1]})"
            vs_status(f"{name}, answer warm", sw(agency, *cmd), "≤ 3×")
            vs_status(f"{name} after a new commit, index warm", sw(agency, *cmd), "≤ 3×", setup=commit_one,
                      warm=False)
        if a.audit and not a.reports_only:
            logp, _ = timed(git(agency, "log", "-p"), repeat=1)
            dt, _ = timed(sw(agency, "audit"), repeat=1)
            row("audit", dt, logp, "git log -p", "≤ 3×")
    if a.site_only or (a.site and not (a.reads_only or a.cold_only or a.reports_only or a.memory_only)):
        small = os.path.join(base, "agency-demo")
        if not (reuse and os.path.isdir(os.path.join(small, ".git"))):
            shutil.rmtree(small, ignore_errors=True)
            subprocess.run(shouwen("demo", "--until", UNTIL.isoformat(), small), env=ENV, check=True,
                           capture_output=True)
        site_rows(small, agency, base, r, row)
    print()
    print("| what | shouwen | baseline | ratio | CPU shouwen / baseline | target | load |")
    print("|---|---|---|---|---|---|---|")
    for rw in rows:
        print("| " + " | ".join(rw) + " |")
    if not a.dir:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
