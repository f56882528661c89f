"""What a built site must not hold: a reference to another host (an intranet in mainland China
reaches none), or a visitor's or complainant's personal data. Read from the output as text,
independently of the build's own guard."""
import glob
import os
import re

import yaml

ATTR = re.compile(r'(?:src|href|srcset|action|poster|data)\s*=\s*["\']?\s*(?:https?:)?//', re.I)
CSS_URL = re.compile(r'url\(\s*["\']?(?:https?:)?//|@import\s+["\']?(?:https?:)?//', re.I)
CDN = re.compile(r'unpkg\.com|jsdelivr|cdnjs|googleapis|gstatic|googletagmanager|google-analytics|baidu\.com/hm', re.I)


def _texts(out):
    for dirpath, _, files in os.walk(out):
        for f in files:
            if not f.endswith(".map"):
                full = os.path.join(dirpath, f)
                yield f, full, open(full, encoding="utf-8", errors="replace").read()


def external_refs(out) -> list[str]:
    """The files of `out` that name another host where a browser would fetch it."""
    bad = []
    for f, full, text in _texts(out):
        if (f.endswith((".html", ".svg")) and ATTR.search(text)) or (f.endswith((".css", ".html")) and CSS_URL.search(text)) \
                or (f.endswith((".js", ".html", ".css", ".json")) and CDN.search(text)):
            bad.append(os.path.relpath(full, out))
    return bad


def personal_values(repo) -> set[str]:
    """Every visitor's and complainant's name, phone, address and organization in repo/records/."""
    values = set()
    for path in glob.glob(os.path.join(repo, "records", "**", "*.md"), recursive=True):
        text = open(path, encoding="utf-8").read()
        meta = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        for who in ("visitor", "complainant"):
            person = (meta or {}).get(who)
            if isinstance(person, dict):
                values |= {str(v) for k, v in person.items() if k in ("name", "phone", "address", "organization") and v}
    return values


def leaks(out, values, published=()) -> list[str]:
    """(file, value) for each personal value found in a text file of `out`; staff names, which are
    published on purpose, are left out (a visitor may share one)."""
    values = {v for v in values if len(v) >= 2 and v not in set(published)}
    return [f"{os.path.relpath(full, out)}: {v}" for _, full, text in _texts(out) for v in values if v in text]
