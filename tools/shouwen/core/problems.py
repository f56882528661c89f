"""Problems found by the checks: a stable code, where it is, and a Chinese message.

Every check in shouwen returns a list of these; nothing raises for a user's mistake.
"""
from __future__ import annotations

import re

from dataclasses import asdict, dataclass, fields
from dataclasses import field as dc_field

ERROR = "error"
WARNING = "warning"

# code -> (family, default severity); the README documents each one.
CODES: dict[str, tuple[str, str]] = {
    # record
    "yaml-invalid": ("record", ERROR),
    "encoding": ("record", ERROR),
    "field-missing": ("record", ERROR),
    "field-invalid": ("record", ERROR),
    "field-unknown": ("record", ERROR),
    "id-duplicate": ("record", ERROR),
    "id-path-mismatch": ("record", ERROR),
    "event-order": ("record", ERROR),
    "event-conflict": ("record", WARNING),   # two desks acted at once (two forwards): resolve with an event
    "file-invalid": ("record", ERROR),       # not a regular file, a symlink, or too large to be a record
    "clock-skew": ("record", ERROR),         # an event stamped ahead of the clock that checks it
    "internal-error": ("record", ERROR),     # a bug of ours met this record: reported, never a traceback
    "record-noncanonical": ("record", ERROR),
    "lookup-rounds-other": ("record", WARNING),   # a key derived with other rounds than the rules': derived again
    "phone-undialable": ("record", WARNING),      # a phone no one can call back (core.phones); the desk refuses one
    # reference
    "staff-unknown": ("reference", ERROR),
    "department-unknown": ("reference", ERROR),
    "service-unknown": ("reference", ERROR),
    "inquiry-unknown": ("reference", ERROR),
    "staff-left": ("reference", ERROR),        # an event by or naming someone after their last day (`left`)
    "handover-needed": ("reference", WARNING),  # an open matter still held by someone who has left
    # deadline
    "forward-late": ("deadline", ERROR),
    "accept-late": ("deadline", ERROR),
    "promise-missing": ("deadline", ERROR),
    "promise-exceeds-limit": ("deadline", ERROR),
    "overdue": ("deadline", ERROR),
    "extension-late": ("deadline", ERROR),
    "verdict-late": ("deadline", ERROR),
    "followup-late": ("deadline", ERROR),
    "calendar-uncovered": ("deadline", WARNING),
    "suspend-exceeded": ("deadline", WARNING),
    # rules
    "rules-invalid": ("rules", ERROR),
    "lookup-rounds-weak": ("rules", WARNING),   # lookup keys derived with fewer rounds than the default
    # ladder
    "ladder-invalid": ("ladder", ERROR),
    "sanction-mismatch": ("ladder", ERROR),
    "policy-expired": ("ladder", ERROR),
    "sanction-missing": ("ladder", WARNING),
    # roles (core.roles): who may do what, in rules/policy.yml `permissions`
    "role-forbidden": ("role", ERROR),
    "conflict-of-interest": ("role", ERROR),
    # privacy
    "pii-leak": ("privacy", ERROR),
}


CONTRACT_KEYS = frozenset(("code", "severity", "record", "path", "field", "message"))


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    path: str | None = None
    record: str | None = None
    field: str | None = None
    severity: str = ""
    extra: dict = dc_field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        if not self.severity:
            object.__setattr__(self, "severity", CODES.get(self.code, ("", ERROR))[1])

    def as_json(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        d.update(extra)
        # DESIGN §6: the contract's keys are always there (null where a rules file has no record or field)
        return {k: v for k, v in d.items() if v is not None or k in CONTRACT_KEYS}

    def line(self) -> str:
        """One line for a terminal: severity, code, file, record, field, message."""
        return line_of(problem_values(self))


PROBLEM_FIELDS = tuple(f.name for f in fields(Problem))


def problem_values(p: Problem) -> tuple:
    """A problem as plain values (what the index and repo.summary keep: read back far faster than objects)."""
    d = p.__dict__
    return tuple(d[n] for n in PROBLEM_FIELDS)


def problem_from(values) -> Problem:
    """problem_values back into a Problem, without running its constructor."""
    p = object.__new__(Problem)
    p.__dict__.update(zip(PROBLEM_FIELDS, values))
    return p


# Control characters and bidirectional overrides, shown as escapes: a name or a value with a carriage return, an
# ANSI sequence or a right-to-left override could otherwise rewrite what a reviewer's terminal shows of a line.
_HIDDEN = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in
           [*range(0x20), *range(0x7f, 0xa0), *range(0x202a, 0x202f), *range(0x2066, 0x206a), 0x200e, 0x200f, 0x61c]}
_HIDDEN.update({0x0d: "\\r", 0x0a: "\\n", 0x09: "\\t"})


_HIDDEN_ONE = re.compile("[%s]" % "".join(re.escape(chr(c)) for c in sorted(_HIDDEN)))


def visible(text: str) -> str:
    """`text` with every control character and direction override as a visible escape (`\\r`, `\\u202e`)."""
    # searched for first: translating a line of Chinese through the table costs 6 µs, and check prints thousands
    return text.translate(_HIDDEN) if _HIDDEN_ONE.search(text) else text


def line_of(values) -> str:
    """Problem.line() of problem_values (a kept check prints thousands: no Problem made for each)."""
    code, message, where, record, field, severity = values[:6]
    if not where:
        where = ""
    if record:
        where = f"{where} [{record}]" if where else f"[{record}]"
    if field:
        where = f"{where} 字段 {field}" if where else f"字段 {field}"
    label = "错误" if severity == ERROR else "警告"
    return visible(f"{label} {code}：{where}：{message}" if where else f"{label} {code}：{message}")


def errors(problems) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


class InputError(Exception):
    """A user's mistake found before anything is written: the CLI prints it and exits 2."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class NotFound(InputError):
    """No record has this id (or it can be none): the desk page answers 404 where a broken record is 422."""


def os_reason(e: OSError) -> str:
    """Why a file could not be read or written, in the user's words (the system's own are English)."""
    import errno
    return {errno.ENOENT: "文件或目录不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
            errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "只读文件系统",
            errno.EISDIR: "这是一个目录", errno.ENOTDIR: "路径中有一段不是目录", errno.ENAMETOOLONG: "文件名过长",
            errno.EEXIST: "已经存在", errno.EBUSY: "正被占用", errno.EFBIG: "文件过大", errno.EMFILE: "打开的文件过多",
            errno.EINVAL: "名称或参数无效", errno.ELOOP: "符号链接循环", errno.EIO: "磁盘读写出错",
            errno.EADDRINUSE: "端口已被其他程序占用", errno.EADDRNOTAVAIL: "本机没有这个地址",
            }.get(e.errno, f"系统错误 {errno.errorcode.get(e.errno, e.errno)}" if e.errno else "无法读写")
