"""The monitor's settings: one frozen object, built at the entry point and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from schemas.topics import CLIENTS, DEADLETTERS, REFERRALS, TOPICS, VACANCIES

__all__ = ["MonitorConfig"]


@dataclass(frozen=True)
class MonitorConfig:
    bootstrap_servers: str
    # Consumer groups to watch; empty means every group the cluster lists.
    groups: tuple[str, ...] = ()
    # (name, URL) of services whose /healthz the monitor polls.
    health_urls: tuple[tuple[str, str], ...] = ()
    poll_interval_s: float = 2.0
    # Ring buffer sizes: memory stays bounded however long the monitor runs.
    series_points: int = 300  # 10 minutes at one sample every 2 s
    latency_samples: int = 5000
    dead_letters_kept: int = 50
    distinct_reasons_kept: int = 200
    score_bins: int = 20
    rate_window_s: int = 300
    # Equality monitor.
    min_group_size: int = 10
    impact_threshold: Fraction = Fraction(4, 5)
    # Topics whose end offsets give throughput: all of the project's topics.
    throughput_topics: tuple[str, ...] = tuple(t.name for t in TOPICS)
    clients_topic: str = CLIENTS.name
    vacancies_topic: str = VACANCIES.name
    referrals_topic: str = REFERRALS.name
    deadletters_topic: str = DEADLETTERS.name

    @property
    def consumed_topics(self) -> tuple[str, ...]:
        return (self.clients_topic, self.vacancies_topic, self.referrals_topic,
                self.deadletters_topic)

    @property
    def bootstrap_list(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]
