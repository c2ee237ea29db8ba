"""The monitor's in-memory state: what the collector feeds in, what the web app reads. No I/O.

Two feeds, each a plain method so tests drive them with literal records:

- ``apply(topic, key, value, timestamp_ms)``: one record of a consumed topic.
- ``record_offsets(OffsetSample)``: end offsets and consumer groups, polled every few seconds.

Memory is bounded by the data's own size (one small entry per client, vacancy and active
referral) plus fixed-size ring buffers; nothing grows with time. Of a client profile only the
status, consent and monitoring groups are kept: the rest is never needed here.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.monitor.aggregates import (
    Histogram,
    PartitionLag,
    TopicPartition,
    WindowCounter,
    partition_lags,
    sum_by_topic,
    throughput,
)
from services.monitor.config import MonitorConfig
from services.monitor.equality import DIMENSIONS, DimensionReport, equality_report, group_labels
from services.monitor.redaction import dead_letter_view, reason_key

__all__ = ["ClientView", "GroupSample", "MonitorState", "OffsetSample", "ServiceHealth"]


@dataclass(frozen=True)
class ClientView:
    updated_at: datetime
    eligible: bool  # job_ready and consent_to_share: the only clients who can be referred
    labels: tuple[str, ...]  # one monitoring group per DIMENSIONS entry
    seen_s: float  # Kafka timestamp of the latest profile, for the latency proxy


@dataclass(frozen=True)
class GroupSample:
    group_id: str
    state: str
    members: tuple[dict[str, Any], ...]
    committed: dict[TopicPartition, int | None]


@dataclass(frozen=True)
class OffsetSample:
    taken_at: float
    end: dict[TopicPartition, int]
    begin: dict[TopicPartition, int]
    groups: tuple[GroupSample, ...]


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    url: str
    ok: bool
    detail: str  # the HTTP status or the kind of failure, never a response body
    latency_ms: float | None
    checked_at: float


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _json(value: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class _GroupView:
    sample: GroupSample
    lags: list[PartitionLag]

    @property
    def total_lag(self) -> int:
        return sum(p.lag for p in self.lags)


@dataclass
class MonitorState:
    config: MonitorConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    clients: dict[str, ClientView] = field(default_factory=dict)
    vacancy_seen: dict[str, float] = field(default_factory=dict)
    active: dict[str, str] = field(default_factory=dict)  # referral_id -> client_id
    active_per_client: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    dead_by_source: Counter[str] = field(default_factory=Counter)
    dead_by_type: Counter[str] = field(default_factory=Counter)
    dead_by_reason: Counter[str] = field(default_factory=Counter)
    consumed: Counter[str] = field(default_factory=Counter)
    unreadable: Counter[str] = field(default_factory=Counter)
    caught_up: bool = False
    offsets_error: str | None = None
    last_offsets_at: float | None = None
    services: tuple[ServiceHealth, ...] = ()
    groups: tuple[_GroupView, ...] = ()
    end_by_topic: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    _version: int = 0
    _equality_cache: tuple[int, list[DimensionReport]] | None = None

    def __post_init__(self) -> None:
        c = self.config
        self.scores = Histogram(bins=c.score_bins)
        self.latencies: deque[float] = deque(maxlen=c.latency_samples)
        self.dead_latest: deque[dict[str, Any]] = deque(maxlen=c.dead_letters_kept)
        self.referral_rate = WindowCounter(horizon_s=c.rate_window_s)
        self.withdrawal_rate = WindowCounter(horizon_s=c.rate_window_s)
        self.throughput_series: deque[tuple[float, dict[str, float]]] = deque(
            maxlen=c.series_points)
        self.lag_series: deque[tuple[float, dict[str, int]]] = deque(maxlen=c.series_points)

    # -- the stream feed -------------------------------------------------------------------

    def apply(self, topic: str, key: bytes | None, value: bytes | None, timestamp_ms: int,
              now_s: float | None = None) -> None:
        now = time.time() if now_s is None else now_s
        at_s = timestamp_ms / 1000 if timestamp_ms > 0 else now
        with self.lock:
            self.consumed[topic] += 1
            c = self.config
            if topic == c.clients_topic:
                self._client(key, value, at_s)
            elif topic == c.vacancies_topic:
                self._vacancy(key, value, at_s)
            elif topic == c.referrals_topic:
                self._referral(value, at_s, now)
            elif topic == c.deadletters_topic:
                self._dead_letter(value)

    def _client(self, key: bytes | None, value: bytes | None, at_s: float) -> None:
        if value is None:  # tombstone: the client is erased, so are their monitoring groups
            erased = self.clients.pop(key.decode("utf-8", "replace"), None) if key else None
            if erased is not None:
                self._version += 1
            return
        data = _json(value)
        updated = _time(data.get("updated_at")) if data else None
        client_id = data.get("client_id") if data else None
        if data is None or updated is None or not isinstance(client_id, str):
            self.unreadable[self.config.clients_topic] += 1
            return
        known = self.clients.get(client_id)
        if known is not None and updated <= known.updated_at:
            return  # the contract: an older or equal updated_at is ignored
        monitoring = data.get("monitoring")
        labels = group_labels(monitoring if isinstance(monitoring, dict) else None)
        eligible = data.get("status") == "job_ready" and data.get("consent_to_share") is True
        self.clients[client_id] = ClientView(
            updated, eligible, tuple(labels[d] for d in DIMENSIONS), at_s)
        self._version += 1

    def _vacancy(self, key: bytes | None, value: bytes | None, at_s: float) -> None:
        # Only when the vacancy last changed is needed (latency), so its value is not parsed.
        if key is None:
            return
        vacancy_id = key.decode("utf-8", "replace")
        if value is None:
            self.vacancy_seen.pop(vacancy_id, None)
        else:
            self.vacancy_seen[vacancy_id] = at_s

    def _referral(self, value: bytes | None, at_s: float, now: float) -> None:
        data = _json(value) if value is not None else None
        rid = data.get("referral_id") if data else None
        client_id = data.get("client_id") if data else None
        if data is None or not isinstance(rid, str) or not isinstance(client_id, str):
            self.unreadable[self.config.referrals_topic] += 1
            return
        kind = data.get("kind")
        if kind == "referral":
            self.totals["referrals"] += 1
            self.referral_rate.add(at_s, now)
            if rid not in self.active:
                self.active[rid] = client_id
                self.active_per_client[client_id] += 1
                self._version += 1
            score = data.get("score")
            if isinstance(score, int | float) and not isinstance(score, bool):
                self.scores.add(float(score))
            self._latency(data, client_id)
        elif kind == "withdrawal":
            self.totals["withdrawals"] += 1
            self.withdrawal_rate.add(at_s, now)
            owner = self.active.pop(rid, None)
            if owner is not None:
                self.active_per_client[owner] -= 1
                if self.active_per_client[owner] <= 0:
                    del self.active_per_client[owner]
                self._version += 1

    def _latency(self, data: dict[str, Any], client_id: str) -> None:
        """Matching latency proxy: created_at minus the later of the pair's latest inputs.

        A pair can only be referred once both records exist, so the later one is what let the
        match happen. Skipped when an input is not yet seen or is newer than the referral
        (replay after the input changed again).
        """
        created = _time(data.get("created_at"))
        client = self.clients.get(client_id)
        vacancy_id = data.get("vacancy_id")
        vacancy_s = self.vacancy_seen.get(vacancy_id) if isinstance(vacancy_id, str) else None
        if created is None or client is None or vacancy_s is None:
            return
        latency = created.timestamp() - max(client.seen_s, vacancy_s)
        if latency >= 0:
            self.latencies.append(latency)

    def _dead_letter(self, value: bytes | None) -> None:
        data = _json(value) if value is not None else None
        if data is None:
            self.unreadable[self.config.deadletters_topic] += 1
            return
        view = dead_letter_view(data)
        self.totals["dead_letters"] += 1
        self.dead_by_source[view["source"] or "unknown"] += 1
        self.dead_by_type[view["record_type"] or "unknown"] += 1
        key = reason_key(view["reason"])
        # Distinct reasons are capped: a flood of unique reasons must not grow memory.
        room = len(self.dead_by_reason) < self.config.distinct_reasons_kept
        if key in self.dead_by_reason or room:
            self.dead_by_reason[key] += 1
        else:
            self.dead_by_reason["(other)"] += 1
        self.dead_latest.appendleft(view)

    # -- the offsets feed ------------------------------------------------------------------

    def record_offsets(self, sample: OffsetSample) -> None:
        with self.lock:
            ends = sum_by_topic(sample.end.items())
            if self.last_offsets_at is not None:
                self.rates = throughput(self.end_by_topic, ends,
                                        sample.taken_at - self.last_offsets_at)
                self.throughput_series.append((sample.taken_at, dict(self.rates)))
            self.end_by_topic = ends
            self.last_offsets_at = sample.taken_at
            self.offsets_error = None
            self.groups = tuple(
                _GroupView(g, partition_lags(sample.end, g.committed, sample.begin))
                for g in sample.groups)
            self.lag_series.append(
                (sample.taken_at, {g.sample.group_id: g.total_lag for g in self.groups}))

    def record_offsets_error(self, reason: str) -> None:
        with self.lock:
            self.offsets_error = reason

    def record_services(self, services: tuple[ServiceHealth, ...]) -> None:
        with self.lock:
            self.services = services

    # -- reading ---------------------------------------------------------------------------

    def equality(self) -> list[DimensionReport]:
        """Equality figures, recomputed only when clients or active referrals changed."""
        with self.lock:
            cached = self._equality_cache
            if cached is not None and cached[0] == self._version:
                return cached[1]
            people = [
                (dict(zip(DIMENSIONS, view.labels, strict=True)),
                 self.active_per_client.get(cid, 0) > 0)
                for cid, view in self.clients.items() if view.eligible
            ]
            report = equality_report(people, min_group_size=self.config.min_group_size,
                                     threshold=self.config.impact_threshold)
            self._equality_cache = (self._version, report)
            return report
