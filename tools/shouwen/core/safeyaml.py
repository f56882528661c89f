"""The one YAML loader for records and rules (pure): libyaml's safe loader, bounded.

A file is data typed by a person, or by an attacker through a clone: a malformed date
(`2026-02-30`) stays a string for the validator to name as `field-invalid` instead of crashing
the loader; aliases beyond a small count (the "billion laughs" bomb) and the tags no record needs
(`!!binary`, `!!set`, …) are refused; every other failure of the loader is a `LoadError`.
"""
from __future__ import annotations

from .yaml_zh import explain

MAX_ALIASES = 20        # a hand-written rules file may reuse an anchor or two; a bomb needs thousands
MAX_BYTES = 1 << 20     # a record is a few KB; a rules file of the largest agency well under this
MAX_INT_TEXT = 64       # a number no record or rule needs: past 4,300 digits Python can neither read nor print it


class LoadError(ValueError):
    """The text is not YAML we read; `message` is Chinese, with the line and column when known."""


_LOADER: list = []


def _loader():
    """The loader class, made on first use: PyYAML is imported only when libyaml has something to read (the
    writer's own form is read by core.canonical, and the rules come from their cache)."""
    if _LOADER:
        return _LOADER[0]
    import yaml

    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def _timestamp(loader, node):
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)   # "2026-02-30": the validator names the field

    def _int(loader, node):
        if len(node.value) > MAX_INT_TEXT:
            return loader.construct_scalar(node)   # 999…9 (5,000 digits), 0xfff…: text, for the validator to name
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)

    def _refused(loader, node):
        raise yaml.constructor.ConstructorError(None, None, f"不支持的 YAML 类型 {node.tag}", node.start_mark)

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    _Loader.add_constructor("tag:yaml.org,2002:int", _int)
    for tag in ("binary", "set", "omap", "pairs"):
        _Loader.add_constructor(f"tag:yaml.org,2002:{tag}", _refused)
    _LOADER.append(_Loader)
    return _Loader


def _count_aliases(text: str) -> int:
    import yaml
    n = 0
    for ev in yaml.parse(text, Loader=_loader()):
        if isinstance(ev, yaml.AliasEvent):
            n += 1
            if n > MAX_ALIASES:
                break
    return n


def load(text: str):
    """YAML text -> plain data (dict, list, str, int, float, bool, None, date, datetime)."""
    if len(text) > MAX_BYTES:
        raise LoadError(f"文件过大（{len(text)} 字符，上限 {MAX_BYTES}）")
    import yaml
    try:
        if "*" in text and _count_aliases(text) > MAX_ALIASES:
            raise LoadError(f"YAML 别名（*）超过 {MAX_ALIASES} 个，拒绝读取")
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as e:
        raise LoadError(f"YAML 格式错误，{explain(e)}") from None
    except (ValueError, OverflowError, TypeError, RecursionError) as e:
        if isinstance(e, LoadError):
            raise
        raise LoadError(f"YAML 无法读取：{e}") from None
