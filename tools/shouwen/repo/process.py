"""Whether a process still runs, on POSIX and on Windows (a desk PC).

On Windows `os.kill(pid, 0)`, the POSIX way to ask, terminates the process (TerminateProcess with exit
code 0), so there the process table is asked instead through kernel32.
"""
from __future__ import annotations

import os

WINDOWS = os.name == "nt"
_STILL_ACTIVE = 259
_ACCESS_DENIED = 5
_QUERY_LIMITED_INFORMATION = 0x1000


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if WINDOWS:
        return _windows_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _windows_alive(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ctypes.get_last_error() == _ACCESS_DENIED       # it runs, under someone else
    try:
        code = wintypes.DWORD()
        return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
