"""Click's own texts in Chinese (usage, options, errors).

Click looks every message up through `gettext` imported into each of its modules; we put a
catalogue of our own in their place, so help pages and errors read in Chinese everywhere,
including the texts our code never sees (a bad choice, a missing argument, `--help`).
"""
from __future__ import annotations

import string

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from ..core.quote import quoted

CATALOGUE = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Do you want to continue?": "要继续吗？",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Aborted!": "已取消，未写入任何内容。",
    "Missing command.": "缺少命令。",
    "Value must be an iterable.": "值必须是一个列表。",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看帮助。",
    "Error: {message}": "错误：{message}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value: {message}": "值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "No such command {name!r}.": "没有命令{name!q}。",
    "No such option {name!r}.": "没有选项{name!q}。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件{filename!q}：{message}",
    "Argument {name!r} takes {nargs} values.": "参数{name!q}需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项{name!q}不带值。",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入不对",
    "Press any key to continue...": "按任意键继续……",
    "Repeat for confirmation": "再输入一次以确认",
    "{value!r} is not a valid {number_type}.": "{value!q}不是{number_type}。",
    "{value} is not in the range {range}.": "{value} 超出范围（应为 {range}）。",
    "{name} {filename!r} does not exist.": "{name}{filename!q}不存在。",
    "{name} {filename!r} is a file.": "{name}{filename!q}是一个文件。",
    "{name} {filename!r} is a directory.": "{name}{filename!q}是一个目录。",
    "{name} {filename!r} is not readable.": "{name}{filename!q}不可读。",
    "{name} {filename!r} is not writable.": "{name}{filename!q}不可写。",
    "{name} {filename!r} is not executable.": "{name}{filename!q}不可执行。",
    "file": "文件", "directory": "目录", "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid UUID.": "{value!q}不是有效的 UUID。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!q}不是是非值；可用：{states}",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以前的版本不支持命令补全。",
    "Couldn't detect Bash version, shell completion is not supported.": "无法确定 Bash 版本，不支持命令补全。",
}
PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "您是不是要找 {possibility}？",
    "Option {name!r} requires an argument.": "选项{name!q}需要一个值。",
    "{value!r} is not {choice}.": "{value!q}不是 {choice}。",
    "{value!r} does not match the format {format}.": "{value!q}不符合格式 {format}。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，只给了 {len_value} 个。",
}
PLURALS_MANY = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "(Did you mean one of: {possibilities}?)": "（您是不是要找：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项{name!q}需要 {nargs} 个值。",
    "{value!r} is not one of {choices}.": "{value!q}不是可选值之一：{choices}。",
    "{value!r} does not match the formats {formats}.": "{value!q}不符合以下格式之一：{formats}。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
}


class _QuoteFormatter(string.Formatter):
    """`{value!q}`: the value between Chinese quotation marks (core.quote), where Click's English has `!r`."""

    def convert_field(self, value, conversion):
        return quoted(value) if conversion == "q" else super().convert_field(value, conversion)


_FORMATTER = _QuoteFormatter()


class _Quoting(str):
    """A catalogue text with `!q` fields: Click calls its `format` as it would a plain string's."""

    def format(self, *args, **kwargs):
        return _FORMATTER.vformat(self, args, kwargs)


def _text(message: str) -> str:
    return _Quoting(message) if "!q}" in message else message


def gettext(message: str) -> str:
    return _text(CATALOGUE.get(message, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return _text(PLURALS.get(singular, singular) if n == 1 else PLURALS_MANY.get(plural, plural))


def _build_prompt(text, suffix, show_default=False, default=None, show_choices=True, type=None) -> str:
    """A prompt as Chinese text, with a full-width colon and the default in words (Click's own are ASCII)."""
    prompt = text
    if type is not None and show_choices and isinstance(type, click.Choice):
        prompt = _noted(prompt, '、'.join(map(str, type.choices)))
    if show_default:
        shown = show_default if isinstance(show_default, str) else default
        if shown not in (None, ""):
            prompt = _noted(prompt, f"默认：{shown}")
    return prompt + ("：" if suffix.strip() == ":" else suffix)


def _noted(prompt: str, note: str) -> str:
    """The prompt with a note in brackets: inside the brackets it ends with already, after a full-width semicolon
    (`渠道（来访、来电；默认：来访）`), never a second bracketed note right after the first."""
    return f"{prompt[:-1]}；{note}）" if prompt.endswith("）") else f"{prompt}（{note}）"


def _write_heading(self, heading: str) -> None:
    """A help section's heading with a full-width colon (Click writes an ASCII colon after `选项`)."""
    self.write(f"{'':>{self.current_indent}}{heading}：\n")


USAGE = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))
_write_usage = click.formatting.HelpFormatter.write_usage


