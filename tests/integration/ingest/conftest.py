"""Helpers for ingest integration tests: real broker, canonical topics, unique ids per run.

Other tests share the broker and the canonical topics, so each test captures the end offsets
before it starts, tags its records with a unique id prefix, and reads back only those.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from schemas import DEADLETTERS, DeadLetter
from services import offsets

JOBMATCH = [str(Path(sys.executable).with_name("jobmatch"))]

pytestmark = pytest.mark.integration


@pytest.fixture
def run_id() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def ingest_env(bootstrap: str, home: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    if home is not None:
        env["JOBMATCH_HOME"] = str(home)
    return env


def jobmatch(args: list[str], env: dict[str, str], timeout: float = 120.0
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*JOBMATCH, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """``services.offsets.end_offsets`` keyed by TopicPartition, as consumers' ``seek`` wants."""
    return {TopicPartition(topic, p): off
            for p, off in sorted(offsets.end_offsets(bootstrap, topic).items())}


def read_since(bootstrap: str, start: dict[TopicPartition, int],
               keep: Callable[[Any], bool], until: Callable[[list[Any]], bool],
               timeout_s: float = 60.0) -> list[Any]:
    """Records after ``start`` that ``keep`` selects, until ``until(kept)`` or the timeout."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None)
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        kept: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not until(kept):
            for batch in consumer.poll(timeout_ms=500, max_records=5000).values():
                kept.extend(r for r in batch if keep(r))
        # Drain a little more: catches duplicates that arrive after the expected set.
        for batch in consumer.poll(timeout_ms=1000).values():
            kept.extend(r for r in batch if keep(r))
        return kept
    finally:
        consumer.close()


def dead_letters_since(bootstrap: str, start: dict[TopicPartition, int], marker: str,
                       expected: int, timeout_s: float = 60.0) -> list[DeadLetter]:
    records = read_since(bootstrap, start, lambda r: marker.encode() in (r.value or b""),
                         lambda kept: len(kept) >= expected, timeout_s)
    return [DeadLetter.model_validate_json(r.value) for r in records]


@pytest.fixture
def dlq_start(kafka_bootstrap: str) -> dict[TopicPartition, int]:
    return end_offsets(kafka_bootstrap, DEADLETTERS.name)
