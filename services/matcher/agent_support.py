"""Small pieces the matcher's agents (agents.py) share: where an event came from, making an
event Faust's current one, waiting for acknowledgements, and running a batch (retries, then
the acks)."""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from faust.streams import _current_event

from services.heap import LongLivedHeap
from services.matcher.diagnostics import StageTimer, offsets
from services.matcher.faust_guards import AckGuard
from services.matcher.routing import partition_for_region

__all__ = ["ATTEMPTS", "BatchRunner", "acknowledged", "handling", "in_partition", "position_of"]

log = logging.getLogger("services.matcher.agents")  # the agents' log, where operators look


def position_of(event: Any) -> str:
    msg = event.message
    return f"{msg.topic}/{msg.partition}/{msg.offset}"


@contextmanager
def handling(event: Any) -> Iterator[None]:
    """Make ``event`` Faust's current event: table reads and writes go to its partition."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


async def acknowledged(futures: list[Any]) -> None:
    """Wait until the broker acknowledged every send (raises if one failed)."""
    if futures:
        await asyncio.gather(*futures)


ATTEMPTS = 3  # tries of one batch before the worker stops


def in_partition(partition: int, partitions: int) -> Callable[[str], bool]:
    return lambda region: partition_for_region(region, partitions) == partition


class BatchRunner:
    """Handles a batch completely, then lets Faust ack its events (``AckGuard``).

    A failure is retried: the batch's events must not be acked unhandled, and Faust, left to
    itself, would restart the agent on the *next* events. A batch that keeps failing stops
    the worker without a commit, like a crash: its events are replayed after the restart (or
    by the partition's next owner). Cancellation (shutdown) is not retried: the events stay
    unacked for whoever reads the partition next."""

    def __init__(self, guard: AckGuard, timed: StageTimer, counters: dict[str, int],
                 heap: LongLivedHeap | None) -> None:
        self._guard, self._timed, self._counters, self._heap = guard, timed, counters, heap

    async def __call__(self, events: list[Any], stage: str,
                       handler: Callable[[list[Any]], Awaitable[None]]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._timed(stage):
                    await handler(events)
            except Exception:
                if attempt == ATTEMPTS:
                    log.critical("%s: batch %s failed %d times; stopping the worker "
                                 "without committing it", stage, offsets(events), attempt,
                                 exc_info=True)
                    logging.shutdown()
                    os._exit(70)  # EX_SOFTWARE; a graceful stop would commit what it can
                log.exception("%s: batch %s failed (attempt %d); retrying", stage,
                              offsets(events), attempt)
                self._counters["batch_retries"] += 1
                await asyncio.sleep(0.2 * attempt)
            else:
                self._guard.done(events)
                if self._heap is not None:
                    self._heap.after_batch()
                return
