"""The package's plan, held by a test (README "How it is built").

core/ is pure (no file, Git, network, subprocess or clock access), repo/ never reaches up into
publish/ or cli/, only the package repo/gitio/ runs `git` or writes Git's objects, no module imports itself
in a circle, and no module passes 400 lines. The
checker reads imports with `ast`, so it sees imports inside functions too.
"""
from __future__ import annotations

import ast
import os
import shutil

import shouwen

PACKAGE = os.path.dirname(shouwen.__file__)
MAX_LINES = 400

# Layers and what each may not import (by first name of the module, within the package).
FORBIDDEN_LAYERS = {"core": {"repo", "publish", "cli", "desk"}, "repo": {"publish", "cli", "desk"},
                    "publish": {"cli", "desk"}}
# What makes a module impure: I/O modules, and calls that read the clock or open files.
IMPURE_MODULES = {"subprocess", "os", "shutil", "tempfile", "socket", "urllib", "http", "requests", "pathlib",
                  "time", "signal", "multiprocessing", "concurrent", "io", "glob", "fcntl", "filelock", "smtplib"}
IMPURE_ATTRS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                ("time", "time")}
IMPURE_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes"}


def _modules(root: str) -> dict[str, str]:
    """Dotted module name (within the package) -> file path."""
    out = {}
    for dirpath, dirnames, files in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "templates")]
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(dirpath, f), root)[:-3].replace(os.sep, ".")
                out[rel[:-len(".__init__")] if rel.endswith(".__init__") else rel] = os.path.join(dirpath, f)
    return out


def _package_of(name: str, path: str) -> str:
    return name if path.endswith("__init__.py") else name.rpartition(".")[0]


def _imports(name: str, path: str, modules: dict) -> tuple[set[str], set[str]]:
    """(modules of this package it imports, outside top-level modules it imports)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    inside, outside = set(), set()
    pkg = _package_of(name, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "shouwen" or a.name.startswith("shouwen."):
                    inside.add(a.name.partition(".")[2] or "")
                else:
                    outside.add(a.name.partition(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                mod = node.module or ""
                if mod == "shouwen" or mod.startswith("shouwen."):
                    base = mod.partition(".")[2]
                else:
                    outside.add(mod.partition(".")[0])
                    continue
            else:
                parts = pkg.split(".") if pkg else []
                parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(p for p in parts + ([node.module] if node.module else []) if p)
            for a in node.names:   # `from . import x` names a module; `from .x import y` a member of x
                sub = f"{base}.{a.name}" if base else a.name
                inside.add(sub if sub in modules else base)
    return {m for m in inside if m in modules and m != name}, outside


def _impure_calls(path: str) -> list[str]:
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id == "open":
                found.append(f"open() at line {node.lineno}")
            elif isinstance(f, ast.Attribute):
                owner = f.value.id if isinstance(f.value, ast.Name) else getattr(f.value, "attr", None)
                if (owner, f.attr) in IMPURE_ATTRS or f.attr in IMPURE_METHODS:
                    found.append(f"{owner}.{f.attr}() at line {node.lineno}")
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


GIT_LAYER = "repo.gitio"


def _git_access(path: str) -> list[str]:
    """How a module touches Git itself: a command line starting with `git`, or Git's object store named."""
    found, tree = [], ast.parse(open(path, encoding="utf-8").read())
    prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if id(node) in prose:
            continue        # a docstring may speak of Git
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts and isinstance(node.elts[0], ast.Constant) \
                and node.elts[0].value in ("git", "git.exe"):
            found.append("runs git")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and ("objects/pack" in node.value or node.value in ("objects", "pack")):
            found.append(f"names Git's object store ({node.value!r})")
    return found


