"""Bad inputs through the real CLI (issue 11): a corpus of distinct malformed records, rules files and
arguments. Each asserts exit 2 or a coded problem, never a traceback, and that nothing was written
where a command refused (HEAD, index and work tree byte-identical). One bad record or rule never
stops the other commands: `list` still answers, and a write to another record still goes through.

`make test` runs a seeded sample (the seed is in the run's header); `make stress` runs every input.
"""
import os
import random
from dataclasses import dataclass, field

import pytest

from robust.harness import R1, R2, REC, SEED, problems_of, report
from shouwen.core.problems import CODES


# --- the corpus --------------------------------------------------------------------------

BAD_VALUES = {
    "list": "[a, b]", "mapping": "{a: b}", "int": "5", "negative": "-1", "huge int": "99999999999999999999",
    "inf": ".inf", "nan": ".nan", "null": "null", "bool": "true", "feb 30": "2026-02-30", "month 13": "2026-13-40",
    "end of time": "9999-12-31T23:59:59-14:00", "year 1": "0001-01-01T00:00:00+08:00", "binary": "!!binary aGVsbG8=",
    "set": "!!set {a, b}", "empty": "''", "blank": "'   '", "newline": '"a\\nb"', "control": '"a\\u0007b"',
    "javascript link": "'[点我](javascript:alert(1))'", "script": "'<script>alert(1)</script>'",
    "long": "'" + "长" * 30000 + "'", "date": "2026-11-02", "float": "3.5",
}
# (slot name, the text in the record to replace, which values apply)
SLOTS = [
    ("id", "id: 20261102-J005-001", "id: {}"),
    ("code", "code: CODE", "code: {}"),
    ("channel", "channel: visit", "channel: {}"),
    ("first_responder", "first_responder: J005", "first_responder: {}"),
    ("visitor.name", "name: 张三", "name: {}"),
    ("visitor.phone", "phone: '13800000000'", "phone: {}"),
    ("matter", "matter: 咨询再生育审批", "matter: {}"),
    ("service", "service: birth-permit", "service: {}"),
    ("events[0].at", "{at: 2026-11-02T09:30:00+08:00, by: J005, action: registered}",
     "{{at: {}, by: J005, action: registered}}"),
    ("events[1].by", "by: J005, action: forwarded", "by: {}, action: forwarded"),
    ("events[2].action", "by: J014, action: accepted", "by: J014, action: {}"),
    ("events[1].to", "to: family", "to: {}"),
    ("events[1].staff", "staff: J014", "staff: {}"),
]
# values that are fine in some slots (a date where a string is expected is still wrong; a string id is not)
HARMLESS = {("events[0].at", "date"), ("service", "null"), ("events[1].staff", "null"), ("visitor.phone", "null")} | {
    (slot, v) for slot in ("visitor.name", "visitor.phone", "matter") for v in ("feb 30", "month 13")}  # text, as typed

