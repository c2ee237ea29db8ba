"""Broker outage in the middle of a file: nothing lost, and the summary tells the truth.

This is the one test that stops the shared broker; it restarts it and waits until it is up
again before finishing, whatever happens (try/finally).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from schemas import CLIENTS
from services.ingest.synthetic import client_record
from services.kafka_local import broker
from services.kafka_local.topics_admin import is_up, wait_until_up
from services.settings import load_settings
from tests.integration.ingest.conftest import JOBMATCH, end_offsets, ingest_env, read_since

pytestmark = [pytest.mark.integration, pytest.mark.slow]

N = 60_000


def test_broker_stopped_and_restarted_mid_file(kafka_bootstrap: str, run_id: str,
                                               tmp_path: Path) -> None:
    settings = load_settings()
    _, managed = broker.bootstrap_for(settings)
    if not managed:
        pytest.skip("the broker is external (KAFKA_BOOTSTRAP_SERVERS); this test stops ours")
    path = tmp_path / "clients.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(json.dumps(client_record(f"{run_id}-{i}")) + "\n")
    start = end_offsets(kafka_bootstrap, CLIENTS.name)

    proc = subprocess.Popen([*JOBMATCH, "ingest", "clients", str(path), "--json"],
                            env=ingest_env(kafka_bootstrap), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    stopped_at = None
    try:
        time.sleep(1.5)  # part of the file is acknowledged, the rest is in flight
        assert proc.poll() is None, "ingest finished before the outage; make the file bigger"
        broker.stop(settings)
        stopped_at = time.monotonic()
        assert not is_up(kafka_bootstrap, timeout_s=1.0)
        time.sleep(3)
    finally:
        broker.start(settings)
        assert wait_until_up(kafka_bootstrap, 90.0), "broker did not come back"
    down_s = time.monotonic() - (stopped_at or time.monotonic())
    out, err = proc.communicate(timeout=150)
    assert proc.returncode == 0, err[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary == {"read": N, "published": N, "rejected": 0}, summary

    prefix = f"{run_id}-".encode()
    records = read_since(kafka_bootstrap, start, lambda r: (r.key or b"").startswith(prefix),
                         lambda kept: len(kept) >= N, timeout_s=60)
    keys = [r.key for r in records]
    assert len(set(keys)) == N, f"lost {N - len(set(keys))} (broker down {down_s:.0f}s)"
    assert len(keys) == N, f"{len(keys) - N} duplicates"
