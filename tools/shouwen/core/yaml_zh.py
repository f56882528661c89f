"""PyYAML's parse errors explained in Chinese, with line and column (pure)."""
from __future__ import annotations

import re

# (pattern on PyYAML's problem text, explanation); the first match wins.
_PROBLEMS = (
    (r"found character '\\t'|found character that cannot start any token.*|.*tab character",
     "这里有制表符（Tab）或不能作为开头的字符；YAML 只能用空格缩进"),
    (r"mapping values are not allowed",
     "这里不能再开始新的键值对：多半是上一行缩进不对，或值里含有英文冒号（请给整个值加引号）"),
    (r"could not find expected ':'", "缺少英文冒号：每一行应是 键、英文冒号、空格、值"),
    (r"did not find expected ',' or '\]'", "方括号 [ ] 没有闭合，或列表项之间少了逗号"),
    (r"did not find expected ',' or '\}'", "花括号 { } 没有闭合，或项之间少了逗号"),
    (r"did not find expected key", "缩进没有对齐：同一层的键应从同一列开始"),
    (r"did not find expected '-' indicator", "列表项没有对齐：每一项应以同一列的“- ”开头"),
    (r"did not find expected node content|expected the node content", "这里缺少内容"),
    (r"found unexpected end of stream", "文件提前结束：引号或括号没有闭合"),
    (r"found unknown escape character", "双引号里有无法识别的反斜杠转义；请改用单引号，或把 \\ 写成 \\\\"),
    (r"found undefined alias", "引用了未定义的别名（* 开头）；值以 * 开头时请加引号"),
    (r"found unexpected ':'", "这里多了一个冒号；值里含冒号时请加引号"),
    (r"expected <block end>, but found", "缩进没有对齐"),
    (r"expected alphabetic or numeric character", "& 或 * 后应为名称；值以 & 或 * 开头时请加引号"),
    (r"unacceptable character|special characters are not allowed", "文件里有不允许的控制字符"),
    (r"found duplicate anchor", "锚点名称重复"),
    (r"while scanning a (simple|quoted) (key|scalar)", "引号没有闭合"),
)


def explain(e, line_offset: int = 0) -> str:
    """'第 3 行第 5 列：…' for a yaml.YAMLError (its problem mark, or its context mark)."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = f"第 {mark.line + 1 + line_offset} 行第 {mark.column + 1} 列：" if mark else ""
    text = " ".join(str(x) for x in (getattr(e, "problem", None), getattr(e, "context", None)) if x) or str(e)
    for pattern, zh in _PROBLEMS:
        if re.search(pattern, text):
            return where + zh
    return where + "格式不对，无法读取"
