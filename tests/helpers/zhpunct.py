"""GB/T 15834 in Chinese text: ASCII ,:;()!? beside a CJK character should be full width.

`hits` finds them (the punctuation test); run as a script, it rewrites them in place in Python
string literals, Jinja/HTML/Markdown templates and YAML values (`python tests/helpers/zhpunct.py FILE…`).
"""
import glob
import html.parser
import io
import os
import re
import sys
import tokenize

import yaml

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK = re.compile(f"[{CJK}]")
FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


def _neighbour(text, i, step):
    j = i + step
    while 0 <= j < len(text) and text[j] in " \t":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def _pairs(text):
    stack, out = [], {}
    for i, c in enumerate(text):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            o = stack.pop()
            out[o] = i
    return out


def hits(text):
    """Offsets of ASCII punctuation used in Chinese text."""
    found = set()
    for o, c in _pairs(text).items():
        if o > 0 and text[o - 1] == "]":
            continue                                   # a Markdown link: [名称](url)
        inner = text[o + 1:c]
        if _CJK.search(inner) or _CJK.match(_neighbour(text, o, -1)) or _CJK.match(_neighbour(text, c, 1)):
            found |= {o, c}
    paired = set(_pairs(text)) | set(_pairs(text).values())
    for i, ch in enumerate(text):
        if ch in "()" and i not in paired and (_CJK.match(_neighbour(text, i, -1)) or _CJK.match(_neighbour(text, i, 1))):
            found.add(i)
        if ch in ",:;!?" and (_CJK.match(_neighbour(text, i, -1)) or _CJK.match(_neighbour(text, i, 1))):
            # 12:30 and URLs stay; a colon between digits is a time
            if ch == ":" and i + 1 < len(text) and text[i + 1] in "/":
                continue
            if _yaml_syntax(text, i):
                continue
            found.add(i)
    return sorted(found)


_KEY_AFTER = re.compile(r",\s*[A-Za-z_][\w-]*:\s")


def _yaml_syntax(text, i):
    """`key: 值` and `{a: 值, b: …}` are YAML written in a string, not prose."""
    if text[i] == ":":
        return i > 0 and re.match(r"[A-Za-z0-9_\]\}\"']", text[i - 1]) is not None and text[i + 1:i + 2] in (" ", "\n", "")
    if text[i] == ",":
        return _KEY_AFTER.match(text, i) is not None
    return False


def mask_braces(text, jinja=False):
    """Same-length text with {...} (f-string) or {{ }}/{% %} (jinja) parts blanked to NUL."""
    out = list(text)
    if jinja:
        for m in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", text, re.S):
            for k in range(m.start(), m.end()):
                out[k] = "\0"
        return "".join(out)
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if depth == 0 and text.startswith("{{", i) or depth == 0 and text.startswith("}}", i):
            i += 2; continue
        if c == "{":
            depth += 1
        if depth:
            out[i] = "\0"
        if c == "}" and depth:
            depth -= 1
        i += 1
    return "".join(out)


def english(text):
    """Prose mostly in English (a docstring naming Chinese terms), not Chinese text."""
    return len(re.findall(r"[A-Za-z]", text)) > 2 * len(_CJK.findall(text))


def fix_text(text, masked):
    if AGGRESSIVE and _CJK.search(masked):
        masked = masked.replace("\0", "\u4e00")     # a placeholder in Chinese text holds Chinese
    hs = hits(masked)
    if not hs:
        return text
    chars = list(text)
    for i in hs:
        chars[i] = FULL[chars[i]]
        # eat spaces beside the new mark
    s = set(hs)
    res = []
    for i, c in enumerate(chars):
        if c in " \t":
            # drop a space right before/after a converted mark (not before an opening paren? yes both)
            j = i - 1
            while j >= 0 and chars[j] in " \t": j -= 1
            k = i + 1
            while k < len(chars) and chars[k] in " \t": k += 1
            after_mark = j in s and chars[j] != "（"
            before_mark = k in s and chars[k] != "）"
            if (after_mark and chars[j] != "）") or (before_mark and chars[k] != "（"):
                continue
        res.append(c)
    return "".join(res)


