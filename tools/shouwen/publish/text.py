"""Small helpers shared by the page modules: lists, the department tree, windows. Pure."""
from __future__ import annotations

from ..core.departed import still_here


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class Data(dict):
    """A mapping from a rules file for a template: a key the file leaves out reads as empty, so
    an optional field needs no guard in every template (an unknown *variable* is still an error)."""

    def __missing__(self, key):
        return ""

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        value = self[key]
        return Data(value) if isinstance(value, dict) and not isinstance(value, Data) else value


def dept_tree(rules) -> list[tuple[int, object]]:
    """Departments in tree order with their depth."""
    out = []

    def walk(parent, depth):
        for d in rules.departments.values():
            if d.parent == parent:
                out.append((depth, d))
                walk(d.id, depth + 1)
    walk(None, 0)
    return out


def classified(rules) -> bool:
    """涉密单位（S2 第三条：设立首问责任人公示牌，涉密单位除外）：nobody is shown by name and badge,
    on the board, a department's page, the lobby screen or paper."""
    return bool(rules.institution.get("classified"))


def head_on(rules, d, today) -> tuple[object | None, bool]:
    """(the 科室's head as the public reads it on `today`, whether the post is vacant): after the last day
    (`left:`) of the head the rules still name, no one, and the pages say 待定 until a successor is named."""
    s = rules.staff.get(d.head) if d.head else None
    if s is not None and not still_here(s, today):
        return None, True
    return s, False


def public_staff(rules):
    return [] if classified(rules) else [s for s in rules.staff.values() if s.public]


def windows(rules, dept_id: str | None = None) -> list[dict]:
    """The institution's windows (of one department): name, the badges seated there, and those
    of them shown on the public board."""
    out = []
    for w in rules.institution.get("windows") or []:
        if not isinstance(w, dict) or (dept_id is not None and w.get("department") != dept_id):
            continue
        badges = [b for b in as_list(w.get("staff")) if isinstance(b, str)]
        out.append({"id": w.get("id"), "name": str(w.get("name") or w.get("id") or ""), "department": w.get("department"),
                    "badges": badges, "staff": [] if classified(rules) else
                    [rules.staff[b] for b in badges if b in rules.staff and rules.staff[b].public]})
    return out
