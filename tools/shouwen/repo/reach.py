"""Why the other end was not reached, in the clerk's words: one table for the central Git remote (`sync`, from
what git says) and for a mail server or a robot's webhook (`remind`, from what Python's sockets raise), so that
one failure reads the same wherever it happens. Only for talking to another machine: a local git failure
(`reset`, `commit`) has its reasons in sync.local_reason.
"""
from __future__ import annotations

import socket
import ssl

REFUSED = "连接被拒绝（服务没有运行，或地址、端口不对）"
UNRESOLVED = "找不到服务器（域名无法解析）"
TIMED_OUT = "连接超时"
TLS = "加密连接失败"
BROKEN = "连接中断"
NO_REMOTE = "远程地址不存在"

# what git (and curl and ssh under it) says, first match wins
_GIT_SAYS = (("does not appear to be a git repository", "远程地址不存在或不是 Git 仓库"),
             ("Could not resolve host", UNRESOLVED), ("Could not resolve hostname", UNRESOLVED),
             ("Couldn't connect", REFUSED), ("Connection refused", REFUSED), ("Failed to connect", REFUSED),
             ("timed out", TIMED_OUT), ("Authentication failed", "账号或密码不对"),
             ("Permission denied", "没有权限（账号或密钥不对）"), ("SSL", TLS), ("Connection reset", BROKEN),
             ("not found", NO_REMOTE))


def git_said(text) -> str:
    """Why git could not fetch from or push to the remote: Chinese for the usual reasons, else git's own line
    of complaint (its `fatal:` line, not the last line of its advice)."""
    text = str(text.args[0] if isinstance(text, Exception) and text.args else text).strip()
    for english, chinese in _GIT_SAYS:
        if english in text:
            return chinese
    lines = text.splitlines()
    return next((ln for ln in lines if ln.startswith("fatal:")), lines[-1] if lines else "")


def raised(e: BaseException, timeout: float | None = None) -> str | None:
    """Why a socket could not reach the other end, or None for an exception that is not about the network."""
    if isinstance(e, (TimeoutError, socket.timeout)):
        return f"{timeout:g} 秒内没有应答" if timeout else TIMED_OUT
    if isinstance(e, ConnectionRefusedError):
        return REFUSED
    if isinstance(e, socket.gaierror):
        return UNRESOLVED
    if isinstance(e, ssl.SSLError):
        return TLS
    if isinstance(e, ConnectionError):
        return BROKEN
    return None