def fix_python(src):
    toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    lines = src.splitlines(keepends=True)
    offs = [0]
    for l in lines:
        offs.append(offs[-1] + len(l))
    edits = []
    prev = None
    for t in toks:
        before = prev
        if t.type not in (tokenize.COMMENT, tokenize.NL):
            prev = t.type
        if t.type != tokenize.STRING:
            continue
        s = t.string
        m = re.match(r"([rRbBuUfF]*)('''|\"\"\"|'|\")", s)
        prefix, q = m.group(1), m.group(2)
        if "b" in prefix.lower() or "r" in prefix.lower():      # bytes, and regular expressions
            continue
        if before in (None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING) and english(s):
            continue                                             # an English docstring naming Chinese terms
        body = s[len(prefix) + len(q):-len(q)]
        masked = mask_braces(body) if "f" in prefix.lower() else body
        new = fix_text(body, masked)
        if new != body:
            a = offs[t.start[0] - 1] + t.start[1]
            b = offs[t.end[0] - 1] + t.end[1]
            edits.append((a, b, prefix + q + new + q))
    for a, b, n in reversed(edits):
        src = src[:a] + n + src[b:]
    return src, len(edits)


def fix_markup(text):
    masked = mask_braces(text, jinja=True)
    # leave <script>/<style> alone
    for m in re.finditer(r"<(script|style)\b.*?</\1>", text, re.S):
        masked = masked[:m.start()] + "\0" * (m.end() - m.start()) + masked[m.end():]
    new = fix_text(text, masked)
    return new, int(new != text)


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k); yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def fix_yaml_values(text, data):
    n = 0
    for s in set(strings(data)):
        new = fix_text(s, s)
        if new == s:
            continue
        for a, b in zip(s.split("\n"), new.split("\n")):
            if a != b and a in text:
                text = text.replace(a, b); n += 1
    return text, n


def fix_file(path):
    if not path.endswith((".py", ".yml", ".yaml", ".md", ".j2", ".html")):
        return 0                                   # scripts and styles: their strings are fixed by hand
    src = open(path, encoding="utf-8").read()
    if path.endswith(".py"):
        new, n = fix_python(src)
    elif path.endswith((".yml", ".yaml")):
        new, n = fix_yaml_values(src, yaml.safe_load(src))
    elif path.endswith(".md") and src.startswith("---\n"):
        head, body = src[4:].split("\n---\n", 1)
        h, n1 = fix_yaml_values(head, yaml.safe_load(head))
        b, n2 = fix_markup(body)
        new, n = "---\n" + h + "\n---\n" + b, n1 + n2
    else:
        new, n = fix_markup(src)
    if new != src:
        open(path, "w", encoding="utf-8").write(new)
    return n


class _PageText(html.parser.HTMLParser):
    """What a visitor reads of a page: its text and title/alt/aria-label/placeholder, not scripts, styles or code."""
    def __init__(self):
        super().__init__()
        self.skip, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "code", "pre")
        self.parts += [v for k, v in attrs if k in ("title", "alt", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "code", "pre") and self.skip > 0

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def site_hits(out):
    """`page: text` for every text of a built site's pages with ASCII punctuation beside Chinese."""
    bad = set()
    for path in sorted(glob.glob(os.path.join(out, "**", "*.html"), recursive=True)):
        p = _PageText()
        with open(path, encoding="utf-8") as fh:
            p.feed(fh.read())
        bad |= {f"{os.path.relpath(path, out)}: {t.strip()[:60]}" for t in p.parts if hits(t)}
    return sorted(bad)


AGGRESSIVE = False

if __name__ == "__main__":
    if sys.argv[1:2] == ["--placeholders-are-chinese"]:
        AGGRESSIVE = True
        sys.argv.pop(1)
    # python tests/helpers/zhpunct.py FILE…: rewrite the ASCII punctuation of Chinese text in place
    tot = 0
    for p in sys.argv[1:]:
        n = fix_file(p)
        if n:
            print(n, p)
        tot += n
    print("total", tot)
