"""The site search's Chinese vocabulary: words the segmenter keeps whole, among them the words
people type for a service (rules/search.yml, parsed in core/synonyms.py with the other rules;
each guide page shows them as "也叫：出生证明、准生证", so both engines' indexes hold them). Pure.
"""
from __future__ import annotations

from ..core.rules import Rules

COMMON_WORDS = ("再生育", "身份证", "户口簿", "结婚证", "离婚证", "营业执照", "出生医学证明", "首问责任人",
                "首问责任制", "一次性告知", "办事指南", "承诺件", "即办件")


def jieba_words(rules: Rules) -> str:
    """Words the search's Chinese segmenter keeps whole. Only short words: a long compound such as
    夫妻双方身份证 kept whole would hide 身份证 from a search. The words people type are kept
    whole whatever their length: they are what the search is asked for."""
    words = set(COMMON_WORDS) | rules.synonyms.words()
    for s in rules.services.values():
        for m in s.materials or []:
            name = str(m.get("名称") if isinstance(m, dict) else m)
            if 2 <= len(name) <= 4:
                words.add(name)
    return "".join(f"{w} 50 n\n" for w in sorted(words) if w and " " not in w)
