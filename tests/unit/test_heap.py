"""LongLivedHeap (services/heap.py): frozen state is skipped by the collector, a cycle that
dies frozen waits only for the next settle, and nothing is left frozen after close()."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from services.heap import LongLivedHeap, collector_paused


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def heap(clock: Clock) -> Iterator[LongLivedHeap]:
    h = LongLivedHeap(every_s=60.0, clock=clock)
    yield h
    h.close()


def _cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_a_full_pass_is_followed_by_a_freeze_at_the_next_batch(heap: LongLivedHeap) -> None:
    heap.after_batch()
    assert heap.freezes == 0  # no full pass yet
    gc.collect()  # a full pass, as CPython makes on its own
    heap.after_batch()
    assert heap.freezes == 1
    assert gc.get_freeze_count() > 0
    heap.after_batch()
    assert heap.freezes == 1  # once per full pass


def test_a_cycle_that_dies_frozen_is_reclaimed_by_the_next_settle(
        heap: LongLivedHeap, clock: Clock) -> None:
    alive = _cycle()
    held = alive()
    heap.settle()  # the cycle is alive: frozen with everything else
    del held
    gc.collect()
    assert alive() is not None  # frozen: the collector skips it
    clock.now += 61.0
    heap.after_batch()  # the interval passed: settle
    assert heap.settles == 2
    assert alive() is None


def test_settles_only_when_the_interval_passed(heap: LongLivedHeap, clock: Clock) -> None:
    clock.now += 59.0
    heap.after_batch()
    assert heap.settles == 0
    clock.now += 1.0
    heap.after_batch()
    assert heap.settles == 1


def test_close_unfreezes_and_stops_watching(clock: Clock) -> None:
    h = LongLivedHeap(every_s=60.0, clock=clock)
    h.settle()
    assert gc.get_freeze_count() > 0
    h.close()
    assert gc.get_freeze_count() == 0
    gc.collect()
    h.after_batch()
    assert h.freezes == 0  # the full pass after close() went unnoticed


def test_collector_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left off: it was off before
    finally:
        gc.enable()


def test_collector_paused_reenables_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("rebuild failed")
    assert gc.isenabled()
