"""A worker run with --web-port serves /metrics, /healthz and /readyz like every service."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.matcher.conftest import new_worker

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_worker_serves_health_and_metrics(kafka_bootstrap: str, tmp_path: Path) -> None:
    port = _free_port()
    worker = new_worker(kafka_bootstrap, tmp_path, ["--web-port", str(port)])
    worker.start()
    try:
        worker.wait_ready()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, worker.tail_log()
                time.sleep(0.5)
        assert ready.status_code == 200
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        metrics = httpx.get(f"{base}/metrics", timeout=5)
        assert metrics.status_code == 200
        assert "jobmatch_matcher_assigned_partitions" in metrics.text
        assert "process_resident_memory_bytes" in metrics.text
    finally:
        assert worker.stop() == 0, worker.tail_log()