STRUCTURAL = {
    "events ints": lambda t: t.split("events:")[0] + "events: [1, 2]\n---\n",
    "events mapping": lambda t: t.split("events:")[0] + "events: {a: b}\n---\n",
    "events string": lambda t: t.split("events:")[0] + "events: 登记\n---\n",
    "events empty": lambda t: t.split("events:")[0] + "events: []\n---\n",
    "no events": lambda t: t.split("events:")[0] + "---\n",
    "meta a list": lambda t: "---\n- a\n- b\n---\n",
    "meta a string": lambda t: "---\n只有一句话\n---\n",
    "empty file": lambda t: "",
    "no front matter": lambda t: "张三来访\n",
    "unclosed front matter": lambda t: t.rsplit("---", 1)[0],
    "duplicate key": lambda t: t.replace("matter:", "matter: 甲\nmatter:", 1),
    "tab indent": lambda t: t.replace("  name:", "\tname:"),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "bom": lambda t: "\ufeff" + t,
    "deep nesting": lambda t: t.replace("matter: 咨询再生育审批", "matter: " + "[" * 5000 + "]" * 5000),
    "alias bomb": lambda t: t.replace("matter: 咨询再生育审批", "matter: 咨询\nx0: &a0 [a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))),
    "few aliases": lambda t: t.replace("matter: 咨询再生育审批", "matter: &m 咨询\nnote2: *m"),
    "unknown field": lambda t: t.replace("matter:", "secret: 1\nmatter:"),
    "non-string key": lambda t: t.replace("matter:", "5: x\nmatter:"),
    "complex key": lambda t: t.replace("matter:", "? [a, b]\n: x\nmatter:"),
    "event as list": lambda t: t.replace("{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}", "[1, 2]"),
    "event missing at": lambda t: t.replace("{at: 2026-11-02T11:00:00+08:00, by: J014, action: accepted}",
                                            "{by: J014, action: accepted}"),
    "events out of order": lambda t: t.replace("2026-11-02T11:00:00", "2026-11-01T11:00:00"),
    "python tag": lambda t: t.replace("matter: 咨询再生育审批", "matter: !!python/object/apply:os.system [ls]"),
    "unknown tag": lambda t: t.replace("matter: 咨询再生育审批", "matter: !foo bar"),
    "visitor a list": lambda t: t.replace("visitor:\n  name: 张三\n  phone: '13800000000'", "visitor: [张三]"),
    "visitor empty": lambda t: t.replace("visitor:\n  name: 张三\n  phone: '13800000000'", "visitor: {}"),
}
RAW = {    # bytes or file kinds that are not text at all
    "not utf-8": lambda t: t.replace("张三", "ZS").encode("utf-8").replace(b"ZS", "张三".encode("gbk")),
    "nul bytes": lambda t: t.encode("utf-8").replace(b"matter", b"mat\x00ter"),
    "huge record": lambda t: (t.rstrip("\n") + "\n" + "正文" * 400000 + "\n").encode("utf-8"),
}
LINKS = {"symlink to /dev/zero": "/dev/zero", "dangling symlink": "nowhere/at/all.md",
         "symlink to a secret": "/etc/passwd"}


# Odd but readable inputs a record may hold: the commands must still never crash on them, but `check`
# has nothing to say (text is data, escaped wherever it is shown; a BOM or CRLF reads the same).
ACCEPTED = {"record bom", "record crlf"} | {f"record {slot} = {v}" for slot in ("visitor.name", "matter")
                                           for v in ("script", "javascript link")}


def record_cases() -> dict:
    cases = {}
    for slot, old, new in SLOTS:
        for vname, value in BAD_VALUES.items():
            if (slot, vname) not in HARMLESS:
                cases[f"record {slot} = {vname}"] = ("text", old, new.format(value))
    for name, fn in STRUCTURAL.items():
        cases[f"record {name}"] = ("fn", fn)
    for name, fn in RAW.items():
        cases[f"record {name}"] = ("raw", fn)
    for name, target in LINKS.items():
        cases[f"record {name}"] = ("link", target)
    return cases


RULES_CASES = {
    "calendar feb 30": ("rules/calendar.yml", None, "holidays: [2026-02-30]\n"),
    "calendar scalar": ("rules/calendar.yml", None, "holidays: 2026-12-01\n"),
    "calendar year x": ("rules/calendar.yml", None, "years: {2027: x}\n"),
    "calendar year key": ("rules/calendar.yml", None, "years: {二〇二七: {holidays: []}}\n"),
    "calendar list": ("rules/calendar.yml", None, "- 2026-12-01\n"),
    "calendar alias bomb": ("rules/calendar.yml", None, "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &b{i} [{', '.join(['*a' if i == 0 else f'*b{i - 1}'] * 8)}]\n" for i in range(8))),
    "policy expires feb 30": ("rules/policy.yml", "expires: 2030-12-31", "expires: 2030-02-30"),
    "policy huge limit": ("rules/policy.yml", "forward_limit: 2", "forward_limit: 99999999999"),
    "policy limit text": ("rules/policy.yml", "forward_limit: 2", "forward_limit: 两天"),
    "policy limit negative": ("rules/policy.yml", "forward_limit: 2", "forward_limit: -2"),
    "policy chain a string": ("rules/policy.yml", "escalation_chain: [staff, head, deputy, director]",
                              "escalation_chain: staff"),
    "policy weights sum": ("rules/policy.yml", "满意度: 0.2}", "满意度: 0.5}"),
    "policy weights text": ("rules/policy.yml", "满意度: 0.2}", "满意度: 很高}"),
    "policy effective after expires": ("rules/policy.yml", "effective: 2026-01-01", "effective: 2031-01-01"),
    "policy bad rating 9": ("rules/policy.yml", "bad: [1, 2]", "bad: [9]"),
    "policy scale keys": ("rules/policy.yml", "scale: {5: 非常满意", "scale: {五: 非常满意"),
    "policy satisfaction list": ("rules/policy.yml", "bad: [1, 2]", "bad: 差"),
    "policy ladder text": ("rules/policy.yml", "kind: count", "kind: [count]"),
    "policy signing text": ("rules/policy.yml", "required: false", "required: 是"),
    "institution idle x": ("rules/institution.yml", "name: 示例市政务服务局\n", "name: 示例市政务服务局\nkiosk: {idle_seconds: x}\n"),
    "institution phones list": ("rules/institution.yml", "phones:\n  总机: 0935-2210000", "phones:\n  - 0935-2210000\nx:\n  总机: 0935-2210000"),
    "institution name list": ("rules/institution.yml", "name: 示例市政务服务局\n", "name: [示例]\n"),
    "institution js link": ("rules/institution.yml", "website: 本单位政务公开网站", "website: '[官网](javascript:alert(1))'\nold_website: 本单位政务公开网站"),
    "institution script": ("rules/institution.yml", "hours: 周一至周五", "hours: <script>alert(1)</script>周一至周五"),
    "institution window stranger": ("rules/institution.yml", "staff: [J005, J006]", "staff: [J005, J999]"),
    "institution departments string": ("rules/institution.yml", "departments:\n", "departments: 无\nold_departments:\n"),
    "institution top list": ("rules/institution.yml", None, "- a\n- b\n"),
    "staff missing brace": ("rules/staff.yml", "}", ""),
    "staff not utf-8": ("rules/staff.yml", None, "staff: [{badge: J001, name: \udcff}]\n"),
    "staff badge list": ("rules/staff.yml", "badge: J005", "badge: [J005]"),
    "staff public text": ("rules/staff.yml", "public: true, window: W01", "public: 是, window: W01"),
    "staff emails string": ("rules/staff.yml", "emails: [j005@example.gov.cn]", "emails: 5"),
    "staff empty": ("rules/staff.yml", None, ""),
    "service materials string": ("rules/services/birth-permit.md", "申请材料:", "申请材料: 身份证\n旧材料:"),
    "service days text": ("rules/services/birth-permit.md", "法定办结时限:", "法定办结时限: 十\n旧时限:"),
    "service duplicate code": ("rules/services/birth-permit.md", "事项编码:", "事项编码: 620600-SL-CJ-0008\n旧编码:"),
    "service js link in body": ("rules/services/birth-permit.md", None, "APPEND:\n[办理](javascript:alert(1))\n"),
    "service script in body": ("rules/services/birth-permit.md", None, "APPEND:\n<script>alert(1)</script>\n"),
    "service no front matter": ("rules/services/birth-permit.md", None, "只有正文\n"),
    "service alias bomb": ("rules/services/birth-permit.md", "收费:", "x0: &a0 [a, a, a, a, a, a, a, a]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 8)}]\n" for i in range(1, 8)) + "收费:"),
}

