"""The site's pages as Jinja2 templates: shipped in the package (templates/site/pages/), and
overridden by a file of the same name under the agency's site/overrides/ (the Material
convention), so an agency changes its wording without touching Python.

Templates write Markdown with HTML inside; every value is HTML-escaped on the way in
(autoescape), and an unknown variable is an error that names the template, not a blank.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from importlib import resources

from markupsafe import Markup
from jinja2 import (ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError,
                    UndefinedError)
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..core.quote import quoted

OVERRIDES = os.path.join("site", "overrides")


class TemplateBroken(Exception):
    """A page template (shipped or the agency's override) can't be rendered."""


def zh_date(d) -> str:
    """2026年11月29日, the way people read a date; a datetime adds HH:MM."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    text = f"{d.year}年{d.month}月{d.day}日"
    return text + (f" {d:%H:%M}" if isinstance(d, datetime) else "")


def yaml_str(value) -> Markup:
    """A value for a YAML front matter line (a name with a colon stays one string). Not
    HTML-escaped: the front matter is read as YAML, and the engine escapes the title it shows."""
    return Markup(json.dumps(str(value), ensure_ascii=False))


class _Overrides(FileSystemLoader):
    """The agency's folder; remembers which of its templates the build used."""

    def __init__(self, folder: str):
        super().__init__(folder)
        self.folder = folder
        self.used: set[str] = set()

    def get_source(self, environment, template):
        found = super().get_source(environment, template)
        self.used.add(template)
        return found


def _undefined(message: str) -> str:
    """Jinja's English for a name the page does not provide, said in Chinese (the name kept as written)."""
    m = re.fullmatch(r"'(.+)' is undefined", message)
    if m:
        return f"页面没有提供名为{quoted(m.group(1))}的数据（请检查拼写，或删去这一处）"
    m = re.fullmatch(r"'.+' has no attribute '(.+)'", message)
    if m:
        return f"页面提供的数据中没有{quoted(m.group(1))}这一项（请检查拼写，或删去这一处）"
    return message


class Pages:
    def __init__(self, root: str):
        self.root = root
        self.overrides = _Overrides(os.path.join(root, OVERRIDES))
        self.shipped_dir = str(resources.files("shouwen") / "templates" / "site" / "pages")
        # sandboxed: an override is text anyone with commit access may change, it must never reach Python
        self.env = SandboxedEnvironment(loader=ChoiceLoader([self.overrides, FileSystemLoader(self.shipped_dir)]),
                                        autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                                        lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters.update(zh_date=zh_date, yaml=yaml_str)

    def render(self, name: str, **context) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except TemplateSyntaxError as e:
            raise self._syntax(e, name) from None
        except SecurityError:
            raise TemplateBroken(f"页面模板 {self._where(name)} 试图访问 Python 内部对象，已拒绝"
                                 "（页面模板只能使用页面提供的数据）") from None
        except UndefinedError as e:
            raise TemplateBroken(f"页面模板 {self._where(name)} 无法生成页面：{_undefined(e.message or '')}") from None
        except TemplateError as e:
            raise TemplateBroken(f"页面模板 {self._where(name)} 无法生成页面：{e.message}") from None

    def check_overrides(self):
        """Compile every override up front, so a typo in one is reported before any engine runs."""
        for name in os.listdir(self.overrides.folder) if os.path.isdir(self.overrides.folder) else []:
            if name.endswith(".md"):
                try:
                    self.env.get_template(name)
                except TemplateSyntaxError as e:
                    raise self._syntax(e, name) from None

    def _syntax(self, e: TemplateSyntaxError, name: str) -> TemplateBroken:
        return TemplateBroken(f"页面模板 {self._where(e.name or name)} 第 {e.lineno} 行有语法错误：{syntax_zh(e.message or '')}")

    def _where(self, name: str) -> str:
        if name in self.overrides.used:
            return os.path.join(OVERRIDES, name).replace(os.sep, "/")
        return f"shouwen/templates/site/pages/{name}"

    def used(self) -> list[str]:
        """The agency's overrides this build used, as paths from the repository root."""
        return sorted(f"{OVERRIDES}/{n}".replace(os.sep, "/") for n in self.overrides.used)

    def unknown(self) -> list[str]:
        """Files in site/overrides/ that no page template is named like: a typo, most likely."""
        shipped = set(os.listdir(self.shipped_dir))
        folder = self.overrides.folder
        names = os.listdir(folder) if os.path.isdir(folder) else []
        return sorted(f"{OVERRIDES}/{n}".replace(os.sep, "/") for n in names
                      if n not in shipped and not n.startswith("."))


# Jinja's syntax errors as an office reads them (its messages are English); the first match wins
_SYNTAX_ZH = (
    (r"No filter named '([^']*)'", "没有名为“{0}”的过滤器（| 后的名称）"),
    (r"No test named '([^']*)'", "没有名为“{0}”的判断（is 后的名称）"),
    (r"Unexpected end of template.*?'(end\w+)'", "模板到末尾还没有结束标记 {{% {0} %}}"),
    (r"Encountered unknown tag '([^']*)'.*?'(end\w+)'", "这里应为 {{% {1} %}}，不是 {{% {0} %}}"),
    (r"Encountered unknown tag '([^']*)'", "不认识的标记 {{% {0} %}}"),
    (r"Expected an expression", "{{{{ }}}} 或 {{% %}} 里缺少内容"),
    (r"unexpected '(\}|\))'", "多了一个 {0}，或 {{{{ }}}} 没有成对"),
    (r"unexpected end of template|Missing end of comment tag", "模板提前结束：{{{{ }}}}、{{% %}} 或 {{# #}} 没有闭合"),
    (r"expected token 'end of print statement'", "{{{{ }}}} 里只能写一个数据名（如 institution.name），并以 }}}} 结束"),
    (r"expected token 'in'", "{{% for %}} 应写作 {{% for 项 in 列表 %}}"),
    (r"expected name or number", "点号后缺少数据名"),
)


def syntax_zh(message: str) -> str:
    import re
    for pattern, zh in _SYNTAX_ZH:
        m = re.search(pattern, message, re.S)
        if m:
            return zh.format(*m.groups())
    return "写法不对：{{ }} 写数据名，{% %} 写 if、for 等标记，且须成对"
