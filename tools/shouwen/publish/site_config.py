"""mkdocs.yml read as plain data: for the site build (publish.sitebuild) and for the commands that must keep
personal data out of the public site's folders (cli.outputs), which should not import the build to learn them."""
from __future__ import annotations

import os

import yaml


class SiteConfig(yaml.SafeLoader):
    """mkdocs.yml as plain data: MkDocs' own !ENV and !relative tags, never a `!!python/…` object,
    which MkDocs' loader would construct (and so run) while reading the file."""


def _tag_value(loader, node):
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)


for _tag in ("!ENV", "!relative"):
    SiteConfig.add_constructor(_tag, _tag_value)


def read(root: str):
    """mkdocs.yml's data; OSError, UnicodeDecodeError or yaml.YAMLError as reading it raises them."""
    with open(os.path.join(root, "mkdocs.yml"), encoding="utf-8") as fh:
        return yaml.load(fh.read(), Loader=SiteConfig)


def refusal(root: str) -> str | None:
    """Why mkdocs.yml may not be built from (a Python tag), or None."""
    try:
        read(root)
    except yaml.constructor.ConstructorError as e:
        mark = e.problem_mark
        where = f"第 {mark.line + 1} 行" if mark else ""
        return f"mkdocs.yml {where}有不允许的标签（{e.problem}）：网站配置只能是数据，不能含有可执行的 Python 标签"
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None     # MkDocs says what is wrong with a missing or malformed file
    return None


def public_folders(root: str) -> list[str]:
    """Where the public site is made from and built to, relative to the agency: mkdocs.yml's docs_dir and
    site_dir, and site/ and public/ (the shipped ones) whatever it says. What lies there is published."""
    found = ["site", "public"]
    try:
        config = read(root)
        found += [str(config[k]) for k in ("docs_dir", "site_dir") if isinstance(config, dict) and config.get(k)]
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass        # the build says what is wrong with it
    return [os.path.normpath(f) for f in found if not os.path.isabs(f)]
