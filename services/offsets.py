"""Offsets and consumer-group lag, read from Kafka: shared by the demo, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["commit_at_end", "delete_topics_with_prefix", "end_offsets", "group_lag"]


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The next offset of every partition of ``topic`` ({} when the topic does not exist)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in parts]
        return {tp.partition: off for tp, off in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()


def commit_at_end(bootstrap: str, group: str, topics: Iterable[str]) -> None:
    """Start ``group`` at the current end of ``topics``: it sees only what comes next."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                             enable_auto_commit=False)
    try:
        offsets = {}
        for topic in topics:
            for p, off in end_offsets(bootstrap, topic).items():
                offsets[TopicPartition(topic, p)] = OffsetAndMetadata(off, "", -1)
        consumer.commit(offsets)
    finally:
        consumer.close()


def group_lag(bootstrap: str, group: str, topics: Iterable[str]) -> int:
    """Records in ``topics`` that ``group`` has not committed yet (all of them if none)."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        committed = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    by_tp = {(tp.topic, tp.partition): meta.offset for tp, meta in committed.items()}
    lag = 0
    for topic in topics:
        for p, end in end_offsets(bootstrap, topic).items():
            lag += end - by_tp.get((topic, p), 0)
    return lag


def delete_topics_with_prefix(bootstrap: str, prefix: str) -> list[str]:
    """Delete every topic whose name starts with ``prefix`` (a finished run's internal topics)."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        doomed = sorted(t for t in admin.list_topics() if t.startswith(prefix))
        if doomed:
            admin.delete_topics(doomed)
        return doomed
    finally:
        admin.close()
