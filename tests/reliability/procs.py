"""Service subprocesses for the fault tests: logs to a file (scanned for personal data later),
stopped by their own pid only, and their memory read from /proc."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.integration.ingest.conftest import JOBMATCH

__all__ = ["rss_kb", "start", "stop", "wait_http", "wait_until"]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``jobmatch ARGS`` with stdout and stderr appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as fh:
        return subprocess.Popen([*JOBMATCH, *args], env=env, stdout=fh,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 20.0) -> int | None:
    """SIGTERM, then SIGKILL if it does not exit; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


def wait_until(condition: Callable[[], bool], timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    def up() -> bool:
        assert proc.poll() is None, f"server exited with {proc.returncode}"
        try:
            return httpx.get(url, timeout=1, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    assert wait_until(up, timeout_s, 0.2), f"{url} did not answer"


def rss_kb(pid: int) -> int | None:
    """Resident set size from /proc/PID/status (VmRSS), or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None
