"""Histograms, windowed rates, percentiles, throughput and lag."""

from __future__ import annotations

from services.monitor.aggregates import (
    Histogram,
    WindowCounter,
    partition_lags,
    percentile,
    sum_by_topic,
    throughput,
)


def test_histogram_bins_and_edges() -> None:
    h = Histogram(bins=4)
    for value in (0.0, 0.1, 0.25, 0.6, 0.99, 1.0, 1.7, -0.2, float("nan")):
        h.add(value)
    assert h.counts == [3, 1, 1, 3]  # 1.0 and the clamped 1.7 land in the last bin
    assert h.edges() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert h.total == 8


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 99) == 3.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(list(reversed(values)), 100) == 100.0
    assert percentile([1.0, 2.0], 50) == 1.0


def test_window_counter_rates_by_event_time() -> None:
    w = WindowCounter(horizon_s=60)
    now = 1_000_000.0
    for i in range(30):
        w.add(now - i, now)
    w.add(now - 3600, now)  # a replayed old record: not a burst now
    assert w.rate(now, 30) == 1.0
    assert w.rate(now, 10) == 1.0
    assert w.rate(now + 100, 30) == 0.0


def test_window_counter_stays_bounded() -> None:
    w = WindowCounter(horizon_s=10)
    for i in range(1000):
        w.add(float(i), float(i))
    assert len(w.buckets) <= 10 + 60


def test_throughput_from_end_offset_deltas() -> None:
    rates = throughput({"a": 100, "b": 50}, {"a": 160, "b": 40, "c": 10}, 2.0)
    assert rates == {"a": 30.0, "b": 0.0, "c": 5.0}
    assert throughput({}, {"a": 5}, 0) == {"a": 0.0}


def test_sum_by_topic() -> None:
    assert sum_by_topic([(("a", 0), 5), (("a", 1), 7), (("b", 0), 1)]) == {"a": 12, "b": 1}


def test_partition_lag() -> None:
    end = {("t", 0): 100, ("t", 1): 50, ("t", 2): 10}
    committed: dict[tuple[str, int], int | None] = {
        ("t", 0): 90, ("t", 1): None, ("t", 2): 12, ("other", 0): 3}
    lags = partition_lags(end, committed, {("t", 1): 20})
    assert [(p.partition, p.committed, p.lag) for p in lags] == [(0, 90, 10), (1, None, 30),
                                                                 (2, 12, 0)]
