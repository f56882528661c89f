"""Which type YAML 1.1 gives a plain scalar (pure): PyYAML's implicit resolvers, without importing PyYAML.

The fast reader and writer of the canonical form (core.canonical) ask this of every plain value; importing
PyYAML for it cost a write about a tenth of its CPU, although the writer's own form never needs the
loader or the emitter. The table is PyYAML's own (yaml/resolver.py, MIT licence), in its order; a test
holds it equal to the installed PyYAML's `Resolver.yaml_implicit_resolvers`.
"""
from __future__ import annotations

import re

STR_TAG = "tag:yaml.org,2002:str"

_TABLE = (
    ("tag:yaml.org,2002:bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, "yYnNtTfFoO"),
    ("tag:yaml.org,2002:float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, "-+0123456789."),
    ("tag:yaml.org,2002:int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, "-+0123456789"),
    ("tag:yaml.org,2002:merge", r'^(?:<<)$', 0, "<"),
    ("tag:yaml.org,2002:null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:timestamp", r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, "0123456789"),
    ("tag:yaml.org,2002:value", r'^(?:=)$', 0, "="),
    ("tag:yaml.org,2002:yaml", r'^(?:!|&|\*)$', 0, "!&*"),
)

# first character -> [(tag, compiled pattern)], as Resolver.add_implicit_resolver builds it
IMPLICIT: dict[str, list] = {}
for _tag, _pattern, _flags, _first in _TABLE:
    _regexp = re.compile(_pattern, _flags)
    for _ch in _first:
        IMPLICIT.setdefault(_ch, []).append((_tag, _regexp))


def resolve(value: str) -> str:
    """The tag PyYAML's Resolver().resolve(ScalarNode, value, (True, False)) gives a plain scalar."""
    for tag, regexp in IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return STR_TAG
