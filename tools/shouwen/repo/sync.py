"""`shouwen sync`: fetch, merge through the union driver, push; retried when the push is rejected.

A desk that can't reach the remote keeps working: its commits wait in the clone until the next sync.
"""
from __future__ import annotations

import re

from . import gitio, reach
from ..core.problems import InputError
from .writer import BusyError, lock


class Offline(Exception):
    pass


def _branch(root):
    return gitio.git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()


def _collisions(root) -> list[str]:
    """Files the merge driver set aside: a second matter registered under an id we already had."""
    out = gitio.git(root, "ls-files", "--others", "--exclude-standard", "--", "records")
    return [p for p in out.split("\n") if p.endswith(".md") and p.rsplit("/", 1)[-1].count(".") == 2]


# A local git failure (the reset and the commit of `--accept-rewrite`): what git names, in the clerk's words
_LOCAL_SAYS = ((r"Untracked working tree file '([^']+)' would be overwritten", "本机未提交的文件 {} 会被覆盖"),
               (r"Your local changes to the following files would be overwritten[^\n]*\n\s*(\S+)", "本机对 {} 的改动会被覆盖"),
               (r"Entry '([^']+)' not uptodate", "本机对 {} 的改动会被覆盖"),
               (r"Unable to create '([^']+)': File exists", "另一个 git 程序正在使用本仓库（{} 已存在），请等它结束"),
               (r"(?:Couldn't load public key|Load key \"?)([^\":]+)", "无法读取签名密钥 {}"),
               (r"unable to (?:unlink old|create file) '?([^':]+)'?: Permission denied", "无法写入 {}（没有权限）"),
               (r"(Permission denied)", "本机没有写入权限"),
               (r"(No space left on device)", "磁盘已满"))


def local_reason(text) -> str:
    """Why git could not change this clone (not a network reason: nothing here talks to the remote)."""
    text = str(text.args[0] if isinstance(text, Exception) and text.args else text).strip()
    for pattern, chinese in _LOCAL_SAYS:
        m = re.search(pattern, text)
        if m:
            return chinese.format(m.group(1).strip())
    lines = [ln for ln in text.splitlines() if ln.strip()]
    said = next((ln for ln in lines if ln.startswith(("error:", "fatal:"))), lines[0] if lines else "")
    return f"git 报告：{said.split(':', 1)[1].strip() if said.startswith(('error:', 'fatal:')) else said}"


def _refuse_rewritten(root, remote, branch, tracking, seen):
    """A remote branch that no longer contains what this desk last fetched was force-pushed: its history was
    rewritten. Merging it would fold the rewritten commits into this desk's history as if they were evidence,
    so nothing is merged or pushed, and the tracking branch is put back, so that every sync says so until the
    office has looked."""
    now = gitio.git(root, "rev-parse", "--verify", "-q", tracking, check=False).strip()
    if not seen or not now or now == seen:
        return
    if gitio.is_ancestor(root, seen, now):
        return              # a fast-forward: the remote only grew
    gitio.git(root, "update-ref", tracking, seen)
    raise BusyError(f"远程仓库 {remote} 的 {branch} 分支历史被改写过（强制推送）：本机上次同步时它在提交 {seen[:10]}，"
                    f"现在的 {now[:10]} 已不包含这个提交。同步已停止，未合并、未推送任何内容；请交首问责任制办公室核查"
                    f"（git log {seen[:10]} 仍可查看原来的历史，shouwen audit 审查现有历史）")


