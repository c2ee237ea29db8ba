"""SIGKILL the file ingest worker in the middle of a file, then run it again: every record is
on the topic, latest per key, and the only duplicates are re-sends of the very same record."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from schemas import CLIENTS
from services.ingest.synthetic import client_record
from tests.integration.ingest.conftest import end_offsets, ingest_env
from tests.reliability import procs
from tests.reliability.accounting import Ledger
from tests.reliability.topics import canonical, observe_topic

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

N = 40_000


def _wait_for_first(bootstrap: str, start: dict[TopicPartition, int], prefix: bytes,
                    proc: subprocess.Popen[bytes],
                    timeout_s: float = 30.0) -> int:
    """How many of ours are on the topic once at least one is (the kill point)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False)
    seen = 0
    try:
        consumer.assign(list(start))
        for tp, off in start.items():
            consumer.seek(tp, off)
        deadline = time.monotonic() + timeout_s
        while seen == 0 and time.monotonic() < deadline and proc.poll() is None:
            for batch in consumer.poll(timeout_ms=50).values():
                seen += sum(1 for r in batch if (r.key or b"").startswith(prefix))
        return seen
    finally:
        consumer.close()


def test_sigkill_mid_file_then_rerun_loses_nothing(kafka_bootstrap: str, run_id: str,
                                                   tmp_path: Path) -> None:
    ledger = Ledger(run_id)
    path = tmp_path / "clients.jsonl"
    expected: dict[str, bytes] = {}
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(N):
            cid = ledger.new_id("c")
            rec = client_record(cid)
            fh.write(json.dumps(rec) + "\n")
            expected[cid] = canonical("client", rec)
    start = end_offsets(kafka_bootstrap, CLIENTS.name)
    env = ingest_env(kafka_bootstrap)
    log = tmp_path / "ingest.log"

    proc = procs.start(["ingest", "clients", str(path), "--json"], env, log)
    try:
        at_kill = _wait_for_first(kafka_bootstrap, start, f"{run_id}-".encode(), proc)
        assert proc.poll() is None, "ingest finished before the kill; make the file bigger"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        procs.stop(proc)
    assert at_kill > 0 and proc.returncode == -signal.SIGKILL

    rerun = procs.start(["ingest", "clients", str(path), "--json"], env, log)
    assert rerun.wait(timeout=120) == 0, log.read_text()[-2000:]
    summary = json.loads(log.read_text().strip().splitlines()[-1])
    assert summary == {"read": N, "published": N, "rejected": 0}
    for cid, value in expected.items():  # the rerun's acknowledgements
        ledger.ack("state", cid, value)

    prefix = f"{run_id}-".encode()
    read = observe_topic(ledger, "state", kafka_bootstrap, start,
                         keep=lambda r: (r.key or b"").startswith(prefix),
                         done=lambda n: n >= N)
    report = ledger.report()
    state = report.outcomes["state"]
    print(f"\nkilled after >= {at_kill} records on the topic; read back {read}; "
          f"re-sends {state.duplicate}\n{report.table()}")
    # Re-sends of the same record are allowed (idempotent by key + updated_at); nothing else.
    assert report.clean(allow_duplicates={"state"}) == []
    assert state.unacknowledged == ()
    assert read == N + state.duplicate
