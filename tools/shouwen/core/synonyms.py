"""The words people type for a service (rules/search.yml), checked against the services. Pure.

    synonyms:
      出生证明: [生育登记, 再生育审批]
      准生证: [生育登记, 再生育审批]

A target is a service's name (事项名称) or id; an unknown one is a `rules-invalid` problem
naming the word, and the other words still count.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem
from .quote import quoted

SEARCH_FILE = "rules/search.yml"


@dataclass
class Synonyms:
    by_service: dict[str, list[str]] = field(default_factory=dict)    # service id -> words people type

    def words_for(self, service) -> list[str]:
        return self.by_service.get(service.id, [])

    def words(self) -> set[str]:
        return {w for ws in self.by_service.values() for w in ws}


def _problem(msg: str, word: str | None = None) -> Problem:
    return Problem("rules-invalid", msg, path=SEARCH_FILE,          # the line names the file already
                   field=f"synonyms.{word}" if word else "synonyms")


def parse_synonyms(data: dict, services: dict, incomplete: bool = False) -> tuple[Synonyms, list[Problem]]:
    """`data` is the file's mapping ({} when there is no file); `services` the rules' services by id.
    `incomplete`: a service guide could not be read, so a word naming no service may name that one: its
    file's problem is the one root cause, and the word is not reported again."""
    out, problems = Synonyms(), []
    if not data:
        return out, problems
    table = data.get("synonyms")
    if not isinstance(table, dict):
        return out, [_problem("应有 synonyms：一个从群众说法到事项名称列表的映射")]
    by_name = {s.name: s.id for s in services.values()}
    for word, targets in table.items():
        word = str(word).strip()
        targets = targets if isinstance(targets, list) else [targets]
        if not word or not [t for t in targets if t is not None]:
            problems.append(_problem(f"说法{quoted(word)}没有对应的事项", word))
            continue
        for t in targets:
            sid = str(t) if str(t) in services else by_name.get(str(t))
            if sid is None:
                if not incomplete:
                    problems.append(_problem(f"说法{quoted(word)}对应的{quoted(t)}不是任何事项的名称或编号", word))
                continue
            if word not in out.by_service.setdefault(sid, []):
                out.by_service[sid].append(word)
    return out, problems
