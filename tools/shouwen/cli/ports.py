"""A local port for a server the clerk starts (the desk page, the site's preview), asked before it starts:
the servers behind them say a taken port in English, or with a traceback (MkDocs)."""
from __future__ import annotations

import os
import socket

from ..core.problems import InputError


def refuse_taken(host: str, port: int, option: str, example: str) -> None:
    """Exit 2 naming the port and the option to change it, when another program holds it."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        if os.name != "nt":     # as the servers bind: a port left in TIME_WAIT by the last run is free to them
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError:
            raise InputError(f"{host}:{port} 的端口 {port} 已被其他程序占用（也许它已经开着）："
                             f"请关闭它，或用 {option} 换一个，例如 {example}") from None
