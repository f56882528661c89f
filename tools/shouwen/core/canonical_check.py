"""Is a record file in the canonical form (DESIGN §9)? The writer's serialisation is the only one allowed.

A record file is canonical when its bytes are exactly what `record.dump` writes for the data it
parses to. Any other layout (other indentation, block-style events, a comment, a duplicate key
whose last value wins) is `record-noncanonical`: the audit and the fast reader trust a record's
bytes only because no other form may reach the ledger. `shouwen fmt` rewrites such files.
"""
from __future__ import annotations

import sys

from .problems import Problem
from .record import Record, dump

CODE = "record-noncanonical"


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        super().__init__(key)
        self.key, self.line = key, line


def _strict_load(text: str):
    """Only used to explain a file already found non-canonical: libyaml keeps the last duplicate silently
    (PyYAML is imported here, not for every canonical record)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, (str, int, float, bool)) and key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line)
                seen.add(key)
            return super().construct_mapping(node, deep)
    return yaml.load(text, Loader=StrictLoader)


def _yaml_error(e: Exception) -> bool:
    """A PyYAML error (none can happen unless PyYAML was imported to dump or load something)."""
    yaml = sys.modules.get("yaml")
    return yaml is not None and isinstance(e, yaml.YAMLError)


def _first_difference(have: str, want: str) -> tuple[int, str]:
    a, b = have.split("\n"), want.split("\n")
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1, x
    n = min(len(a), len(b))
    return n + 1, a[n] if n < len(a) else ""


def canonical_text(rec: Record) -> str:
    return dump(rec.meta, rec.body)


def check_canonical(rec: Record, data: bytes) -> Problem | None:
    """None when `data` is exactly the writer's form of `rec` (parsed from `data`), else the problem."""
    if rec.problems:
        return None                      # unreadable: reported by the parse itself
    try:
        want = canonical_text(rec)
    except Exception as e:
        if isinstance(e, (TypeError, ValueError, AttributeError, OverflowError, IndexError, KeyError)) or _yaml_error(e):
            return None                  # a value of the wrong shape: the typed checks report it by name
        raise
    try:
        have = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if have == want:
        return None
    where = dict(path=rec.path, record=rec.id)
    end = have.find("\n---", 3)
    try:
        _strict_load(have[3:end] if end > 0 else have)
    except _DuplicateKey as e:
        return Problem(CODE, f"头信息第 {e.line + 1} 行重复了键 {e.key}（只有最后一个生效，前面的内容被隐藏）；"
                       "请运行 shouwen fmt 改写为规范格式并核对内容", field=str(e.key), **where)
    except Exception as e:
        if not (isinstance(e, (ValueError, OverflowError, TypeError, RecursionError)) or _yaml_error(e)):
            raise
        # not YAML this loader reads (2026-02-30, deep nesting): reported elsewhere
    if have.startswith("\ufeff"):
        why = "文件开头有 BOM"
    elif "\r\n" in have:
        why = "使用了 Windows 换行（CRLF）"
    else:
        line, text = _first_difference(have, want)
        shown = text.strip()
        why = f"第 {line} 行与规范格式不同" + (f"：{shown[:60]}" if shown else "")
    return Problem(CODE, f"记录不是 shouwen 写出的规范格式（{why}）；手工改动、注释、重复的键或其他排版都不允许，"
                   "请运行 shouwen fmt", **where)
