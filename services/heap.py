"""Keeping Python's cyclic garbage collector off the matcher's long-lived state.

A worker holds hundreds of thousands of long-lived objects (profiles, features, postings).
CPython's full collection walks every tracked object, and it runs whenever the objects that
survived younger collections reach a quarter of the long-lived ones: at 20,000 clients, a
full pass took ~0.3 s and full passes took a fifth of the engine benchmark's CPU time
(bench/bench_engine_stream.py prints them). Almost none of that state is ever cyclic garbage:
it is freed by reference counting when a record is replaced.

``LongLivedHeap`` freezes what is alive (``gc.freeze``: later collections skip it):

- after each full collection CPython makes on its own (``after_batch`` then freezes what
  survived it), so the next full pass walks only what survived since: each object is walked
  about once instead of at every full pass;
- and every ``every_s`` seconds it unfreezes, collects everything and freezes again
  (``settle``). Frozen objects are still freed by reference counting; only one that later
  dies *in a cycle* waits for the next settle, so what such cycles hold is bounded by what
  one interval makes.

The worker calls ``after_batch`` between batches, never inside the collector's callback: it
only notes that a full pass happened.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["LongLivedHeap", "collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while bulk-building long-lived state (a rebuild from the tables
    makes hundreds of thousands of objects and almost no garbage): full passes over the
    growing heap were a quarter of a 40,000-client rebuild's time. Restored afterwards as it
    was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class LongLivedHeap:
    def __init__(self, every_s: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self._clock = clock
        self._last = clock()
        self._full_pass = False
        self.settles = 0
        self.freezes = 0
        self.last_settle_s = 0.0
        gc.callbacks.append(self._on_gc)

    def close(self) -> None:
        """Stop watching the collector and give every object back to it."""
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        gc.unfreeze()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self._full_pass = True

    def settle(self) -> None:
        """Collect everything, then freeze what survived."""
        began = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._full_pass = False
        self.last_settle_s = time.perf_counter() - began
        self.settles += 1
        self._last = self._clock()

    def after_batch(self) -> None:
        """``settle`` when ``every_s`` passed since the last one; else freeze what survived
        a full pass made since the last call."""
        if self._clock() - self._last >= self.every_s:
            self.settle()
        elif self._full_pass:
            self._full_pass = False
            gc.freeze()
            self.freezes += 1