ARG_CASES = {
    "new at year 1": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "0001-01-01"],
    "new at end of time": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "9999-12-31T23:59:59-14:00"],
    "new at future": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "2099-01-01T09:00"],
    "new at feb 30": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--at", "2026-02-30"],
    "new name spaces": ["--as", "J005", "new", "--name", "   ", "--matter", "咨询"],
    "new name not utf-8": ["--as", "J005", "new", "--name", "张\udcff", "--matter", "咨询"],
    "new name newline": ["--as", "J005", "new", "--name", "张\n三", "--matter", "咨询"],
    "new name control": ["--as", "J005", "new", "--name", "张\x07三", "--matter", "咨询"],
    "new name script": ["--as", "J005", "new", "--name", "<script>alert(1)</script>", "--matter", "咨询",
                        "--at", "2026-11-03T09:00"],
    "new matter huge": ["--as", "J005", "new", "--name", "甲", "--matter", "问" * 300000],
    "new matter newline": ["--as", "J005", "new", "--name", "甲", "--matter", "一\n二"],
    "new phone letters": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--phone", "\udcff"],
    "new service list": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--service", "[a]"],
    "new channel": ["--as", "J005", "new", "--name", "甲", "--matter", "咨询", "--channel", "fax"],
    "new unknown badge": ["--as", "J999", "new", "--name", "甲", "--matter", "咨询"],
    "new badge injection": ["--as", "J999\n", "new", "--name", "甲", "--matter", "咨询"],
    "note id traversal": ["--as", "J005", "note", "../../../etc/passwd", "--text", "x"],
    "note id spaces": ["--as", "J005", "note", " ", "--text", "x"],
    "note text blank": ["--as", "J005", "note", R2, "--text", "  "],
    "note text control": ["--as", "J005", "note", R2, "--text", "a\x00b"],
    "note at garbage": ["--as", "J005", "note", R2, "--text", "x", "--at", "昨天"],
    "note at before registration": ["--as", "J005", "note", R2, "--text", "x", "--at", "2026-10-01T09:00"],
    "promise due year 0": ["--as", "J014", "promise", R1, "--due", "0000-01-01"],
    "promise due end": ["--as", "J014", "promise", R1, "--due", "9999-12-31"],
    "promise days huge": ["--as", "J014", "promise", R1, "--days", "99999999999999999999"],
    "promise days negative": ["--as", "J014", "promise", R1, "--days", "-3"],
    "rate score huge": ["--as", "J005", "rate", R2, "--score", "99999999999999999999"],
    "rate score text": ["--as", "J005", "rate", R2, "--score", "五"],
    "forward to list": ["--as", "J005", "forward", R2, "--to", "[family]"],
    "extend approver blank": ["--as", "J014", "extend", R1, "--due", "2026-11-05", "--reason", "x", "--approver", " "],
    "bulletin year 0": ["bulletin", "0000Q1"],
    "bulletin year 9999": ["bulletin", "9999Q4"],
    "bulletin quarter 5": ["bulletin", "2026Q5"],
    "bulletin garbage": ["bulletin", "去年"],
    "review 0": ["review", "0"],
    "review huge": ["review", "99999"],
    "ladder negative": ["ladder", "-1"],
    "ladder huge": ["ladder", "99999999999999999999"],
    "list status nope": ["list", "--status", "nope"],
    "list from garbage": ["list", "--from", "2026-13-01"],
    "list today year 1": ["list", "--today", "0001-01-01"],
    "check today end": ["check", "--today", "9999-12-31"],
    "todo today garbage": ["todo", "--all", "--today", "明天"],
    "show id garbage": ["show", "x" * 5000],
    "export quarter garbage": ["export", "-o", "out.xlsx", "--quarter", "2026Q9"],
    "export to a folder": ["export", "-o", "records"],
    "import missing": ["--as", "J005", "import", "nowhere.xlsx"],
    "import not a sheet": ["--as", "J005", "import", "rules/policy.yml"],
    "demo size negative": ["demo", "--size", "-1", "demo-out"],
    "demo size huge": ["demo", "--size", "99999999999999999999", "demo-out"],
    "init bad template": ["init", "x", "--template", "castle"],
    "history garbage": ["history", "../x"],
    "receipt garbage": ["receipt", "../../etc/passwd"],
}


