"""GB/T 15834: Chinese text uses full-width ，：；（）、 — no ASCII punctuation beside a CJK character
in the package's messages, its templates and the hand-written site pages (the built site: test_site)."""
import glob
import io
import os
import re
import sys
import tokenize

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "helpers"))
import zhpunct  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(REPO, "tools", "shouwen")


def _show(path, text, hits):
    i = hits[0]
    return f"{os.path.relpath(path, REPO)}: …{text[max(0, i - 15):i + 15]}…"


def python_strings(path):
    yield from source_strings(open(path, encoding="utf-8").read())


# between two literals that print as one text: nothing (implicit concatenation), `+`, an opening parenthesis
_JOINS = {tokenize.NL, tokenize.COMMENT}


def source_strings(src):
    """Every string literal a user may read: not bytes, not regular expressions, not English docstrings.
    Literals printed as one text ("a" "b", "a" + ("b" if x else "")) are scanned as one."""
    prev = None
    run, last = [], None
    for t in tokenize.generate_tokens(io.StringIO(src).readline):
        before = prev
        if t.type not in (tokenize.COMMENT, tokenize.NL):
            prev = t.type
        if t.type != tokenize.STRING:
            if t.type in _JOINS or (t.type == tokenize.OP and t.string in ("+", "(")):
                continue
            if run:
                yield "".join(run)
            run = []
            continue
        prefix = t.string[:len(t.string) - len(t.string.lstrip("rRbBuUfF"))].lower()
        if "b" in prefix or "r" in prefix:
            if run:
                yield "".join(run)
            run = []
            continue
        if before in (None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) and zhpunct.english(t.string):
            continue
        body = t.string[len(prefix):]
        quote = 3 if body[:3] in ('"""', "'''") else 1
        body = body[quote:-quote]
        run.append(zhpunct.mask_braces(body) if "f" in prefix else body)
    if run:
        yield "".join(run)


def test_the_scan_finds_what_it_must():
    assert zhpunct.hits("地址:示例市") and zhpunct.hits("上午 8:30—12:00,下午") and zhpunct.hits("工号(J005)不在")
    assert not zhpunct.hits("地址：示例市，下午 14:30") and not zhpunct.hits("http://127.0.0.1:8000/ （本机）")
    assert not zhpunct.hits("{badge: J017, name: 李明, title: 科员}")       # YAML written in a string
    # one printed line written as several literals: implicit concatenation, and `+ (… if … else …)`
    joined = list(source_strings('echo(f"打开 http://127.0.0.1:8000/ ;"\n     "大厅打开 /kiosk/")\n'
                                 'echo(f"{n} 个警告" +\n     (f"({s})" if s else ""))\n'))
    assert [bool(zhpunct.hits(t)) for t in joined] == [True, True, False], joined


def test_messages_in_the_package_use_chinese_punctuation():
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "**", "*.py"), recursive=True)):
        for text in python_strings(path):
            hits = zhpunct.hits(text)
            if hits:
                bad.append(_show(path, text, hits))
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])


def test_strings_in_the_sites_script_use_chinese_punctuation():
    import re
    bad = []
    for path in glob.glob(os.path.join(PACKAGE, "templates", "site", "*.js")):
        for text in re.findall(r'"[^"\n]*"|\'[^\'\n]*\'', open(path, encoding="utf-8").read()):
            if zhpunct.hits(text):
                bad.append(_show(path, text, zhpunct.hits(text)))
    assert bad == [], "\n".join(bad)


def test_templates_and_pages_use_chinese_punctuation():
    bad = []
    files = [p for p in glob.glob(os.path.join(PACKAGE, "templates", "**", "*"), recursive=True)
             if p.endswith((".j2", ".html", ".md", ".yml")) and "/ci/" not in p]
    files += [p for p in glob.glob(os.path.join(REPO, "site", "**", "*.md"), recursive=True)]
    files += glob.glob(os.path.join(PACKAGE, "desk", "templates", "*.html"))
    for path in sorted(files):
        text = open(path, encoding="utf-8").read()
        if path.endswith(".yml") or text.startswith("---\n"):
            head = text[4:].split("\n---\n", 1)[0] if text.startswith("---\n") else text
            for s in zhpunct.strings(yaml.safe_load(head)):
                if zhpunct.hits(s):
                    bad.append(_show(path, s, zhpunct.hits(s)))
            text = text[4:].split("\n---\n", 1)[1] if text.startswith("---\n") else ""
        masked = zhpunct.mask_braces(text, jinja=True)
        for m in re.finditer(r"<(script|style)\b.*?</\1>|<!--.*?-->", masked, re.S):   # code and comments
            masked = masked[:m.start()] + "\0" * (m.end() - m.start()) + masked[m.end():]
        hits = zhpunct.hits(masked)
        if hits:
            bad.append(_show(path, masked, hits))
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])


def test_commit_subjects_people_read_in_git_log_use_chinese_punctuation():
    """A subject is put together from an id and the matter, which the scan of literals can't see joined."""
    from shouwen.repo.writer import inquiry_subject
    assert zhpunct.hits(inquiry_subject("20261102-J005-001", "咨询再生育审批")) == []


def test_the_comments_an_office_reads_in_its_rules_use_chinese_punctuation():
    """rules/*.yml are edited by the office: their comments are Chinese text too."""
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "templates", "**", "*.yml"), recursive=True)):
        for n, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
            m = re.search(r"(^|\s)#", line)
            if m and zhpunct.hits(line[m.end() - 1:]):
                bad.append(f"{os.path.relpath(path, REPO)}:{n}: {line.strip()[:60]}")
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])


def test_the_notes_an_office_reads_in_its_page_templates_use_chinese_punctuation():
    """A page template's {# … #} note tells the office what it may use when it overrides the page in
    site/overrides/: Chinese text an office reads, so Chinese punctuation too."""
    bad = []
    for path in sorted(glob.glob(os.path.join(PACKAGE, "templates", "site", "pages", "*.md"))):
        for m in re.finditer(r"\{#-?(.*?)-?#\}", open(path, encoding="utf-8").read(), re.S):
            if zhpunct.hits(m.group(1)):
                bad.append(_show(path, m.group(1), zhpunct.hits(m.group(1))))
    assert bad == [], f"{len(bad)} 处：\n" + "\n".join(bad[:40])
