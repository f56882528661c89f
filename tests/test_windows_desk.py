"""A Windows desk PC: nothing on the write path may call what is POSIX-only there. os.kill(pid, 0), the POSIX
way to ask whether a process runs, terminates that process on Windows (TerminateProcess)."""
from shouwen.repo import journal, process


def test_a_windows_desk_asks_whether_a_writer_runs_without_os_kill(monkeypatch):
    killed = []
    monkeypatch.setattr(process.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    monkeypatch.setattr(process, "WINDOWS", True)
    monkeypatch.setattr(process, "_windows_alive", lambda pid: pid == 4242)   # what Windows' process table says
    assert journal.pid_alive(4242) and not journal.pid_alive(4243)
    assert killed == []                               # no process terminated by asking after it