# --- the harness -------------------------------------------------------------------------

def _write_record(desk, case):
    full = os.path.join(desk.path, REC)
    text = desk.text.replace("code: CODE", f"code: {desk.code}")
    kind = case[0]
    if kind == "text":
        assert case[1].replace("CODE", desk.code) in text or case[1] in text, case
        data = text.replace(case[1].replace("CODE", desk.code), case[2], 1).encode("utf-8")
    elif kind == "fn":
        data = case[1](text).encode("utf-8")
    elif kind == "raw":
        data = case[1](text)
    else:
        os.unlink(full)
        os.symlink(case[1], full)
        return
    with open(full, "wb") as fh:
        fh.write(data)


@dataclass
class Outcome:
    """What one bad input did; the tests assert every field."""
    crashes: list                  # commands that raised, printed a traceback or 内部错误, or exited outside 0–3
    exit_code: int                 # `check`'s (a record, a rules file) or the command's (an argument)
    wanted: tuple                  # the exit codes that are right for it
    reported: bool                 # a coded problem in that file, or an 错误 line naming the fault
    unknown_codes: list = field(default_factory=list)   # problems with a code not in CODES, internal-error
    echoes: list = field(default_factory=list)          # a rules error echoed into records
    others_answer: bool = True     # `list` still answers, with the other record
    other_write: int = 0           # exit of a write to another record (0: one bad record stops nothing)
    unclear_refusals: int = 0      # a refused write without exit 2 and an 错误 line
    unexpected_writes: int = 0     # a refused write or command that changed HEAD, the index or the work tree


