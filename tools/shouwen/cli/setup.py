"""Setting up: a new agency (`init`), a demo agency (`demo`), and a clone's hooks (`setup`)."""
from __future__ import annotations

import os

import click

from ..core.problems import InputError
from ..repo import gitio
from .context import parse_day, pass_desk, today_cst

@click.command("init")
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False))
@click.option("--template", default="bureau", show_default=True, metavar="模板",
              help="机构模板（名称或 id）：bureau 机关（按查实次数追究）、county 县局（推诿扯皮按次数、吃拿卡要按情节待岗下岗辞退）、"
                   "hotel 酒店（按小时计时、逐级上报、不配合者担责、服务标准检查）、company 公司（酌情处理、表扬）")
@click.option("--require-signing", "anchor", metavar="公钥文件", type=click.Path(dir_okay=False),
              help="要求每个提交都用本人 SSH 密钥签名；公钥文件是办公室的公钥（信任锚，保存在仓库之外），"
                   "首个提交用其私钥（SHOUWEN_SIGNING_KEY）签名")
def init_cmd(directory, template, anchor):
    """新建一个机构仓库（Git），带规则模板。"""
    from ..core.names import template_names
    from ..repo.setup import init_repo
    template = template_names().resolve(template, "--template")
    path = init_repo(directory, template, anchor)
    click.echo(f"已在 {path} 创建机构仓库（模板：{template_names().label(template)}）。下一步：编辑 rules/ 下的机构、人员和办事指南。")
    if anchor:
        click.echo("本机构要求签名提交：在 rules/staff.yml 为每位工作人员填写 signing_key（SSH 公钥），"
                   "名册的修改须由已信任的密钥签名；审查时用 --trust-anchor 指定同一信任锚。")


@click.command("demo")
@click.argument("directory", metavar="目录", type=click.Path(file_okay=False))
@click.option("--size", default=320, show_default=True, type=click.IntRange(1, 200000), help="生成的事项数")
@click.option("--since", default="2026-07-01", show_default=True, help="最早登记日期")
@click.option("--until", help="截止日期（默认今天；18:00 之前为前一天，示例中不会有将来的提交）")
@click.option("--seed", default=1, show_default=True, help="随机种子（同一种子生成同样的数据）")
def demo_cmd(directory, size, since, until, seed):
    """生成一个示例机构仓库：N 件事项，每一步都是一次真实的提交。"""
    from ..repo.demo import make_demo
    start = parse_day(since, "--since")
    end = parse_day(until, "--until") or today_cst()
    if end < start:
        raise InputError("--until 早于 --since")
    from .progress import Progress
    with Progress("生成示例机构") as progress:
        path, _ = make_demo(directory, size, start, end, seed, progress=progress)
    commits = gitio.commit_count(path, "HEAD")()        # the events' and the rules' first one, as `git log` counts
    click.echo(f"已在 {path} 生成示例机构：{size} 件事项，{commits} 次提交。")


@click.command("setup")
@click.option("--as", "as_badge", metavar="工号", help="办公室人员补全 .gitattributes 时提交人的工号")
@pass_desk
def setup_cmd(desk, as_badge):
    """为已有的克隆注册记录合并驱动和提交前检查钩子（init 会自动注册），并补全 .gitattributes 中缺少的行。"""
    from ..repo.setup import install_merge_driver, install_pre_commit
    install_merge_driver(desk.root)
    click.echo("已注册合并驱动 merge.shouwen（两台电脑对同一事项追加的事件将合并，不会冲突）")
    hook = install_pre_commit(desk.root)        # first: a clone is protected whatever the rules say
    if hook:
        click.echo(f"已安装提交前检查钩子 {hook}（手工提交的记录和规则先经 shouwen check --staged）")
    else:
        click.echo("本克隆已有别的 pre-commit 钩子，未覆盖；可用 pre-commit 框架的 shouwen-check（见 .pre-commit-hooks.yaml）",
                   err=True)
    _attributes(desk, as_badge)


COMMANDS = [init_cmd, demo_cmd, setup_cmd]


def _attributes(desk, as_badge):
    """.gitattributes of an agency made before `eol=lf`: committed by the office, else kept in this clone."""
    from ..repo.setup import complete_attributes, completed_attributes
    path = os.path.join(desk.root, ".gitattributes")
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if completed_attributes(text) == text:      # nothing to commit: the rules need not even load
        click.echo(".gitattributes 已齐全（记录和规则按 LF 换行检出，记录按事件合并）")
        return
    try:
        badge = desk.badge(as_badge)
    except InputError:
        if as_badge:
            raise
        badge = None            # nobody named: this clone is protected, the office is told
    try:
        rules = desk.rules_for_write() if badge else None
    except InputError:          # rules with an error: nothing committed, this clone still protected
        badge = rules = None
    done, lacking = complete_attributes(desk.root, rules, badge)
    if done == "committed":
        click.echo(f"{rules.who(badge)}已补全 .gitattributes 并提交：{'；'.join(lacking)}")
    else:
        click.echo(f".gitattributes 缺少：{'；'.join(lacking)}。已写入本克隆的 .git/info/attributes，本机立即生效；"
                   "请办公室（有 roster 职责的人）运行 shouwen --as 工号 setup 提交到 .gitattributes", err=True)