def layout_violations(root: str) -> list[str]:
    modules = _modules(root)
    graph, problems = {}, []
    for name, path in sorted(modules.items()):
        inside, outside = _imports(name, path, modules)
        # a package's __init__ importing its own submodules is how a package is assembled, not a circle
        graph[name] = {m for m in inside if not (path.endswith("__init__.py") and m.startswith(name + "."))}
        layer = name.partition(".")[0]
        for m in sorted(inside):
            target = m.partition(".")[0]
            if target in FORBIDDEN_LAYERS.get(layer, ()):
                problems.append(f"{name} imports {m}: {layer}/ may not import {target}/")
        if layer == "core":
            for m in sorted(outside & IMPURE_MODULES):
                problems.append(f"{name} imports {m}: core/ is pure (no I/O)")
            for call in _impure_calls(path):
                problems.append(f"{name} calls {call}: core/ is pure (the day is passed in)")
        if name != GIT_LAYER and not name.startswith(GIT_LAYER + "."):
            for what in sorted(set(_git_access(path))):
                problems.append(f"{name} {what}: only repo/gitio/ touches Git")
        lines = sum(1 for _ in open(path, encoding="utf-8"))
        if lines > MAX_LINES:
            problems.append(f"{name} has {lines} lines (at most {MAX_LINES})")
    for comp in _cycles(graph):
        problems.append("import circle: " + " -> ".join(comp))
    return problems


def test_the_package_keeps_its_plan():
    assert layout_violations(PACKAGE) == []


def test_every_layer_says_what_it_may_do():
    for layer in ("core", "repo", "publish", "cli"):
        doc = ast.get_docstring(ast.parse(open(os.path.join(PACKAGE, layer, "__init__.py"), encoding="utf-8").read()))
        assert doc and len(doc) > 40, layer


def _copy(tmp_path):
    root = tmp_path / "shouwen"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    return root


def test_the_checker_catches_an_impure_core(tmp_path):
    root = _copy(tmp_path)
    (root / "core" / "sneaky.py").write_text("import subprocess\nfrom datetime import date\n\n"
                                             "def day():\n    return date.today()\n", encoding="utf-8")
    found = layout_violations(str(root))
    assert "core.sneaky imports subprocess: core/ is pure (no I/O)" in found
    assert any(f.startswith("core.sneaky calls date.today()") for f in found)


def test_the_checker_catches_a_layer_reaching_up(tmp_path):
    root = _copy(tmp_path)
    (root / "core" / "sneaky.py").write_text("from ..repo import gitio\n", encoding="utf-8")
    (root / "repo" / "sneaky.py").write_text("def f():\n    from ..cli.context import Desk\n", encoding="utf-8")
    found = layout_violations(str(root))
    assert "core.sneaky imports repo.gitio: core/ may not import repo/" in found
    assert "repo.sneaky imports cli.context: repo/ may not import cli/" in found


def test_the_checker_catches_git_run_outside_the_git_layer(tmp_path):
    root = _copy(tmp_path)
    (root / "repo" / "sneaky.py").write_text("import subprocess\n\ndef f(root):\n"
                                             "    subprocess.run(['git', '-C', root, 'commit'])\n"
                                             "    return open(root + '/.git/objects/pack/x.pack', 'wb')\n", encoding="utf-8")
    (root / "publish" / "sneaky.py").write_text("import subprocess\nsubprocess.run(('git', 'log'))\n", encoding="utf-8")
    found = layout_violations(str(root))
    assert "repo.sneaky runs git: only repo/gitio/ touches Git" in found
    assert any(f.startswith("repo.sneaky names Git's object store") for f in found)
    assert "publish.sneaky runs git: only repo/gitio/ touches Git" in found
    assert not any(f.startswith("repo.gitio") for f in found)


def test_the_checker_catches_a_circle_and_a_long_module(tmp_path):
    root = _copy(tmp_path)
    (root / "publish" / "ping.py").write_text("from . import pong\n", encoding="utf-8")
    (root / "publish" / "pong.py").write_text("from .ping import x\n" + "y = 1\n" * MAX_LINES, encoding="utf-8")
    found = layout_violations(str(root))
    assert "import circle: publish.ping -> publish.pong" in found
    assert f"publish.pong has {MAX_LINES + 1} lines (at most {MAX_LINES})" in found


def test_python_dash_m_and_the_old_hook_path_still_work():
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "shouwen", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "check" in r.stdout
    from shouwen.mkdocs_hook import on_config, on_files, on_post_build   # agencies made before the layout
    from shouwen.publish import hook
    assert (on_config, on_files, on_post_build) == (hook.on_config, hook.on_files, hook.on_post_build)
