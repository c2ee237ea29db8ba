"""Small pure aggregates the monitor keeps: histograms, windowed rates, percentiles, lag.

Everything here has bounded memory and no I/O, so it is tested in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Histogram",
    "PartitionLag",
    "TopicPartition",
    "WindowCounter",
    "partition_lags",
    "percentile",
    "sum_by_topic",
    "throughput",
]

# (topic, partition): a plain tuple so that this module needs no Kafka import.
TopicPartition = tuple[str, int]


@dataclass
class Histogram:
    """Fixed-width bins over [low, high]; values outside are clamped into the end bins."""

    bins: int = 20
    low: float = 0.0
    high: float = 1.0
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * self.bins

    def add(self, value: float) -> None:
        if math.isnan(value):
            return
        # Multiply rather than divide by the width, plus a hair: 0.95 // 0.05 is 18 in floats,
        # and a score on an edge belongs to the bin that the edge opens.
        index = math.floor((value - self.low) * self.bins / (self.high - self.low) + 1e-9)
        # The top edge belongs to the last bin: a perfect score of 1.0 is counted, not lost.
        self.counts[min(max(index, 0), self.bins - 1)] += 1

    def edges(self) -> list[float]:
        width = (self.high - self.low) / self.bins
        return [round(self.low + i * width, 10) for i in range(self.bins + 1)]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class WindowCounter:
    """Events per second over a recent window, by event time, in per-second buckets.

    Bucketing by the record's own timestamp (not by when the monitor read it) means that
    replaying a topic from the beginning at start-up does not show as a burst of activity.
    """

    horizon_s: int = 900
    buckets: dict[int, int] = field(default_factory=dict)

    def add(self, at_s: float, now_s: float) -> None:
        second = int(at_s)
        if second <= now_s - self.horizon_s:
            return  # older than anything we report: not worth a bucket
        self.buckets[second] = self.buckets.get(second, 0) + 1
        if len(self.buckets) > self.horizon_s + 60:
            self.prune(now_s)

    def prune(self, now_s: float) -> None:
        cutoff = now_s - self.horizon_s
        for second in [s for s in self.buckets if s <= cutoff]:
            del self.buckets[second]

    def rate(self, now_s: float, window_s: int) -> float:
        """Mean events per second over the last ``window_s`` seconds before ``now_s``."""
        start = now_s - window_s
        return sum(c for s, c in self.buckets.items() if start < s <= now_s) / window_s


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 < q <= 100) by the nearest-rank method; None for no values.

    Nearest rank always returns an observed value, so a p99 is a latency that really happened.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def throughput(
    before: Mapping[str, int], after: Mapping[str, int], seconds: float
) -> dict[str, float]:
    """Records per second per topic from two samples of its summed end offsets.

    A topic that shrank (deleted and recreated) reads 0, not a negative rate; a topic that
    appeared between the samples is counted from 0.
    """
    if seconds <= 0:
        return {topic: 0.0 for topic in after}
    return {
        topic: max(0, end - before.get(topic, 0)) / seconds for topic, end in after.items()
    }


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end: int
    committed: int | None  # None: the group has committed nothing for this partition
    lag: int


def partition_lags(
    end_offsets: Mapping[TopicPartition, int],
    committed: Mapping[TopicPartition, int | None],
    begin_offsets: Mapping[TopicPartition, int] | None = None,
) -> list[PartitionLag]:
    """Lag of one group per partition it has committed to.

    With no commit (or a negative one) the lag counts from the partition's first offset,
    which is what a consumer with ``auto.offset.reset=earliest`` still has to read.
    """
    lags = []
    for tp in sorted(committed):
        end = end_offsets.get(tp)
        if end is None:
            continue  # a topic the monitor does not track
        offset = committed[tp]
        if offset is None or offset < 0:
            start = (begin_offsets or {}).get(tp, 0)
            lags.append(PartitionLag(tp[0], tp[1], end, None, max(0, end - start)))
        else:
            lags.append(PartitionLag(tp[0], tp[1], end, offset, max(0, end - offset)))
    return lags


def sum_by_topic(offsets: Iterable[tuple[TopicPartition, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (topic, _), offset in offsets:
        totals[topic] = totals.get(topic, 0) + offset
    return totals
