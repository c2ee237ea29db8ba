"""Two guards against faust-streaming 0.15.3 losing input records around a rebalance.

1. **Queued records dropped when flow control resumes.** After a rebalance, Faust resumes the
   stream partitions while flow control is already active (it was resumed to read the
   changelogs), awaits the seek to the committed offsets, and only then calls
   ``flow_control.resume()``, which *clears every stream's queue*. Records fetched in
   between and still queued are dropped, though the fetch position is already past them: the
   stream goes on with the next ones. A gap of one record is then committed past, too
   (Faust's gap check is off by one: ``min(acked) - committed > 1``). Seen in the
   1 -> 2 -> 1 scaling test: vacancies/1 offset 32 skipped between a worker's first two
   batches after it took its partitions back, so that vacancy was never routed (3 referrals
   lost). ``keep_queues_on_resume`` makes ``resume`` stop clearing: records of the current
   generation are kept; records of an older generation are still skipped by the stream
   (generation check), and guard 2 keeps them uncommitted; the seek re-fetches them. A
   record may then arrive twice (fetched before and after the seek): the agents are
   idempotent (an equal ``updated_at`` is a replay).

2. **Acks of records no agent handled.** ``Stream.__aiter__`` acks ("so that the lag does
   not grow") the records it skips while flow control is suspended (a rebalance or shutdown
   in progress) or that come from an older consumer generation; and ``Stream.take_events``
   acks every event of a batch in a ``finally``, also when the agent raised or was cancelled
   halfway through it. An ack makes the offset committable, so the group's next owner of the
   partition would resume after records whose outputs were never sent. ``AckGuard`` wraps the
   consumer's ``ack``: a record of a guarded topic is acked only once an agent marked its
   event done, after the whole batch was handled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from weakref import WeakSet

__all__ = ["AckGuard", "keep_queues_on_resume"]

log = logging.getLogger(__name__)


class AckGuard:
    """Refuses acks of messages of ``topics`` that the agents did not mark done."""

    def __init__(self, topics: Iterable[str]) -> None:
        self.topics = frozenset(topics)
        self._done: WeakSet[Any] = WeakSet()  # faust Messages (weak-referenceable)
        self._consumer: Any = None
        self.refused = 0

    def install(self, consumer: Any) -> None:
        """Wrap ``consumer.ack`` (once per consumer; Faust calls ``consumer.ack(message)``
        from ``Message.on_final_ack``, so an instance attribute takes effect)."""
        if self._consumer is consumer:
            return
        ack = consumer.ack

        def guarded_ack(message: Any) -> bool:
            if message.topic in self.topics and message not in self._done:
                self.refused += 1
                # Rare (a rebalance or shutdown in progress), and worth seeing when it happens.
                log.info("ack refused, not handled: %s/%s/%s", message.topic,
                         message.partition, message.offset)
                return False
            self._done.discard(message)
            return bool(ack(message))

        consumer.ack = guarded_ack
        self._consumer = consumer

    def done(self, events: Iterable[Any]) -> None:
        """The agent finished these events: their acks may go through."""
        for event in events:
            self._done.add(event.message)


def keep_queues_on_resume(flow_control: Any) -> None:
    """Make ``flow_control.resume()`` resume without clearing the managed queues (guard 1).

    ``flow_control`` is the app's ``mode.utils.queues.FlowControlEvent``; the explicit
    ``flow_control.clear()`` Faust calls when partitions are revoked still clears."""

    def resume() -> None:
        flow_control._suspend.clear()
        flow_control._resume.set()

    flow_control.resume = resume
