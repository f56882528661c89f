"""One typed validation layer (pure): the shape every value read from a record, a rules file, a
spreadsheet or an argument must have.

A spec checks one value and returns it, or DROP with a coded problem (`field-invalid`) naming the
file and the field; nothing after this layer ever meets a value of the wrong type. Rules files are
cleaned (a bad value is dropped, its default applies); records are only reported, never rewritten.
Text is checked for links and markup a page must not carry (`javascript:`, `<script>`, `on…=`).
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime

from .problems import Problem
from .quote import quoted

DROP = object()
MAX_TEXT = 20000
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
_SCHEME = re.compile(r"(?:\]\(\s*<?|<|\bhref\s*=\s*[\"']?|\bsrc\s*=\s*[\"']?)\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")
_BAD_SCHEME = re.compile(r"\b(?:javascript|vbscript|data|file)\s*:", re.I)
_BAD_MARKUP = re.compile(r"<\s*/?\s*(?:script|iframe|object|embed|style|link|meta|base|form)\b|<[^>]*\son\w+\s*=", re.I)
# bidi embeddings, overrides and isolates (U+202A-E, U+2066-9) count as control characters: invisible, they
# turn a name or a matter around on the screen (`张\u202e三` shows `张三` reversed) and have no use in these texts
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_UNDECODED = re.compile(r"[\ud800-\udfff]")    # bytes that were not UTF-8 (a terminal in GBK)
# what Str.check refuses in a text, in one search: a control character or undecoded byte; a line break too in a line
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NOT_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_text(s: str) -> str | None:
    """Why a text may not reach a page, or None: a link other than http(s)/mailto/tel/relative, or active markup."""
    for m in _SCHEME.finditer(s):
        if m.group(1).lower() not in ALLOWED_SCHEMES:
            return f"链接只能是 http（s）、mailto、tel 或相对地址，不能是 {m.group(1)}:"
    if _BAD_SCHEME.search(s):
        return "不能含 javascript：、data: 等链接"
    if _BAD_MARKUP.search(s):
        return "不能含 <script> 等可执行的网页标记"
    return None


class Spec:
    zh = "值"

    def check(self, v, where: str, out: list):
        raise NotImplementedError

    def bad(self, v, where, out, why=None):
        out.append((where, why or f"应为{self.zh}，实为{quoted(v)}"))
        return DROP

    def fine(self, v) -> bool:
        """Whether `check` finds nothing wrong with `v`: a record's values are all fine but for a rare one,
        so they are asked this first, which builds no value and no message."""
        out: list = []
        self.check(v, "", out)
        return not out


class Str(Spec):
    def __init__(self, line: bool = False, max_len: int = MAX_TEXT, blank: bool = False, markdown: bool = True,
                 zh: str | None = None):
        # markdown: the text becomes part of a page as Markdown (rules), where raw HTML passes through;
        # a record's values are data, escaped wherever they are shown, so they may hold any characters
        self.line, self.max_len, self.blank, self.markdown = line, max_len, blank, markdown
        self._fine: set[str] = set()     # texts found fine (badges, actions, places recur in every record)
        self.zh = zh or ("一行文字" if line else "文字")

    def check(self, v, where, out):
        if isinstance(v, (int, float)) and not isinstance(v, bool) and not self.line:
            v = str(v)          # 份数: 2, 收费: 0 … read as text where text is expected
        if not isinstance(v, str):
            return self.bad(v, where, out)
        if not self.blank and not v.strip():
            return self.bad(v, where, out, "不能为空白")
        if len(v) > self.max_len:
            return self.bad(v, where, out, f"过长（{len(v)} 字，上限 {self.max_len}）")
        if self.line and ("\n" in v or "\r" in v):
            return self.bad(v, where, out, "应为一行，不能换行")
        if _CONTROL.search(v):
            return self.bad(v, where, out, "含不可见的控制字符")
        if _UNDECODED.search(v):
            return self.bad(v, where, out, "含无法识别的字符（输入不是 UTF-8 编码，请检查终端的编码设置）")
        why = unsafe_text(v) if self.markdown else None
        return self.bad(v, where, out, why) if why else v

    def fine(self, v) -> bool:
        if type(v) is not str:
            return super().fine(v)      # a number read as text, or a wrong value: the full check decides
        if v in self._fine:
            return True
        if len(v) > self.max_len or not self.blank and not v.strip():
            return False
        if (_NOT_LINE if self.line else _NOT_TEXT).search(v):
            return False
        if self.markdown and unsafe_text(v):
            return False
        if len(self._fine) < 20_000:
            self._fine.add(v)
        return True


class Phone(Str):
    """A phone number as people write it: digits (full-width too), spaces, + - ( ) and 转/分机/ext."""
    _SHAPE = re.compile(r"[0-9０-９+＋()（）\-－—\s　./转分机extEXT]{3,40}")

    def __init__(self):
        super().__init__(line=True, max_len=40, markdown=False, zh="带引号的电话号码（以免丢失开头的 0）")

    def check(self, v, where, out):
        got = super().check(v, where, out)
        if got is not DROP and not self._SHAPE.fullmatch(got):
            return self.bad(v, where, out, f"电话号码只能含数字、空格和加号、连字符、括号，实为{quoted(v)}")
        return got

    def fine(self, v) -> bool:
        return super().fine(v) and (type(v) is not str or self._SHAPE.fullmatch(v) is not None)


class Int(Spec):
    def __init__(self, lo: int = 0, hi: int = 10 ** 6):
        self.lo, self.hi = lo, hi
        self.zh = f"{lo} 到 {hi} 的整数"

    def check(self, v, where, out):
        if isinstance(v, bool) or not isinstance(v, int) or not self.lo <= v <= self.hi:
            return self.bad(v, where, out)
        return v

    def fine(self, v) -> bool:
        return not isinstance(v, bool) and isinstance(v, int) and self.lo <= v <= self.hi


class Num(Spec):
    def __init__(self, lo: float = 0.0, hi: float = 1.0):
        self.lo, self.hi = lo, hi
        self.zh = f"{lo} 到 {hi} 的数"

    def check(self, v, where, out):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not self.lo <= v <= self.hi:
            return self.bad(v, where, out)
        return v


class Bool(Spec):
    zh = "true 或 false"

    def check(self, v, where, out):
        return v if isinstance(v, bool) else self.bad(v, where, out)


class Day(Spec):
    zh = "日期 YYYY-MM-DD"

    def check(self, v, where, out):
        if isinstance(v, str):
            try:
                v = date.fromisoformat(v)
            except ValueError:
                return self.bad(v, where, out)
        if isinstance(v, datetime):         # YAML reads `2026-10-31 17:30` itself: said in Chinese, not its repr
            return self.bad(v, where, out, f"应为{self.zh}：只写日期不写时间（实为 {v.year}年{v.month}月{v.day}日 "
                                           f"{v:%H:%M}）")
        if not isinstance(v, date):
            return self.bad(v, where, out)
        if not 1900 <= v.year <= 2999:
            return self.bad(v, where, out, f"应为{self.zh}：年份应在1900年至2999年之间（实为 {v.year}年）")
        return v


class Time(Spec):
    zh = "带时区的时间，如 2026-11-27T09:32:00+08:00"

    def check(self, v, where, out):
        if not isinstance(v, datetime) or not 1970 <= v.year <= 2999:
            return self.bad(v, where, out)
        try:
            v.timestamp()
        except (OverflowError, ValueError, OSError):
            return self.bad(v, where, out)
        return v


class List(Spec):
    def __init__(self, item: Spec, max_items: int = 100000):
        self.item, self.max_items = item, max_items
        self.zh = f"{item.zh}的列表"

    def check(self, v, where, out):
        if not isinstance(v, list):
            return self.bad(v, where, out)
        if len(v) > self.max_items:
            return self.bad(v, where, out, f"过长（{len(v)} 项，上限 {self.max_items}）")
        kept = [self.item.check(x, f"{where}[{i}]", out) for i, x in enumerate(v)]
        return [x for x in kept if x is not DROP]

    def fine(self, v) -> bool:
        return isinstance(v, list) and len(v) <= self.max_items and all(self.item.fine(x) for x in v)


class Dict(Spec):
    """A mapping whose keys are data (phones by label, a calendar by year)."""

    def __init__(self, key: Spec, value: Spec):
        self.key, self.value = key, value
        self.zh = f"{key.zh}到{value.zh}的映射"

    def check(self, v, where, out):
        if not isinstance(v, dict):
            return self.bad(v, where, out)
        kept = {}
        for k, x in v.items():
            ck = self.key.check(k, f"{where}.{k}", out)
            cx = self.value.check(x, f"{where}.{k}", out) if ck is not DROP else DROP
            if cx is not DROP:
                kept[ck] = cx
        return kept


class Map(Spec):
    """A mapping with named fields; fields it does not name pass through unchecked (other parts own them)."""
    zh = "键值映射"

    def __init__(self, fields: dict, required: tuple = ()):
        self.fields, self.required = fields, required

    def check(self, v, where, out):
        if not isinstance(v, dict):
            return self.bad(v, where, out)
        kept = {}
        for k, x in v.items():
            spec = self.fields.get(k) if isinstance(k, str) else None
            if spec is None:
                kept[k] = x
                continue
            if x is None:
                continue
            cx = spec.check(x, f"{where}.{k}" if where else k, out)
            if cx is not DROP:
                kept[k] = cx
        return kept

    def fine(self, v) -> bool:
        if not isinstance(v, dict):
            return False
        field = self.fields.get
        for k, x in v.items():
            spec = field(k) if isinstance(k, str) else None
            if spec is not None and x is not None and not spec.fine(x):
                return False
        return True


class OneOf(Spec):
    def __init__(self, *specs: Spec):
        self.specs = specs
        self.zh = "或".join(s.zh for s in specs)

    def check(self, v, where, out):
        for s in self.specs:
            trial: list = []
            got = s.check(v, where, trial)
            if got is not DROP and not trial:
                return got
        return self.bad(v, where, out)


def clean(value, spec: Spec, path: str, problems: list, record: str | None = None, where: str = ""):
    """`value` checked against `spec`: the cleaned value (DROP when it is wrong as a whole), with one
    `field-invalid` problem per wrong value appended to `problems`."""
    found: list = []
    got = spec.check(value, where, found)
    for field, msg in found:
        problems.append(Problem("field-invalid", msg, path=path, record=record, field=field or None))
    return got
