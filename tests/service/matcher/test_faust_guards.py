"""``AckGuard``: Faust may ack a message only once an agent has handled its event.

Real faust ``ConsumerMessage`` objects, acked the way faust-streaming's streams ack them
(``Message.ack(consumer)`` -> ``consumer.ack(message)``); the consumer is a stand-in that
records what became committable.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from faust.types.tuples import ConsumerMessage

from services.matcher.faust_guards import AckGuard, keep_queues_on_resume


@dataclass
class RecordingConsumer:
    committable: list[tuple[str, int]] = field(default_factory=list)

    def ack(self, message: Any) -> bool:
        message.acked = True
        self.committable.append((message.topic, message.offset))
        return True


@dataclass
class Event:
    message: Any


def _msg(topic: str, offset: int) -> ConsumerMessage:
    return ConsumerMessage(topic, 0, offset, 0.0, 0, None, b"k", b"v", None)


def test_an_unhandled_message_is_not_made_committable() -> None:
    """What faust-streaming does with a message it skips during a shutdown or rebalance, or
    with the events of a batch whose agent raised or was cancelled: it acks them."""
    consumer = RecordingConsumer()
    guard = AckGuard(["in"])
    guard.install(consumer)
    skipped = _msg("in", 23)
    assert skipped.ack(consumer) is False
    assert consumer.committable == []
    assert guard.refused == 1
    assert not skipped.acked  # still pending: re-read by whoever owns the partition next


def test_handled_events_and_other_topics_are_acked_as_usual() -> None:
    consumer = RecordingConsumer()
    guard = AckGuard(["in"])
    guard.install(consumer)
    guard.install(consumer)  # idempotent: one wrapper
    handled = [_msg("in", 1), _msg("in", 2)]
    guard.done(Event(m) for m in handled)
    for m in handled:
        assert m.ack(consumer) is True
    assert _msg("changelog", 7).ack(consumer) is True  # not a guarded topic
    assert consumer.committable == [("in", 1), ("in", 2), ("changelog", 7)]
    assert guard.refused == 0


def test_a_refused_message_can_be_acked_once_handled() -> None:
    """A skipped message handled later in the same process (after the rebalance's seek) is
    the same offset in a new message object; an old object marked done later also passes."""
    consumer = RecordingConsumer()
    guard = AckGuard(["in"])
    guard.install(consumer)
    msg = _msg("in", 5)
    assert msg.ack(consumer) is False
    guard.done([Event(msg)])
    assert msg.ack(consumer) is True
    assert consumer.committable == [("in", 5)]


def test_resuming_flow_keeps_what_is_queued() -> None:
    """faust-streaming resumes flow control after a rebalance's seek, and ``resume`` cleared
    every stream queue, dropping records already fetched past (guard 1)."""
    from mode.utils.queues import FlowControlEvent, FlowControlQueue

    async def scenario() -> None:
        flow = FlowControlEvent(initially_suspended=False)
        queue: FlowControlQueue[str] = FlowControlQueue(flow_control=flow,
                                                        clear_on_resume=True)
        keep_queues_on_resume(flow)
        queue.put_nowait("vacancies/1@32")
        flow.suspend()
        assert not flow.is_active()
        flow.resume()
        assert flow.is_active()
        assert queue.get_nowait() == "vacancies/1@32"
        queue.put_nowait("stale")
        flow.clear()  # the explicit clear on revocation still clears
        assert queue.empty()

    asyncio.run(scenario())
