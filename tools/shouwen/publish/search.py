"""The site search's vocabulary: the words people type for a service (rules/search.yml) and the
Chinese words the segmenter keeps whole. Pure: the file's parsed data in, words out.

rules/search.yml maps what the public says to the services' names (or ids):

    synonyms:
      出生证明: [生育登记, 再生育审批]
      准生证: [生育登记, 再生育审批]

Each guide page then shows "也叫：出生证明、准生证", so both engines' indexes hold the word,
and MkDocs's segmenter (jieba) is told to keep it whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.problems import Problem
from ..core.rules import Rules

SEARCH_FILE = "rules/search.yml"

COMMON_WORDS = ("再生育", "身份证", "户口簿", "结婚证", "离婚证", "营业执照", "出生医学证明", "首问责任人",
                "首问责任制", "一次性告知", "办事指南", "承诺件", "即办件")


@dataclass
class Synonyms:
    by_service: dict[str, list[str]] = field(default_factory=dict)    # service id -> words people type

    def words_for(self, service) -> list[str]:
        return self.by_service.get(service.id, [])

    def words(self) -> set[str]:
        return {w for ws in self.by_service.values() for w in ws}


def _problem(msg: str, word: str | None = None) -> Problem:
    return Problem("rules-invalid", f"{SEARCH_FILE}：{msg}", path=SEARCH_FILE, field=f"synonyms.{word}" if word else "synonyms")


def parse_synonyms(data, rules: Rules) -> tuple[Synonyms, list[Problem]]:
    """`data` is the loaded YAML (None when the file is absent). A target is a service's name
    (事项名称) or id; an unknown one is a problem naming the word, and the rest still count."""
    out, problems = Synonyms(), []
    if data is None:
        return out, problems
    table = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return out, [_problem("应有 synonyms：一个从群众说法到事项名称列表的映射")]
    by_name = {s.name: s.id for s in rules.services.values()}
    for word, targets in table.items():
        word = str(word).strip()
        targets = targets if isinstance(targets, list) else [targets]
        if not word or not targets:
            problems.append(_problem(f"说法“{word}”没有对应的事项", word))
            continue
        for t in targets:
            sid = str(t) if str(t) in rules.services else by_name.get(str(t))
            if sid is None:
                problems.append(_problem(f"说法“{word}”对应的“{t}”不是任何事项的名称或编号", word))
                continue
            if word not in out.by_service.setdefault(sid, []):
                out.by_service[sid].append(word)
    return out, problems


def jieba_words(rules: Rules, synonyms: Synonyms | None = None) -> str:
    """Words the search's Chinese segmenter keeps whole. Only short words: a long compound such as
    夫妻双方身份证 kept whole would hide 身份证 from a search. The words people type are kept
    whole whatever their length: they are what the search is asked for."""
    words = set(COMMON_WORDS) | (synonyms.words() if synonyms else set())
    for s in rules.services.values():
        for m in s.materials or []:
            name = str(m.get("名称") if isinstance(m, dict) else m)
            if 2 <= len(name) <= 4:
                words.add(name)
    return "".join(f"{w} 50 n\n" for w in sorted(words) if w and " " not in w)
