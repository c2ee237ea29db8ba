"""The broker's pid file, and telling a live broker from a stale pid.

A pid file can outlive its process (reboot, SIGKILL, OOM) and the pid can then be reused by
an unrelated process, so a pid only counts if that process is still a Kafka JVM.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["BROKER_MAIN_CLASS", "is_broker_process", "live_pid", "remove", "write"]

BROKER_MAIN_CLASS = "kafka.Kafka"


def write(pid_file: Path, pid: int) -> None:
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n", encoding="utf-8")
    tmp.replace(pid_file)  # atomic: a concurrent `status` never reads half a number


def remove(pid_file: Path) -> None:
    pid_file.unlink(missing_ok=True)


def _read(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def _reap(pid: int) -> None:
    # When the broker was started by this very process (tests, `start` after `stop`), its exit
    # leaves a zombie that still answers kill(0); reaping it makes it really gone.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_broker_process(pid: int, proc_root: Path = Path("/proc")) -> bool:
    """True if ``pid`` is alive and, where /proc lets us check, is running the Kafka broker."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive but someone else's; the cmdline check below decides
    proc = proc_root / str(pid)
    if not proc_root.is_dir():
        return True  # no /proc (macOS): a live pid from our own pid file is the best we know
    try:
        stat = (proc / "stat").read_text(encoding="utf-8")
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
        return False
    return BROKER_MAIN_CLASS.encode() in cmdline


def live_pid(pid_file: Path, proc_root: Path = Path("/proc")) -> int | None:
    """The pid of the running broker, or None; a stale pid file is removed on the way."""
    pid = _read(pid_file)
    if pid is None:
        if pid_file.exists():
            remove(pid_file)
        return None
    if is_broker_process(pid, proc_root):
        return pid
    remove(pid_file)
    return None