def accept_rewrite(root: str, env: dict, remote: str, accepted: str, who: str, sign: list | None = None) -> dict:
    """The office accepts a rewrite of the remote branch it made on purpose (`sync --accept-rewrite`), conservatively:
    only the remote's head as it is now, named by the office; only on a desk whose every commit was on the remote
    before (nothing of its own is dropped) and whose files are all committed. The desk moves to the rewritten
    history, keeps the old one under refs/shouwen/rewritten/<old head>, and commits and pushes who accepted what
    and when. Returns {"old", "new", "dropped", "commit"}."""
    if not gitio.config(root, f"remote.{remote}.url"):
        raise InputError(f"没有名为 {remote} 的远程仓库")
    branch = _branch(root)
    tracking = f"refs/remotes/{remote}/{branch}"
    with lock(root):
        seen = gitio.git(root, "rev-parse", "--verify", "-q", tracking, check=False).strip()
        try:
            gitio.git(root, "fetch", "-q", remote)
        except gitio.GitError as e:
            raise Offline(f"无法连接远程仓库 {remote}（{reach.git_said(e)}）")
        now = gitio.git(root, "rev-parse", "--verify", "-q", tracking, check=False).strip()
        if not seen or not now or gitio.is_ancestor(root, seen, now):
            raise InputError(f"远程仓库 {remote} 的 {branch} 分支没有被改写，无需接受；请直接 shouwen sync")
        gitio.git(root, "update-ref", tracking, seen)        # until accepted, every sync still refuses
        named = gitio.git(root, "rev-parse", "--verify", "-q", f"{accepted}^{{commit}}", check=False).strip()
        if named != now:
            raise InputError(f"要接受的提交 {accepted} 不是远程仓库 {remote} 的 {branch} 分支现在的提交 {now[:10]}："
                             f"请核对改写后的历史（git log {now[:10]}）后，用 --accept-rewrite {now[:10]} 接受")
        if not gitio.is_ancestor(root, "HEAD", seen):
            mine = gitio.git(root, "rev-list", "--count", "HEAD", f"^{seen}").strip()
            raise InputError(f"本机有 {mine} 个提交尚未同步到改写前的 {remote}，接受改写会丢掉它们；未做任何改动。"
                             "请交首问责任制办公室核查，把这些登记补入改写后的历史")
        if gitio.git(root, "status", "--porcelain", "--untracked-files=no").strip():
            raise InputError("本机有尚未提交的改动；请先提交或放弃后再接受改写")
        dropped = int(gitio.git(root, "rev-list", "--count", seen, f"^{now}").strip() or 0)
        before = gitio.head(root)
        try:
            gitio.git(root, "reset", "-q", "--keep", now)
        except gitio.GitError as e:
            raise InputError(f"无法切换到改写后的历史：{local_reason(e)}；未做任何改动") from None
        try:
            gitio.git(root, *(sign or []), "commit", "-q", "--no-verify", "--allow-empty", "-m",
                      f"接受 {remote} 的 {branch} 分支历史改写：由 {seen[:10]} 改为 {now[:10]}，原历史中 {dropped} 个提交不在改写后的"
                      f"历史中；{who} 核实后接受", "-m", f"Shouwen-Accepted-Rewrite: {seen} {now}", env=env)
        except gitio.GitError as e:
            gitio.git(root, "reset", "-q", "--keep", before)
            raise InputError(f"接受记录未能在本机提交：{local_reason(e)}；已退回原来的历史，未做任何改动") from None
        gitio.git(root, "update-ref", f"refs/shouwen/rewritten/{seen}", seen)
        gitio.git(root, "update-ref", tracking, now)
        try:
            gitio.git(root, "push", "-q", remote, f"HEAD:{branch}")
        except gitio.GitError as e:
            raise BusyError(f"已接受改写并在本机提交了接受记录，但推送被拒绝（{reach.git_said(e)}）；"
                            "请稍后运行 shouwen sync 推送") from None
        return {"old": seen, "new": now, "dropped": dropped, "commit": gitio.head(root)}


def sync(root: str, env: dict, remote: str = "origin", tries: int = 5, sign: list | None = None,
         progress=lambda done, total: None) -> dict:
    """Returns {"merged": n, "pushed": bool, "collisions": [...]}; `progress(done, 3)` after fetching,
    merging and pushing."""
    if not gitio.config(root, f"remote.{remote}.url"):
        raise InputError(f"没有名为 {remote} 的远程仓库；请先 git remote add {remote} 地址")
    from .setup import install_merge_driver
    if not gitio.config(root, "merge.shouwen.driver"):
        install_merge_driver(root)
    branch = _branch(root)
    result = {"merged": 0, "pushed": False, "collisions": []}
    with lock(root):
        for attempt in range(tries):
            progress(0, 3)
            tracking = f"refs/remotes/{remote}/{branch}"
            seen = gitio.git(root, "rev-parse", "--verify", "-q", tracking, check=False).strip()
            try:
                gitio.git(root, "fetch", "-q", remote)
            except gitio.GitError as e:
                raise Offline(f"无法连接远程仓库 {remote}（{reach.git_said(e)}）；本机记录已保存在本地，可继续离线登记，联网后再同步")
            progress(1, 3)
            _refuse_rewritten(root, remote, branch, tracking, seen)
            upstream = f"{remote}/{branch}"
            has_upstream = gitio.git(root, "rev-parse", "--verify", "-q", upstream, check=False).strip()
            if has_upstream:
                try:
                    gitio.git(root, "merge", "-q", "--no-commit", "--no-edit", upstream, env=env)
                except gitio.GitError:
                    conflicted = gitio.git(root, "diff", "--name-only", "--diff-filter=U").split()
                    gitio.git(root, "merge", "--abort", check=False)
                    raise BusyError("同步已停止，未丢失任何内容：以下文件两边都改了，需要人工合并：" + "、".join(conflicted))
                result["merged"] += 1
                # the other matter under one of our ids, set aside by the merge driver, goes into the merge
                # commit itself: a merge that dropped it (kept one commit later) is what the audit calls
                # record-deleted
                extra = _collisions(root)
                if extra:
                    gitio.git(root, "add", "--", *extra)
                    result["collisions"] += extra
                if gitio.git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).strip():
                    try:
                        gitio.git(root, *(sign or []), "commit", "-q", "--no-verify", "-m", f"同步 {upstream}", env=env)
                    except gitio.GitError as e:      # a merge left open would block every later command
                        gitio.git(root, "merge", "--abort", check=False)
                        raise InputError(f"同步的合并提交未能在本机完成：{local_reason(e)}；已退回，未做任何改动") from None
            progress(2, 3)
            try:
                gitio.git(root, "push", "-q", remote, f"HEAD:{branch}")
                result["pushed"] = True
                progress(3, 3)
                return result
            except gitio.GitError as e:
                if attempt == tries - 1:
                    raise BusyError(f"推送被拒绝 {tries} 次（{reach.git_said(e)}），请稍后再同步")
    return result
