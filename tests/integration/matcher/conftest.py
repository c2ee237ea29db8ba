"""Integration fixtures for the streaming matcher: real broker, workers as subprocesses.

Isolation: each worker gets a unique app id, so its consumer group and internal topics
(regional topic, table changelogs) are its own. The canonical input topics are shared, so
before a worker starts its group's offsets are committed at the current ends of the input
topics: the worker sees only what the test publishes from then on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from schemas.topics import CLIENTS, REFERRALS, VACANCIES
from services.offsets import commit_at_end, group_lag

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
JOBMATCH = str(Path(sys.executable).parent / "jobmatch")


class Producer:
    def __init__(self, bootstrap: str) -> None:
        from kafka import KafkaProducer

        self._p = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)

    def send(self, topic: str, key: str, value: dict[str, Any] | None) -> None:
        self._p.send(topic, key=key.encode(),
                     value=None if value is None else json.dumps(value).encode())

    def flush(self) -> None:
        self._p.flush(timeout=30)

    def close(self) -> None:
        self._p.close()


class OutputReader:
    """Reads the referrals topic from the offsets it had when created."""

    def __init__(self, bootstrap: str, topic: str = REFERRALS.name) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self._c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
        tps = [TopicPartition(topic, p) for p in self._c.partitions_for_topic(topic)]
        self._c.assign(tps)
        for tp, off in self._c.end_offsets(tps).items():
            self._c.seek(tp, off)
        self.records: list[dict[str, Any]] = []
        # A record is counted once per position: should the client ever hand the same
        # (partition, offset) back twice, that is the reader's artefact, not a duplicate on the
        # topic, which is what the tests count (a duplicate referral has its own offset).
        self._seen: set[tuple[int, int]] = set()

    def poll(self, seconds: float = 1.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for recs in self._c.poll(timeout_ms=200).values():
                for r in recs:
                    if (r.partition, r.offset) in self._seen or r.value is None:
                        continue
                    self._seen.add((r.partition, r.offset))
                    self.records.append(json.loads(r.value))

    def mine(self, prefix: str) -> list[dict[str, Any]]:
        """This test's records: the input topics are shared with other tests (and people)."""
        return [r for r in self.records
                if r["client_id"].startswith(prefix) and r["vacancy_id"].startswith(prefix)]

    def wait_for(self, prefix: str, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.mine(prefix)) < count:
            self.poll(0.5)
        return self.mine(prefix)

    def settle(self, prefix: str, quiet: float = 3.0, timeout: float = 120.0
               ) -> list[dict[str, Any]]:
        """Read until nothing new for ``prefix`` arrives for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        last, seen = time.monotonic(), -1
        while time.monotonic() < deadline:
            self.poll(0.5)
            n = len(self.mine(prefix))
            if n != seen:
                seen, last = n, time.monotonic()
            elif time.monotonic() - last >= quiet:
                break
        return self.mine(prefix)

    def close(self) -> None:
        self._c.close()


@dataclass
class Worker:
    """A ``jobmatch matcher`` subprocess."""

    bootstrap: str
    app_id: str
    data_dir: Path
    log: Path
    extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    clients_topic: str = CLIENTS.name
    vacancies_topic: str = VACANCIES.name
    worker_id: str = "w1"

    @property
    def status_file(self) -> Path:
        return self.data_dir.parent / f"{self.app_id}.{self.worker_id}.status.json"

    def start(self) -> None:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap}
        argv = [JOBMATCH, "matcher", "--app-id", self.app_id, "--worker-id", self.worker_id,
                "--store", "rocksdb", "--data-dir", str(self.data_dir),
                "--commit-interval", "0.5", "--status-file", str(self.status_file),
                "--clients-topic", self.clients_topic, "--vacancies-topic", self.vacancies_topic,
                *self.extra]
        self.status_file.unlink(missing_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=log)

    def status(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.status_file.read_text()))
        except (OSError, ValueError):
            return {}

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Ready: partitions assigned (the status file lists them)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.tail_log()
            if self.status().get("assigned"):
                return
            time.sleep(0.3)
        raise AssertionError("worker not ready:\n" + self.tail_log())

    def wait_consumed(self, timeout: float = 120.0) -> None:
        """Everything published so far was processed (and committed) by this worker."""
        topics = [self.clients_topic, self.vacancies_topic, f"{self.app_id}-regional"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.tail_log()
            if group_lag(self.bootstrap, self.app_id, topics[:2]) == 0 and \
                    group_lag(self.bootstrap, self.app_id, topics[2:]) == 0:
                return
            time.sleep(0.5)
        raise AssertionError("worker did not catch up:\n" + self.tail_log())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def tail_log(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def new_worker(bootstrap: str, tmp: Path, extra: list[str] | None = None, *,
               clients_topic: str = CLIENTS.name, vacancies_topic: str = VACANCIES.name
               ) -> Worker:
    """A worker with a fresh app id, starting at the current ends of its input topics."""
    app_id = f"it-matcher-{uuid.uuid4().hex[:10]}"
    commit_at_end(bootstrap, app_id, [clients_topic, vacancies_topic])
    return Worker(bootstrap, app_id, tmp / app_id / "data", tmp / f"{app_id}.log",
                  extra or [], clients_topic=clients_topic, vacancies_topic=vacancies_topic)


def private_topics(bootstrap: str, prefix: str) -> tuple[str, str]:
    """Input topics of this run alone (same partitions and configs as the canonical ones), so
    that other tests' records never reach the worker under measurement."""
    from dataclasses import replace

    from services.kafka_local.topics_admin import ensure_topics

    specs = [replace(CLIENTS, name=f"{prefix}clients"),
             replace(VACANCIES, name=f"{prefix}vacancies")]
    ensure_topics(bootstrap, specs)
    return specs[0].name, specs[1].name


@pytest.fixture
def worker_factory(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Any]:
    started: list[Worker] = []

    def make(extra: list[str] | None = None) -> Worker:
        w = new_worker(kafka_bootstrap, tmp_path, extra)
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()


def count_by_id(records: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((r["referral_id"], r["kind"]) for r in records)
