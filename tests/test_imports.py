"""A command that renders nothing loads no renderer: Jinja2, MkDocs and openpyxl are imported only by
the commands that use them (each costs tens of milliseconds at every start)."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("jinja2", "mkdocs", "openpyxl", "playwright", "jieba")


def test_everyday_commands_do_not_import_the_renderers(agency):
    probe = ("import sys\nfrom shouwen.cli import cli\n"
             "try:\n    cli.main(sys.argv[1:], prog_name='shouwen')\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    for args in (["todo", "--all"], ["check"], ["list"], ["new", "--help"], ["--help"]):
        out = subprocess.run([sys.executable, "-c", probe, "--repo", agency.path, "--as", "J005", *args],
                             capture_output=True, text=True)
        assert out.stdout.strip().splitlines()[-1] == "[]", (args, out.stdout[-500:], out.stderr[-500:])


def test_each_command_is_found_in_the_module_that_defines_it():
    import importlib
    from shouwen import cli as package
    defined = {c.name: m for m in package.MODULES
               for c in importlib.import_module(f"shouwen.cli.{m}").COMMANDS}
    assert defined == package.WHERE


def test_commands_about_one_record_do_not_import_the_renderers(agency, tmp_path):
    """Issue 15: `new`, an event command, `show`, `receipt` (the visitor waits for it) and `history` load no
    renderer; the receipt is plain HTML made in Python."""
    probe = ("import sys\nfrom shouwen.cli import cli\n"
             "try:\n    cli.main(sys.argv[1:], prog_name='shouwen')\nexcept SystemExit as e:\n    print('exit', e.code)\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    rid = agency.new("2026-11-02T09:30", service="birth-permit")

    def run(*args):
        out = subprocess.run([sys.executable, "-c", probe, "--repo", agency.path, "--as", "J005", *args],
                             capture_output=True, text=True)
        lines = out.stdout.strip().splitlines()
        assert lines[-2:] == ["exit 0", "[]"], (args, out.stdout[-800:], out.stderr[-800:])
    for args in (["new", "--name", "王五", "--phone", "13900000000", "--matter", "咨询", "--at", "2026-11-03T09:30"],
                 ["note", rid, "--text", "已电话联系", "--at", "2026-11-03T10:00"], ["show", rid],
                 ["receipt", rid, "-o", str(tmp_path / "r.html")], ["history", rid]):
        run(*args)
    assert "机关办理事项收件回执" in (tmp_path / "r.html").read_text(encoding="utf-8")
