"""Markdown snippets shared by the page modules. Pure."""
from __future__ import annotations

from html import escape


def md_list(items) -> str:
    return "\n".join(f"- {escape(str(i))}" for i in items or []) or "- （无）"


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]
