"""The 事件记录 column of the 首问登记簿 in Chinese, one line per event, read back exactly (pure).

    2026年11月27日 10:05｜李明（J005）｜转办｜至：审核办证科（approvals）；承办人：黄丽（J010）

The seconds are written where the event has them (`10:05:08`: every event a desk writes with no `--at`).
A text holding a line break, ｜ or ；, or starting with “ or a space, goes in Chinese quotes with those escaped
(`附注：“转办\n说明”`, `\｜`, `\；`, `\“`, `\”`, `\\`, other line-breaking characters as `\u2028`), so a line of
the cell is always one event; a quoted value always holds an escape or an edge space, so a text an older export
wrote in quotes (`内容：“好的”`) reads as it stands. An event this form still cannot carry exactly (a fraction
of a second, another time zone, a field of its own) is written as one line of YAML, which reads back too.
An older export wrote a text's line breaks raw; its lines that start no event are read as the text going on.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from ..core import safeyaml
from ..core.canonical import EVENT_KEY_ORDER
from ..core.fold import ACTION_ZH
from ..core.quote import quoted
from ..core.record import CST, event_line, to_datetime

FIELDS = {"to": "至", "staff": "承办人", "approver": "批准人", "due": "办结期限", "materials": "材料",
          "answer": "答复", "reason": "理由", "message": "留言", "result": "结果", "method": "方式",
          "score": "评分", "comment": "意见", "text": "内容", "note": "附注", "given_by": "评价人",
          "review": "复查决定", "late_reason": "补录理由"}
LABELS = {v: k for k, v in FIELDS.items()}
ACTIONS = {v: k for k, v in ACTION_ZH.items()}
_TIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2}):(\d{2})(?::(\d{2}))?$")
_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日$")
_REF = re.compile(r".*（([A-Za-z0-9_-]+)）$")
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")    # raw, not YAML or a line break
_ESCAPE = re.compile("[\\\\｜；“”\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_NEEDS_QUOTES = re.compile("[｜；\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_QUOTED = re.compile(r"“((?:[^\\”]|\\.)*)”(?=；|\Z)", re.S)
_ESCAPES = re.compile(r"(?:[^\\]|\\(?:[nr\\｜；“”]|u[0-9a-f]{4}))*", re.S)
_STARTS = re.compile(r"\s*\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}(?::\d{2})?｜|\{")


def _quote(v: str) -> str:
    """A text as it goes in the cell: in Chinese quotes, escaped, where it would break the line or a separator."""
    if not (_NEEDS_QUOTES.search(v) or v.startswith("“") or v != v.strip()):
        return v
    named = {"\n": "\\n", "\r": "\\r", "\\": "\\\\", "｜": "\\｜", "；": "\\；", "“": "\\“", "”": "\\”"}
    return "“" + _ESCAPE.sub(lambda m: named.get(m.group()) or f"\\u{ord(m.group()):04x}", v) + "”"


def _unquote(inner: str) -> str:
    def one(m):
        c = m.group(1)
        return {"n": "\n", "r": "\r"}.get(c) or (chr(int(c[1:], 16)) if len(c) == 5 else c)
    return re.sub(r"\\(u[0-9a-f]{4}|.)", one, inner, flags=re.S)


def _items(detail: str):
    """(label, value) of each item of `内容`: a value in quotes (_quote) unescaped, else up to the next `；`."""
    pos = 0
    while pos < len(detail):
        end = detail.find("；", pos)
        end = len(detail) if end < 0 else end
        colon = detail.find("：", pos, end)
        if colon < 0:
            if end > pos:
                yield detail[pos:end], ""
            pos = end + 1
            continue
        q = _QUOTED.match(detail, colon + 1)
        if q and _ESCAPES.fullmatch(q.group(1)) and ("\\" in q.group(1) or q.group(1) != q.group(1).strip()):
            yield detail[pos:colon], _unquote(q.group(1))
            pos = q.end() + 1
            continue
        if "｜" in detail[colon + 1:end]:
            raise ValueError("应为 时间｜经办人｜事件｜内容 四段")
        yield detail[pos:colon], detail[colon + 1:end]
        pos = end + 1


def _value(key, v, ev, rules) -> str:
    if key in ("to", "staff", "approver") and not (key == "to" and ev.get("action") == "delivered"):
        return f"{rules.who(v)}（{v}）" if v in rules.departments else rules.who(v)
    if key == "due":
        return f"{v.year}年{v.month}月{v.day}日"
    if key == "materials":
        return "、".join(map(str, v))
    if key == "given_by" and v == "visitor":
        return "群众"
    return _quote(v) if isinstance(v, str) else str(v)


def format_event(ev: dict, rules) -> str:
    at = to_datetime(ev.get("at")).astimezone(CST)
    detail = "；".join(f"{FIELDS[k]}：{_value(k, v, ev, rules)}" for k, v in ev.items() if k in FIELDS)
    clock = f"{at:%H:%M:%S}" if at.second else f"{at:%H:%M}"
    return "｜".join([f"{at.year}年{at.month}月{at.day}日 {clock}", rules.who(ev.get("by")),
                     ACTION_ZH.get(ev.get("action"), ""), detail])


def parse_event(line: str) -> dict:
    """A Chinese line back to its event; raises ValueError when it is not one."""
    parts = line.split("｜", 3)
    if len(parts) != 4:
        raise ValueError("应为 时间｜经办人｜事件｜内容 四段")
    when, who, action, detail = parts
    m = _TIME.match(when.strip())
    by = _REF.match(who.strip())
    if not m or not by or action.strip() not in ACTIONS:
        raise ValueError(f"时间、经办人或事件不对：{line[:40]}")
    try:
        at = datetime(*(int(g) for g in m.groups() if g is not None), tzinfo=CST)
    except ValueError:                  # `2026年2月30日`, 29:30: not in Python's words
        raise ValueError(f"时间{quoted(when.strip())}不是有效的日期和时刻") from None
    ev = {"at": at, "by": by.group(1), "action": ACTIONS[action.strip()]}
    for label, v in _items(detail):
        key = LABELS.get(label)
        if key is None:
            raise ValueError(f"不认识的内容{quoted(label)}")
        if key in ("to", "staff", "approver") and not (key == "to" and ev["action"] == "delivered"):
            ref = _REF.match(v)
            if not ref:
                raise ValueError(f"{label}{quoted(v)}应写作 名称（编号）")
            ev[key] = ref.group(1)
        elif key == "due":
            dm = _DAY.match(v)
            if not dm:
                raise ValueError(f"办结期限{quoted(v)}应写作 2026年12月4日")
            try:
                ev[key] = date(*map(int, dm.groups()))
            except ValueError:
                raise ValueError(f"办结期限{quoted(v)}不是有效的日期") from None
        elif key == "materials":
            ev[key] = v.split("、")
        elif key == "score":
            if not (v.strip().isdecimal() and len(v.strip()) < 3):
                raise ValueError(f"评分{quoted(v, 20)}应为 1 到 5 的整数")
            ev[key] = int(v)
        elif key == "given_by":
            ev[key] = "visitor" if v == "群众" else v
        else:
            ev[key] = v
    return ev


def _same(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(to_datetime(a[k]) == to_datetime(b[k]) if k == "at" else a[k] == b[k] for k in a)


def _one_line(ev: dict) -> str:
    """The event as YAML on one line: the record file's form, or (where YAML would fold a text over lines)
    every text double-quoted with its line breaks escaped (JSON's escapes are YAML's, and \\u for what JSON leaves)."""
    line = event_line(ev)
    if len(line.splitlines()) == 1:
        return line

    def text(v):
        return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(v, ensure_ascii=False))

    def value(v):
        if isinstance(v, str):
            return text(v)
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return "[" + ", ".join(map(text, v)) + "]"
        return event_line({"v": v})[4:-1]
    ordered = [k for k in EVENT_KEY_ORDER if k in ev] + [k for k in ev if k not in EVENT_KEY_ORDER]
    return "{" + ", ".join(f"{event_line({k: 0})[1:-4]}: {value(ev[k])}" for k in ordered) + "}"


def event_cell(events: list, rules) -> str:
    lines = []
    for ev in events:
        line = None
        try:
            line = format_event(ev, rules)
            if line != line.strip() or len(line.splitlines()) != 1 or not _same(parse_event(line), ev):
                line = None
        except (ValueError, AttributeError, TypeError, KeyError):
            line = None
        lines.append(line or _one_line(ev))
    return "\n".join(lines)


def event_chunks(cell: str) -> list[str]:
    """The cell's events, one a line; a line that starts none (an older export's text going on over lines)
    belongs to the event above it, its line break kept."""
    chunks = []
    for line in cell.splitlines(keepends=True):
        if chunks and not _STARTS.match(line):
            chunks[-1] += line
        elif line.strip():
            chunks.append(line)
    return [c.strip() for c in chunks]


def read_event(line: str) -> dict:
    """One event of the column: the Chinese form, or one line of YAML; raises ValueError."""
    if not line.startswith("{"):
        return parse_event(line)
    try:
        ev = safeyaml.load(line)        # the one bounded loader, its errors in Chinese (PyYAML's are English)
    except safeyaml.LoadError as e:
        raise ValueError(f"无法解析：{e}") from None
    if not isinstance(ev, dict):
        raise ValueError("应为 时间｜经办人｜事件｜内容")
    return ev
