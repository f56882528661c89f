"""A record on disk: Markdown with YAML front matter (DESIGN §3), parsed and written.

Parsing never raises: a broken file becomes a Record with `problems` set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from . import safeyaml
from .canonical import EVENT_KEY_ORDER, flow_value, head_lines, load_header, scalar
from .problems import Problem

CST = timezone(timedelta(hours=8))  # Asia/Shanghai has no daylight saving time
MAX_RECORD_BYTES = 256 * 1024      # a record is a few KB; anything near this is not one
# How the reader hands `parse` a file that is not a record (a symlink, a device, far too large): these bytes
# and the reason, so every read path (the store, the index, the writer) reports it the same way.
UNREADABLE = b"\0shouwen-unreadable\0"


def unreadable(why: str) -> bytes:
    return UNREADABLE + why.encode("utf-8")


@dataclass
class Record:
    path: str
    meta: dict
    body: str = ""
    problems: list[Problem] = field(default_factory=list)
    # `record-noncanonical` when the bytes are not the writer's form (core.canonical_check), set by the reader
    noncanonical: Problem | None = None

    @property
    def id(self) -> str | None:
        rid = self.meta.get("id") if isinstance(self.meta, dict) else None
        return rid if isinstance(rid, str) else None

    @property
    def events(self) -> list:
        ev = self.meta.get("events") if isinstance(self.meta, dict) else None
        return ev if isinstance(ev, list) else []

    @property
    def kind(self) -> str:
        parts = self.path.split("/")
        return parts[1] if len(parts) > 1 else ""


def parse(path: str, data: bytes) -> Record:
    """Bytes of one record file -> Record (pure)."""
    return read(path, data)[0]


def read(path: str, data: bytes) -> tuple[Record, bool]:
    """parse, and whether the bytes are known to be exactly what `dump` writes for the record: the fast reader
    took the header (it takes only the writer's form), with the writer's opening and closing lines and body
    ending. Then the canonical check need not write the record again to compare; False says nothing."""
    guess = path.rsplit("/", 1)[-1][:-3] if path.endswith(".md") else None
    if data.startswith(UNREADABLE):
        why = data[len(UNREADABLE):].decode("utf-8", "replace")
        return Record(path, {}, "", [Problem("file-invalid", f"{why}；已跳过", path=path, record=guess)]), False
    if len(data) > MAX_RECORD_BYTES:
        return Record(path, {}, "", [Problem("file-invalid", f"文件过大（{len(data)} 字节，上限 {MAX_RECORD_BYTES}），不是一件记录",
                                            path=path, record=guess)]), False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Record(path, {}, "", [Problem("encoding", f"文件不是 UTF-8 编码（第 {e.start} 字节），请另存为 UTF-8",
                                            path=path, record=guess)]), False
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return Record(path, {}, text, [Problem("yaml-invalid", "文件须以 --- 开头的 YAML 头信息开始",
                                              path=path, record=guess)]), False
    end = text.find("\n---", 3)
    if end < 0:
        return Record(path, {}, "", [Problem("yaml-invalid", "YAML 头信息缺少结尾的 ---", path=path, record=guess)]), False
    # the writer's own form is read by the fast reader; anything else (or anything it doubts) by libyaml
    meta = load_header(text[4:end]) if text.startswith("---\n") else None
    exact = meta is not None
    if meta is None:
        try:
            meta = safeyaml.load(text[3:end])
        except safeyaml.LoadError as e:
            return Record(path, {}, "", [Problem("yaml-invalid", str(e), path=path, record=guess)]), False
    nl = text.find("\n", end + 4)
    body = text[nl + 1:] if nl >= 0 else ""
    if not isinstance(meta, dict):
        return Record(path, {}, body, [Problem("yaml-invalid", "YAML 头信息应为键值映射", path=path, record=guess)]), False
    exact = (exact and data.startswith(b"---\n") and text[end - 1] != "\n" and text.startswith("\n---\n", end)
             and (not body or body.endswith("\n")))    # no BOM, no blank line before the writer's closing line
    return Record(path, meta, body), exact


# --- time values ---------------------------------------------------------------------

YEARS = range(1900, 3000)     # a date outside these is a typing mistake, and near year 9999 arithmetic overflows


def to_datetime(v) -> datetime | None:
    """An event time as an aware datetime; naive times are taken as Asia/Shanghai. None when it is not one."""
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError:
            return None
    if not isinstance(v, datetime):
        return None
    d = v if v.tzinfo else v.replace(tzinfo=CST)
    # within YEARS no offset (under a day) carries a time past Python's calendar, as 9999-12-31T23:59:59-14:00
    return d if d.year in YEARS else None


_TYPED = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                    r"(?:(?:\s+|\s*T\s*|(?<=日))(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?)?\Z")


def _typed(text):
    """(date, hour, minute) of 2026年11月3日 09:30, 2026/11/3 9:30, 2026-11-03 (hour None), as a clerk types them
    (an IME's full-width digits and colon too); None when it is none of these or no such day."""
    import unicodedata
    m = _TYPED.match(unicodedata.normalize("NFKC", str(text)).strip()) if isinstance(text, str) else None
    if m is None:
        return None
    y, mo, d, h, mi = m.groups()
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if day.year not in YEARS or (h is not None and not (int(h) < 24 and int(mi) < 60)):
        return None
    return day, (None if h is None else int(h)), (None if mi is None else int(mi))


def typed_trouble(text) -> str | None:
    """Why a text written as a day (or a day and a time) is none: no such day, a year outside YEARS, no such
    time; None when it is not written as one at all (then its form is what is wrong)."""
    import unicodedata
    m = _TYPED.match(unicodedata.normalize("NFKC", str(text)).strip()) if isinstance(text, str) else None
    if m is None:
        return None
    y, mo, d, h, mi = (None if g is None else int(g) for g in m.groups())
    if y not in YEARS:
        return f"年份应在{YEARS.start}年至{YEARS.stop - 1}年之间"
    if not 1 <= mo <= 12:
        return f"没有 {mo} 月"
    try:
        date(y, mo, d)
    except ValueError:
        return f"{y}年{mo}月没有{d}日"
    if h is not None and not (h < 24 and mi < 60):
        return f"没有 {h:02d}:{mi:02d} 这个时刻，应在 00:00 至 23:59 之间"
    return None


def typed_day(text) -> date | None:
    """A day as a clerk types it: 2026-11-29, 2026/11/29, 2026.11.29 or 2026年11月29日."""
    t = _typed(text)
    return t[0] if t is not None and t[1] is None else to_date(text) if isinstance(text, str) else None


def typed_moment(text) -> datetime | None:
    """A moment as a clerk types it (Beijing time unless it says otherwise): ISO, or 2026年11月3日 09:30."""
    d = to_datetime(text)
    t = _typed(text) if d is None else None
    if t is not None and t[1] is not None:
        d = datetime(t[0].year, t[0].month, t[0].day, t[1], t[2], tzinfo=CST)
    return d


def to_date(v) -> date | None:
    if isinstance(v, str):
        try:
            v = date.fromisoformat(v)
        except ValueError:
            return None
    if isinstance(v, datetime) or not isinstance(v, date) or v.year not in YEARS:
        return None
    return v


def zh_moment(at: datetime) -> str:
    """A moment as people read it: 2026年11月2日 09:30 (Beijing time)."""
    at = at.astimezone(CST)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def local_day(at: datetime) -> date:
    return at.astimezone(CST).date()



def _event_day(ev) -> date | None:
    at = to_datetime(ev.get("at")) if isinstance(ev, dict) else None
    return None if at is None else local_day(at)


def as_it_stood(rec: Record, day: date) -> Record:
    """The record as it stood at the end of `day` (Beijing time): its events up to that day, so whatever is
    judged from it (a bulletin mid-quarter) is what it was on that day. An event whose time can't be read
    stays, and is named as it always is. The record itself when `last_day(rec)` is not after `day`."""
    events = rec.events
    kept = [ev for ev in events if (d := _event_day(ev)) is None or d <= day]
    if len(kept) == len(events):
        return rec
    return Record(rec.path, {**rec.meta, "events": kept}, rec.body, rec.problems, rec.noncanonical)


def last_day(rec: Record) -> date | None:
    """The latest day of an event time that can be read (None: none can)."""
    return max(filter(None, map(_event_day, rec.events)), default=None)

# --- writing ---------------------------------------------------------------------------

def _yaml_dump(obj, flow: bool) -> str:
    """PyYAML's emitter, for what core.canonical can't write itself (imported only then)."""
    import yaml
    dumper = getattr(_yaml_dump, "dumper", None)
    if dumper is None:
        class dumper(yaml.SafeDumper):
            pass
        dumper.add_representer(datetime, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat()))
        _yaml_dump.dumper = dumper
    return yaml.dump(obj, Dumper=dumper, allow_unicode=True, default_flow_style=flow, width=1 << 20, sort_keys=False)


def _flow(obj) -> str:
    # Dumped inside a one-item list: a bare scalar would come back with a "..." end marker.
    return _yaml_dump([obj], True).strip()[1:-1]


def _flow_value(v) -> str:
    # Times stay plain scalars (YAML timestamps): PyYAML would quote and tag them in flow style.
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return _flow(v)


def event_line(ev: dict) -> str:
    ordered = [k for k in EVENT_KEY_ORDER if k in ev] + [k for k in ev if k not in EVENT_KEY_ORDER]
    return "{" + ", ".join(f"{scalar(k, True) or _flow(k)}: {flow_value(ev[k]) or _flow_value(ev[k])}"
                           for k in ordered) + "}"


def dump(meta: dict, body: str = "") -> str:
    """Record text: block-style header, one flow-style line per event (diffs stay one line per event)."""
    head = {k: v for k, v in meta.items() if k != "events"}
    out = ["---"]
    if head:
        fast = head_lines(head)     # what PyYAML would write, without running its emitter
        if fast is None:
            fast = [_yaml_dump(head, False).rstrip("\n")]
        out.extend(fast)
    if "events" in meta:
        out.append("events:")
        for ev in meta["events"]:
            out.append(f"  - {event_line(ev)}")
    out.append("---")
    text = "\n".join(out) + "\n"
    if body:
        text += body if body.endswith("\n") else body + "\n"
    return text
