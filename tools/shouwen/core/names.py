"""The ids a clerk types, accepted by their Chinese names (pure).

A department, service, channel, stage, status, role or person may be given as its id, its
Chinese name or an unambiguous start of either; badges ignore case and spaces. An unknown
one is refused with the closest candidates ("您是不是要找 …").
"""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from .problems import InputError
from .quote import quoted


def norm(text) -> str:
    """Compare without case, spaces or full-width/half-width differences."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


SHOWN = 24     # choices offered by name when a word names nothing: a list of statuses whole, a long roster cut


@dataclass(frozen=True)
class Vocabulary:
    what: str                         # 部门, 办事事项, 渠道 …
    entries: dict                     # id -> (Chinese name, other spellings…)
    source: str | None = None         # the file that defines them, for the message
    words: tuple = ()                 # (word, id) people say for an id, matched only whole (rules/search.yml)

    def label(self, key: str) -> str:
        names = self.entries.get(key) or ()
        return f"{names[0]}（{key}）" if names and names[0] != key else key

    def _spellings(self):
        for key, names in self.entries.items():
            for s in (key, *names):
                if s:
                    yield norm(s), key

    def matches(self, text) -> list[str]:
        """Every id `text` may mean: an exact spelling, else those it starts, else those containing it."""
        t = norm(text)
        if not t:
            return []
        said = sorted({key for s, key in self._spellings() if s == t} | {key for w, key in self.words if norm(w) == t})
        if said:
            return said
        for test in (lambda s: s == t, lambda s: s.startswith(t), lambda s: len(t) >= 2 and t in s):
            found = sorted({key for s, key in self._spellings() if test(s)})
            if found:
                return found
        return []

    def find(self, text) -> str | None:
        """The id meant by `text`, or None when it names nothing or several things."""
        found = self.matches(text)
        return found[0] if len(found) == 1 else None

    def resolve(self, text, flag: str | None = None) -> str:
        key = self.find(text)
        if key is not None:
            return key
        raise InputError(self.refusal(text, flag))

    def suggestions(self, text, n: int = 3) -> list[str]:
        spell = {}
        for s, key in self._spellings():
            spell.setdefault(s, key)
        out = []
        for s in difflib.get_close_matches(norm(text), list(spell), n=n * 3, cutoff=0.3):
            if spell[s] not in out:
                out.append(spell[s])
        return out[:n]

    def refusal(self, text, flag: str | None = None) -> str:
        """Why `text` names nothing (with the closest candidates) or too much (with all it may mean)."""
        several = self.matches(text)
        if len(several) > 1:
            where = f"（{flag}）" if flag else ""
            return (f"{quoted(text)}{where}可以指多个{self.what}：{'、'.join(self.label(k) for k in several[:8])}，"
                    "请写得更完整一些")
        where = "，".join(x for x in (flag, self.source and f"{self.source} 中没有") if x)
        msg = f"没有{self.what}{quoted(text)}" + (f"（{where}）" if where else "")
        close = self.suggestions(text)
        if close:
            return msg + f"。您是不是要找：{'、'.join(self.label(k) for k in close)}？"
        if not self.entries:
            return msg + f"。规则中还没有任何{self.what}"
        shown = list(self.entries)[:SHOWN]
        more = f"等 {len(self.entries)} 个" if len(self.entries) > SHOWN else ""
        return msg + f"。可选：{'、'.join(self.label(k) for k in shown)}{more}"


def one_of(what: str, choices, text, flag: str | None = None, source: str | None = None,
           where: str | None = None) -> str:
    """One of the rules' own words (a category, an inspection item, a severity, a reason …), by the word or an
    unambiguous start of it; else refused naming `flag`, and the closest words or all a start may mean.
    `where` (a record) goes before the reason."""
    words = Vocabulary(what, {c: (c,) for c in choices}, source)
    found = words.find(text)
    if found is None:
        why = words.refusal(text, flag)
        raise InputError(f"{where}：{why}" if where else why)
    return found


# --- the vocabularies of an agency ------------------------------------------------------

CHANNELS = {"visit": ("来访", "现场", "窗口"), "phone": ("来电", "电话"), "letter": ("来信", "信件"),
            "online": ("网上", "网络", "在线")}
STATUSES = {"open": ("未结", "未办结", "办理中"), "closed": ("已结", "已结束"),
            "suspended": ("已暂停", "暂停计时")}     # not a stage: a stopped clock, shown as 已暂停（补正材料）
ROLES = {"staff": ("工作人员", "科员", "员工"), "head": ("负责人", "科长", "主任"), "deputy": ("副职", "副局长", "副科长"),
         "director": ("总监",), "supervisor": ("主管", "领班"), "manager": ("经理",), "deputy_gm": ("副总经理", "副总"),
         "gm": ("总经理",)}


TEMPLATES = {"bureau": ("机关", "市局", "政务服务局"), "county": ("县局", "县"), "hotel": ("酒店", "宾馆"),
             "company": ("公司", "企业")}


def template_names() -> Vocabulary:
    return Vocabulary("模板", TEMPLATES)


def channel_names() -> Vocabulary:
    return Vocabulary("渠道", CHANNELS)


def role_names() -> Vocabulary:
    return Vocabulary("角色", ROLES)


def department_names(rules) -> Vocabulary:
    return Vocabulary("部门", {d.id: (d.name,) for d in rules.departments.values()}, "rules/institution.yml")


def service_names(rules) -> Vocabulary:
    return Vocabulary("办事事项", {s.id: (s.name, str(s.raw.get("事项编码") or "")) for s in rules.services.values()},
                      "rules/services/", tuple((w, sid) for sid, ws in rules.synonyms.by_service.items() for w in ws))


def window_names(rules) -> Vocabulary:
    return Vocabulary("窗口", {str(w.get("id")): (str(w.get("name") or ""),) for w in rules.institution.get("windows") or []
                              if isinstance(w, dict) and w.get("id")}, "rules/institution.yml")


def staff_names(rules) -> Vocabulary:
    return Vocabulary("工作人员", {s.badge: (s.name,) for s in rules.staff.values()}, "rules/staff.yml")


def stage_names() -> Vocabulary:
    """A status filter: open/closed, or a stage by its id, its name (已转办) or its action (转办)."""
    from .fold import ACTION_ZH, STAGE_ZH
    entries = dict(STATUSES)
    for stage, zh in STAGE_ZH.items():
        entries[stage] = (zh, ACTION_ZH.get(stage, ""))
    return Vocabulary("状态", entries)