def _refused_write(desk, o, *args):
    before = desk.snapshot()
    w = desk.run(*args)
    if w.exit_code != 0:
        o.unclear_refusals += not (w.exit_code == 2 and "错误" in w.stderr)
        o.unexpected_writes += desk.snapshot() != before
    return w


def try_record(desk, name, case) -> Outcome:
    desk.reset(desk.base)
    _write_record(desk, case)
    desk.commit_all()
    r = desk.run("check", "--format", "json")
    probs = problems_of(r)
    mine = [p for p in probs if p.get("path") == REC and (p["code"], p.get("field")) not in desk.known]
    o = Outcome([], r.exit_code, (1,), bool(mine) or name in ACCEPTED,
                unknown_codes=[p["code"] for p in probs if p["code"] not in CODES or p["code"] == "internal-error"])
    listed = desk.run("list", "--format", "json")
    o.others_answer = listed.exit_code in (0, 1) and R2 in listed.stdout
    desk.run("todo", "--all")
    desk.run("show", R1)
    _refused_write(desk, o, "--as", "J005", "note", R1, "--text", "追加")
    o.other_write = desk.run("--as", "J005", "note", R2, "--text", "另一件照常").exit_code
    return o


def try_rules(desk, name, case) -> Outcome:
    path, old, new = case
    desk.reset(desk.base)
    full = os.path.join(desk.path, path)
    if os.path.islink(os.path.dirname(full)):
        pytest.skip("rules/ is a link")
    text = open(full, encoding="utf-8").read()
    if new.startswith("APPEND:\n"):
        text = text + new[len("APPEND:\n"):]
    elif old is None:
        text = new
    else:
        assert old in text, (name, old)       # the corpus itself: the text it replaces is there
        text = text.replace(old, new, 1)
    with open(full, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(text)
    desk.commit_all()
    r = desk.run("check", "--format", "json")
    probs = problems_of(r)
    o = Outcome([], r.exit_code, (1,), any(p.get("path") == path for p in probs),
                unknown_codes=[p["code"] for p in probs if p["code"] not in CODES or p["code"] == "internal-error"],
                echoes=[p for p in probs if p["code"] in ("staff-unknown", "department-unknown", "service-unknown")])
    o.others_answer = desk.run("list").exit_code in (0, 1)
    desk.run("todo", "--all")
    w = _refused_write(desk, o, "--as", "J005", "note", R2, "--text", "规则有错时")
    o.other_write = 0 if w.exit_code in (0, 2) else w.exit_code      # broken rules may refuse a write, clearly
    return o


def try_args(desk, name, args, tmp) -> Outcome:
    desk.reset(desk.base)
    before = desk.snapshot()
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        r = desk.run(*args)
    finally:
        os.chdir(cwd)
    if name == "argument new name script":    # a name is data: stored as typed, escaped wherever it is shown
        return Outcome([], r.exit_code, (0,), True)
    return Outcome([], r.exit_code, (2,), "错误" in r.stderr, unexpected_writes=int(desk.snapshot() != before))


ALL = {**{n: ("record", c) for n, c in record_cases().items()},
       **{f"rules {n}": ("rules", c) for n, c in RULES_CASES.items()},
       **{f"argument {n}": ("args", c) for n, c in ARG_CASES.items()}}
SAMPLE = sorted(random.Random(SEED).sample(sorted(ALL), 45))


def _try(desk, name, tmp_path) -> Outcome:
    kind, case = ALL[name]
    already = len(desk.crashes)
    o = {"record": try_record, "rules": try_rules, "args": try_args}[kind](
        desk, name, *((case, tmp_path) if kind == "args" else (case,)))
    o.crashes = desk.crashes[already:]
    return o


def test_corpus_is_large_and_distinct():
    assert len(ALL) >= 200
    assert len(SAMPLE) == len(set(SAMPLE)) == 45
    report(f"bad-input corpus: {len(ALL)} distinct inputs, {len(SAMPLE)} sampled with seed {SEED}")


@pytest.mark.parametrize("name", SAMPLE)
def test_bad_input_sample(desk, name, tmp_path):
    o = _try(desk, name, tmp_path)
    assert o.crashes == []                          # no traceback, no 内部错误, no exit outside 0–3
    assert o.exit_code in o.wanted, o               # check: 1 (a problem found); a bad argument: 2
    assert o.reported, o                            # a coded problem in that very file, or an 错误 line
    assert o.unknown_codes == [] and o.echoes == [], o
    assert o.others_answer and o.other_write == 0, o    # one bad record or rule stops nothing else
    assert o.unclear_refusals == 0 and o.unexpected_writes == 0, o


FAULTS = ("tracebacks", "wrong exit", "not reported", "unknown codes", "echoes", "others stopped",
          "unclear refusals", "unexpected writes")


@pytest.mark.stress
def test_bad_input_every_case(desk, tmp_path):
    counts = dict.fromkeys(("inputs", *FAULTS), 0)
    for name in sorted(ALL):
        try:
            o = _try(desk, name, tmp_path)
        except pytest.skip.Exception:
            continue
        faults = {"tracebacks": len(o.crashes), "wrong exit": o.exit_code not in o.wanted, "not reported": not o.reported,
                  "unknown codes": len(o.unknown_codes), "echoes": len(o.echoes),
                  "others stopped": (not o.others_answer) + (o.other_write != 0),
                  "unclear refusals": o.unclear_refusals, "unexpected writes": o.unexpected_writes}
        counts["inputs"] += 1
        for k, v in faults.items():
            counts[k] += int(v)
        if any(faults.values()):
            report(f"FAILED {name}: {o}"[:600])
    report(f"bad inputs (seed {SEED}): {counts}")
    assert counts["inputs"] == len(ALL) >= 200
    assert counts == {"inputs": len(ALL), **dict.fromkeys(FAULTS, 0)}
