"""The monitor's own Prometheus metrics, read from its state at scrape time.

A custom collector rather than gauges set by the collector threads: one source of truth, and
a scrape always sees one consistent snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from services.monitor.aggregates import percentile
from services.monitor.state import MonitorState

__all__ = ["StateCollector"]


class StateCollector(Collector):
    def __init__(self, state: MonitorState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        s = self.state
        with s.lock:
            end = GaugeMetricFamily("jobmatch_topic_end_offset",
                                    "Sum of the topic's partition end offsets.", labels=["topic"])
            rate = GaugeMetricFamily("jobmatch_topic_records_per_second",
                                     "Records appended per second (end-offset delta).",
                                     labels=["topic"])
            for topic, offset in s.end_by_topic.items():
                end.add_metric([topic], offset)
                rate.add_metric([topic], s.rates.get(topic, 0.0))
            lag = GaugeMetricFamily("jobmatch_consumer_group_lag",
                                    "Records not yet consumed by the group, per partition.",
                                    labels=["group", "topic", "partition"])
            members = GaugeMetricFamily("jobmatch_consumer_group_members",
                                        "Members of the consumer group.", labels=["group"])
            for g in s.groups:
                members.add_metric([g.sample.group_id], len(g.sample.members))
                for p in g.lags:
                    lag.add_metric([g.sample.group_id, p.topic, str(p.partition)], p.lag)
            dead = CounterMetricFamily("jobmatch_dead_letters",
                                       "Dead letters read since the monitor started (from the "
                                       "topic's beginning).", labels=["source"])
            for source, count in s.dead_by_source.items():
                dead.add_metric([source], count)
            refs = CounterMetricFamily("jobmatch_referral_records",
                                       "Referral-topic records by kind.", labels=["kind"])
            refs.add_metric(["referral"], s.totals["referrals"])
            refs.add_metric(["withdrawal"], s.totals["withdrawals"])
            active = GaugeMetricFamily("jobmatch_active_referrals",
                                       "Referrals not withdrawn.", value=len(s.active))
            latency = GaugeMetricFamily("jobmatch_matching_latency_seconds",
                                        "Matching latency proxy over recent referrals.",
                                        labels=["quantile"])
            samples = list(s.latencies)
            for q in (50, 99):
                value = percentile(samples, q)
                if value is not None:
                    latency.add_metric([str(q / 100)], value)
            flags = GaugeMetricFamily("jobmatch_equality_flags",
                                      "Monitoring groups with an impact ratio under the "
                                      "threshold.", labels=["dimension"])
            for report in s.equality():
                flags.add_metric([report.dimension], len(report.flagged))
            ready = GaugeMetricFamily("jobmatch_monitor_caught_up",
                                      "1 once the monitor has read the topics to their end.",
                                      value=int(s.caught_up))
        yield from (end, rate, lag, members, dead, refs, active, latency, flags, ready)
