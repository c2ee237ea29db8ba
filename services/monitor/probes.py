"""One poll of what the monitor asks for rather than reads: offsets, groups, `/healthz` URLs."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from services.monitor.config import MonitorConfig
from services.monitor.state import GroupSample, OffsetSample, ServiceHealth

__all__ = ["member_view", "offsets_sample", "probe_services"]

log = logging.getLogger("jobmatch.monitor.probes")


def member_view(member: dict[str, Any]) -> dict[str, Any]:
    """A group member as operators need it. Faust's assignor packs its own user data, which
    kafka-python may not decode, so every field is read defensively."""
    assignment = member.get("member_assignment")
    assigned: list[str] = []
    if isinstance(assignment, dict):
        for item in assignment.get("assigned_partitions") or ():
            if isinstance(item, dict):
                assigned += [f"{item.get('topic')}:{p}" for p in item.get("partitions") or ()]
    return {
        "member_id": str(member.get("member_id", "")),
        "client_id": str(member.get("client_id", "")),
        "host": str(member.get("client_host", "")).lstrip("/"),
        "partitions": sorted(assigned),
    }


def _group_ids(admin: Any, config: MonitorConfig) -> list[str]:
    if config.groups:
        return list(config.groups)
    listed = admin.list_groups()
    # Only Kafka consumer groups: Connect or share groups have no offsets of this kind.
    return sorted(g["group_id"] for g in listed if g.get("protocol_type") in ("consumer", ""))


def _group(admin: Any, group_id: str, tracked: set[tuple[str, int]]) -> GroupSample:
    described = admin.describe_groups([group_id]).get(group_id) or {}
    committed_raw = admin.list_group_offsets({group_id: None}).get(group_id) or {}
    committed: dict[tuple[str, int], int | None] = {}
    for tp, meta in committed_raw.items():
        key = (tp.topic, tp.partition)
        if key in tracked:
            committed[key] = meta.offset if meta is not None and meta.offset >= 0 else None
    members = tuple(member_view(m) for m in described.get("members") or ())
    return GroupSample(group_id, str(described.get("group_state") or "Unknown"), members,
                       committed)


def offsets_sample(admin: Any, consumer: Any, config: MonitorConfig) -> OffsetSample:
    from kafka import TopicPartition

    tps = [
        TopicPartition(topic, p)
        for topic in config.throughput_topics
        for p in consumer.partitions_for_topic(topic) or ()
    ]
    end = {(tp.topic, tp.partition): o for tp, o in consumer.end_offsets(tps).items()}
    begin = {(tp.topic, tp.partition): o for tp, o in consumer.beginning_offsets(tps).items()}
    groups = []
    for group_id in _group_ids(admin, config):
        try:
            groups.append(_group(admin, group_id, set(end)))
        except Exception as exc:  # one broken group must not hide the others
            log.warning("describing group %s failed: %s", group_id, type(exc).__name__)
            groups.append(GroupSample(group_id, f"error: {type(exc).__name__}", (), {}))
    return OffsetSample(time.time(), end, begin, tuple(groups))


def probe_services(urls: tuple[tuple[str, str], ...], timeout_s: float = 1.0
                   ) -> tuple[ServiceHealth, ...]:
    results = []
    with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
        for name, url in urls:
            started = time.monotonic()
            try:
                resp = client.get(url)
                ok, detail = resp.is_success, f"HTTP {resp.status_code}"
            except httpx.HTTPError as exc:
                ok, detail = False, type(exc).__name__
            latency = (time.monotonic() - started) * 1000
            results.append(ServiceHealth(name, url, ok, detail, latency, time.time()))
    return tuple(results)
