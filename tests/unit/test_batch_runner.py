"""The matcher's batch policy (``agent_support.BatchRunner``): a batch is acked only once it
was handled; a failure is retried; a batch that keeps failing stops the worker uncommitted;
cancellation is not retried. Runs the coroutines with ``asyncio.run``."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from services.matcher import agent_support
from services.matcher.agent_support import ATTEMPTS, BatchRunner
from services.matcher.diagnostics import StageTimer
from services.matcher.faust_guards import AckGuard

TOPIC = "jobmatch.clients.v1"


class _Message:  # Faust's Message is weak-referenceable; so must this be (AckGuard)
    def __init__(self, offset: int) -> None:
        self.topic, self.partition, self.offset = TOPIC, 0, offset


class _Event:
    def __init__(self, offset: int) -> None:
        self.message = _Message(offset)


class _Consumer:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, message: _Message) -> bool:
        self.acked.append(message.offset)
        return True


class _Heap:
    def __init__(self) -> None:
        self.batches = 0

    def after_batch(self) -> None:
        self.batches += 1


class _Stop(Exception):
    pass


def _runner() -> tuple[BatchRunner, _Consumer, dict[str, int], _Heap, StageTimer]:
    guard = AckGuard([TOPIC])
    consumer = _Consumer()
    guard.install(consumer)
    counters = {"batch_retries": 0}
    heap, timed = _Heap(), StageTimer()
    return BatchRunner(guard, timed, counters, cast(Any, heap)), consumer, counters, heap, timed


def _ack_all(consumer: Any, events: list[_Event]) -> None:
    for event in events:
        consumer.ack(event.message)  # the guarded ack Faust would call


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(_s: float) -> None:
        return None

    monkeypatch.setattr(agent_support.asyncio, "sleep", no_sleep)


def test_a_handled_batch_may_be_acked() -> None:
    runner, consumer, counters, heap, timed = _runner()
    events = [_Event(1), _Event(2)]
    calls: list[int] = []

    async def handler(evs: list[Any]) -> None:
        calls.append(len(evs))

    asyncio.run(runner(events, "match", handler))
    _ack_all(consumer, events)
    assert calls == [2]
    assert consumer.acked == [1, 2]
    assert counters["batch_retries"] == 0
    assert heap.batches == 1
    assert "match" in timed.seconds


def test_a_failure_is_retried_and_the_batch_acked_only_after() -> None:
    runner, consumer, counters, heap, _ = _runner()
    events = [_Event(7)]
    attempts: list[int] = []

    async def flaky(evs: list[Any]) -> None:
        attempts.append(1)
        _ack_all(consumer, events)  # an ack during a failing attempt must be refused
        if len(attempts) == 1:
            raise RuntimeError("broker hiccup")

    asyncio.run(runner(events, "match", flaky))
    assert len(attempts) == 2
    assert counters["batch_retries"] == 1
    assert consumer.acked == []  # both acks came before the batch was done
    _ack_all(consumer, events)
    assert consumer.acked == [7]
    assert heap.batches == 1


def test_a_batch_that_keeps_failing_stops_the_worker_uncommitted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    runner, consumer, counters, heap, _ = _runner()
    events = [_Event(3)]
    codes: list[int] = []

    def fake_exit(code: int) -> None:
        codes.append(code)
        raise _Stop

    monkeypatch.setattr(agent_support.os, "_exit", fake_exit)
    monkeypatch.setattr(agent_support.logging, "shutdown", lambda: None)
    attempts: list[int] = []

    async def broken(_evs: list[Any]) -> None:
        attempts.append(1)
        raise ValueError("poison")

    with pytest.raises(_Stop):
        asyncio.run(runner(events, "route", broken))
    assert len(attempts) == ATTEMPTS
    assert codes == [70]
    assert counters["batch_retries"] == ATTEMPTS - 1
    _ack_all(consumer, events)
    assert consumer.acked == []  # never handled, so never committable
    assert heap.batches == 0


def test_cancellation_is_not_retried_and_leaves_the_batch_unacked() -> None:
    runner, consumer, counters, _, _ = _runner()
    events = [_Event(4)]
    attempts: list[int] = []

    async def cancelled(_evs: list[Any]) -> None:
        attempts.append(1)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(runner(events, "match", cancelled))
    assert attempts == [1]
    assert counters["batch_retries"] == 0
    _ack_all(consumer, events)
    assert consumer.acked == []
