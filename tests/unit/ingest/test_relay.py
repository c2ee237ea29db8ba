"""The relay's own robustness (no Kafka): a record that crashes processing for any reason is
dead-lettered with its position and the partition moves on; broker errors are not swallowed."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from schemas import DEADLETTERS, RAW_CLIENTS, Rejected, Valid
from services.errors import BrokerUnavailable
from services.ingest import pipeline
from services.ingest.relay import relay_batch, run_relay
from services.ingest.synthetic import client_record
from services.ingest.testing import FakePublisher

_BOOM = b'{"boom": true}'


def _rec(offset: int, value: bytes | None, key: bytes = b"k") -> SimpleNamespace:
    return SimpleNamespace(topic=RAW_CLIENTS.name, partition=3, offset=offset, key=key,
                           value=value)


@pytest.fixture
def crashing_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.check

    def check(kind: Any, raw: Any) -> Valid | Rejected:
        if raw == _BOOM:
            raise RuntimeError("a bug, not bad data")
        return real(kind, raw)

    monkeypatch.setattr(pipeline, "check", check)


@pytest.mark.usefixtures("crashing_check")
def test_a_record_that_crashes_processing_is_dead_lettered_with_its_position() -> None:
    publisher = FakePublisher()
    good = json.dumps(client_record("ok-1")).encode()
    acc = relay_batch([_rec(10, good), _rec(11, _BOOM), _rec(12, good)], publisher)
    assert (acc.read, acc.published, acc.rejected, acc.failed) == (3, 2, 1, 0)
    [letter] = [json.loads(s.value or b"") for s in publisher.on(DEADLETTERS.name)]
    assert letter["position"] == f"{RAW_CLIENTS.name}/3/11"
    assert letter["reason"] == "record could not be processed (RuntimeError)"


@pytest.mark.parametrize("error", [KafkaTimeoutError("buffer full"),
                                   BrokerUnavailable("gone")])
def test_broker_errors_are_not_dead_lettered(monkeypatch: pytest.MonkeyPatch,
                                             error: Exception) -> None:
    def submit(*_args: Any) -> None:
        raise error

    monkeypatch.setattr(pipeline.Ingestor, "submit", submit)
    with pytest.raises(type(error)):
        relay_batch([_rec(1, b"{}")], FakePublisher())


@pytest.mark.usefixtures("crashing_check")
def test_the_relay_commits_past_a_crashing_record() -> None:
    class Consumer:
        def __init__(self) -> None:
            self.batches = [{("t", 3): [_rec(5, _BOOM)]}]
            self.commits: list[dict[Any, Any]] = []

        def poll(self, **_kw: Any) -> dict[Any, Any]:
            return self.batches.pop(0) if self.batches else {}

        def commit(self, offsets: dict[Any, Any]) -> None:
            self.commits.append(offsets)

    consumer = Consumer()
    stats = run_relay(consumer, FakePublisher(), idle_timeout_s=0, poll_timeout_ms=1)
    assert (stats.read, stats.rejected) == (1, 1)
    assert [o.offset for c in consumer.commits for o in c.values()] == [6]



class _ScriptedConsumer:
    """Answers polls from a script; ``assigned`` says, per poll, whether it holds partitions."""

    def __init__(self, batches: list[dict[Any, Any] | Exception], assigned: list[bool],
                 commit_error: Exception | None = None) -> None:
        self.batches, self.assigned, self.commit_error = batches, assigned, commit_error
        self.polls = 0
        self.commits: list[dict[Any, Any]] = []

    def poll(self, **_kw: Any) -> dict[Any, Any]:
        self.polls += 1
        answer = self.batches.pop(0) if self.batches else {}
        if isinstance(answer, Exception):
            raise answer
        return answer

    def assignment(self) -> set[Any]:
        held = self.assigned[min(self.polls, len(self.assigned)) - 1]
        return {("t", 3)} if held else set()

    def commit(self, offsets: dict[Any, Any]) -> None:
        if self.commit_error is not None:
            raise self.commit_error
        self.commits.append(offsets)


def test_a_failed_commit_is_not_fatal() -> None:
    good = json.dumps(client_record("ok-1")).encode()
    consumer = _ScriptedConsumer([{("t", 3): [_rec(1, good)]}, {("t", 3): [_rec(2, good)]}],
                                 [True], KafkaConnectionError("111 ECONNREFUSED"))
    stats = run_relay(consumer, FakePublisher(), idle_timeout_s=0, poll_timeout_ms=1)
    assert (stats.read, stats.published) == (2, 2)
    assert consumer.commits == []


def test_the_idle_clock_waits_for_an_assignment() -> None:
    # Three empty polls without partitions (a group join), then a record: with a zero idle
    # timeout the relay must still be there to read it.
    good = json.dumps(client_record("ok-1")).encode()
    consumer = _ScriptedConsumer([{}, {}, {}, {("t", 3): [_rec(1, good)]}],
                                 [False, False, False, True])
    stats = run_relay(consumer, FakePublisher(), idle_timeout_s=0, poll_timeout_ms=1)
    assert stats.published == 1
    assert [o.offset for c in consumer.commits for o in c.values()] == [2]


def test_a_broker_outage_during_poll_is_waited_out() -> None:
    # kafka-python raises from poll() when the group's coordinator cannot be reached (the
    # broker restarting); the relay once exited there. The record after it must still be read.
    good = json.dumps(client_record("ok-1")).encode()
    consumer = _ScriptedConsumer([KafkaConnectionError("111 ECONNREFUSED"),
                                  {("t", 3): [_rec(1, good)]}], [True])
    stats = run_relay(consumer, FakePublisher(), idle_timeout_s=0, poll_timeout_ms=1)
    assert stats.published == 1
    assert [o.offset for c in consumer.commits for o in c.values()] == [2]
