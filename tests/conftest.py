"""Fixtures: real agency repositories in temporary folders, driven through the real CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from shouwen.cli import cli

# The suite starts hundreds of Python processes (`python -m shouwen`, the pre-commit hook, desk workers): where the
# environment says PYTHONDONTWRITEBYTECODE, each of them would compile the package from source again (~0.2 s).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# Commits made by tests must not depend on the machine's git identity or signing setup.
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
# Hand-made commits in tests (tampering, broken files) need an identity on a machine with no git config.
for var, value in (("GIT_AUTHOR_NAME", "测试"), ("GIT_AUTHOR_EMAIL", "test@shouwen.invalid"),
                   ("GIT_COMMITTER_NAME", "测试"), ("GIT_COMMITTER_EMAIL", "test@shouwen.invalid")):
    os.environ.setdefault(var, value)
# Tests drive the CLI with fixed past dates: every such event is a 补录 past the late-entry grace and must say
# why (test_evidence unsets this to see the refusal).
os.environ.setdefault("SHOUWEN_LATE_REASON", "测试用例补录")


class Agency:
    def __init__(self, path):
        self.path = str(path)
        self.runner = CliRunner()

    def run(self, *args, input=None):
        """Invoke `shouwen --repo AGENCY ARGS…` in-process; returns click's Result."""
        return self.runner.invoke(cli, ["--repo", self.path, *map(str, args)], input=input, catch_exceptions=False)

    def ok(self, *args, input=None):
        r = self.run(*args, input=input)
        assert r.exit_code == 0, f"shouwen {' '.join(map(str, args))} exited {r.exit_code}:\n{r.output}"
        return r

    def git(self, *args) -> str:
        return subprocess.run(["git", "-C", self.path, *args], capture_output=True, text=True, check=True).stdout

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def status(self) -> str:
        return self.git("status", "--porcelain", "--untracked-files=all")

    def file(self, rel) -> str:
        with open(os.path.join(self.path, rel), encoding="utf-8") as fh:
            return fh.read()

    def write(self, rel, text, encoding="utf-8"):
        full = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding=encoding) as fh:
            fh.write(textwrap.dedent(text).lstrip("\n"))

    def new(self, at, badge="J005", service=None, name="张三", phone="13800000000"):
        args = ["--as", badge, "new", "--name", name, "--phone", phone, "--matter", "咨询事项", "--at", at,
                "--format", "json"]
        if service:
            args += ["--service", service]
        import json
        return json.loads(self.ok(*args).stdout)["id"]


@pytest.fixture(scope="session")
def _new_bureau(tmp_path_factory):
    """`shouwen init --template bureau`, run once a session; each test's `agency` is a copy of it."""
    path = tmp_path_factory.mktemp("bureau") / "agency"
    r = CliRunner().invoke(cli, ["init", str(path), "--template", "bureau"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return path


def copy_agency(src, path) -> Agency:
    """An agency of a test's own, copied from one a fixture made once (hooks and config are in .git, no path in
    them names the folder); Git's index is refreshed, as the copy changed every file's inode and ctime."""
    shutil.copytree(src, path, symlinks=True)
    subprocess.run(["git", "-C", str(path), "update-index", "-q", "--refresh"], check=True)
    return Agency(path)


@pytest.fixture
def agency(tmp_path, _new_bureau):
    """A new bureau agency of the test's own: a copy of one `init`."""
    return copy_agency(_new_bureau, tmp_path / "agency")


# --- the shipped demo's public site, for the browser tests ---------------------------------------

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="session")
def demo_sites(tmp_path_factory):
    """`get(engine)` -> (base URL, output folder): the demo agency built by `shouwen site build
    --engine ENGINE` once per test session and served from a local port."""
    import functools
    import http.server
    import sys
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    built, servers = {}, []

    def get(engine):
        if engine not in built:
            out = tmp_path_factory.mktemp(f"demo-{engine}") / "public"
            r = subprocess.run([sys.executable, "-m", "shouwen", "--repo", REPO, "site", "build", "--engine", engine,
                                "-o", str(out)], capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            built[engine] = (f"http://127.0.0.1:{server.server_address[1]}/", out)
        return built[engine]
    yield get
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="module", params=ENGINES)
def site(demo_sites, request):
    """(base URL, output folder, engine): each browser test runs against both engines' builds."""
    from helpers.browsing import require_browser
    require_browser()
    base, out = demo_sites(request.param)
    return base, out, request.param


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright
    from helpers.browsing import launch
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