def _usage_in_chinese(self, prog: str, args: str = "", prefix: str | None = None) -> None:
    """The usage line in Chinese: 用法：shouwen sync [选项] (Click puts a space after its `Usage:`; none follows
    a full-width colon)."""
    for english, chinese in USAGE:
        args = args.replace(english, chinese)
    _write_usage(self, prog, args, gettext("Usage:") if prefix is None else prefix)


def _columns(text: str) -> int:
    """What a terminal gives `text`: two columns for a Chinese character (Click counts one), so help
    pages keep their descriptions in one column."""
    import unicodedata
    from click._compat import strip_ansi
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in strip_ansi(text))


def _describe_range(self) -> str:
    """A range in words: 0 到 365, 1 及以上 (Click writes 0<=x<=365)."""
    low = None if self.min is None else f"{self.min}{'（不含）' if self.min_open else ''}"
    high = None if self.max is None else f"{self.max}{'（不含）' if self.max_open else ''}"
    if low is None:
        return f"{high} 及以下"
    return f"{low} 及以上" if high is None else f"{low} 到 {high}"


def _invalid_choice(self, value, ctx) -> str:
    """`“xml”不是可选值之一：text、json。` (Click lists the choices as 'text', 'json')."""
    choices = "、".join(map(str, self._normalized_mapping(ctx=ctx).values()))
    return f"{quoted(value)}不是可选值之一：{choices}。"


class ClosestGroup(click.Group):
    """A group of commands (`site`) that answers a misspelled one with the closest, as the top level does."""

    def resolve_command(self, ctx, args):
        return resolve_closest(super().resolve_command, ctx, args, lambda: self.list_commands(ctx))


def resolve_closest(resolve, ctx, args, listed):
    """A command that is not there is answered with the closest ones (`lst`: list), `help` with --help.
    `listed()` loads every command's module: asked only then, so a command loads only its own."""
    try:
        return resolve(ctx, args)
    except click.exceptions.UsageError:
        typed = args[0] if args else ""
        names = listed() if typed and not typed.startswith("-") else []
        if not typed or typed in names or typed.startswith("-"):
            raise
        import difflib
        close = difflib.get_close_matches(typed, names, n=3, cutoff=0.5)
        whole = " ".join(["shouwen"] + ctx.command_path.split()[1:])      # as the clerk types it
        hint = (f"查看全部命令：{whole} --help" if typed in ("help", "帮助")
                else f"您是不是要找：{'、'.join(close)}？" if close else f"全部命令见 {whole} --help")
        raise click.exceptions.UsageError(f"没有命令 {typed}；{hint}", ctx) from None


_HELP_RECORD = click.core.Option.get_help_record


def _help_record(self, ctx):
    """An option's help line, its [默认：320；1 到 200000] joined with a full-width semicolon (Click joins with "; ")."""
    rv = _HELP_RECORD(self, ctx)
    if rv and rv[1].endswith("]") and "; " in rv[1]:
        head, sep, extra = rv[1].rpartition("[")
        rv = (rv[0], head + sep + extra.replace("; ", "；"))
    return rv


def install() -> None:
    click.core.Option.get_help_record = _help_record
    click.types._NumberRangeBase._describe_range = _describe_range
    click.types.Choice.get_invalid_choice_message = _invalid_choice
    click.termui._build_prompt = _build_prompt
    click.formatting.HelpFormatter.write_heading = _write_heading
    click.formatting.HelpFormatter.write_usage = _usage_in_chinese
    click.formatting.term_len = _columns
    click.types.StringParamType.name = "文本"       # the metavar of a text option: --name 文本
    click.types.IntParamType.name = "整数"          # shown as the metavar and in "… 不是整数"
    click.types.IntRange.name = "整数"             # IntRange has a name of its own ("integer range")
    click.types.FloatParamType.name = "数字"
    for mod in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                click.termui, click.types):
        if hasattr(mod, "_"):
            mod._ = gettext
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext
