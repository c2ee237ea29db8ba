"""Small pieces the matcher's agents (agents.py) share: where an event came from, making an
event Faust's current one, waiting for acknowledgements, and the retry budget."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from faust.streams import _current_event

from services.matcher.routing import partition_for_region

__all__ = ["ATTEMPTS", "acknowledged", "handling", "in_partition", "position_of"]


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

