"""The feed's consumer: REFERRALS and CLIENTS tombstones into the store, exactly once.

Offsets live in the store, written in the same transaction as the rows a batch produced, and
the consumer seeks to them on start (no consumer group, no Kafka commits). A SIGKILL at any
moment therefore loses nothing and applies nothing twice: the transaction either committed
with its offsets or did not happen. One consumer per store is the intended deployment; a second
one is fenced by the unique source position of every event (its batch rolls back and it
re-seeks).

The two topics are read independently, so a referral made before a client's erasure may be
read after its tombstone (lag, restart, outage): erasures are therefore applied by time (the
tombstone's Kafka timestamp against the referral's ``created_at``), see ``events.py``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from schemas.referral import Referral
from services.errors import BrokerUnavailable
from services.feed.config import FeedConfig
from services.feed.events import (
    apply_referral,
    erase_client,
    erasure_time,
    load_offsets,
    save_offsets,
)
from services.feed.store import Store

__all__ = ["ConsumeStats", "FeedConsumer"]

log = logging.getLogger("jobmatch.feed.consumer")


@dataclass
class ConsumeStats:
    records: int = 0
    stored: int = 0
    duplicates: int = 0
    erasures: int = 0
    invalid: int = 0
    batches: int = 0


@dataclass
class FeedConsumer:
    store: Store
    config: FeedConfig
    # Rebuild: records below these referral-topic offsets were delivered before; don't enqueue.
    no_enqueue_below: dict[int, int] = field(default_factory=dict)
    stats: ConsumeStats = field(default_factory=ConsumeStats)
    clock: Callable[[], float] = time.time

    def run(self, stop: threading.Event | None = None, idle_timeout_s: float | None = None,
            until_caught_up: bool = False) -> ConsumeStats:
        """Consume until ``stop`` is set, nothing arrived for ``idle_timeout_s``, or (with
        ``until_caught_up``) both topics' end offsets at start have been applied."""
        stop = stop or threading.Event()
        consumer = self._connect()
        try:
            positions = self._seek(consumer)
            targets = self._end_offsets(consumer) if until_caught_up else None
            last_data = time.monotonic()
            while not stop.is_set():
                # Every record poll() returned has been applied by now, so the fetch position
                # is what the store holds (compacted gaps included).
                if targets is not None and all(
                        consumer.position(tp) >= end for tp, end in targets.items()):
                    break
                batch = consumer.poll(timeout_ms=200, max_records=500)
                if not batch:
                    if idle_timeout_s is not None and \
                            time.monotonic() - last_data >= idle_timeout_s:
                        break
                    continue
                last_data = time.monotonic()
                try:
                    self._apply(batch, positions)
                except IntegrityError:
                    log.warning("another writer applied these records; re-seeking")
                    positions = self._seek(consumer)
        finally:
            consumer.close()
        return self.stats

    def _connect(self) -> Any:
        from kafka import KafkaConsumer
        from kafka.errors import KafkaError

        try:
            return KafkaConsumer(
                bootstrap_servers=[s.strip() for s in self.config.bootstrap_servers.split(",")],
                client_id="jobmatch-feed", group_id=None, enable_auto_commit=False,
                # Only records of committed producer transactions, when producers use them.
                isolation_level="read_committed", reconnect_backoff_max_ms=1000)
        except KafkaError as exc:
            raise BrokerUnavailable(f"Kafka is not reachable: {exc}") from exc

    def _partitions(self, consumer: Any, topic: str) -> list[Any]:
        from kafka import TopicPartition
        from kafka.errors import KafkaError

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                parts = consumer.partitions_for_topic(topic)
            except KafkaError as exc:
                # The broker is away (a restart): wait it out rather than exit; only a topic
                # the broker says is missing ends the wait.
                log.warning("metadata for %s unavailable (%s); retrying", topic,
                            type(exc).__name__)
                deadline = time.monotonic() + 30
                time.sleep(1.0)
                continue
            if parts:
                return [TopicPartition(topic, p) for p in sorted(parts)]
            time.sleep(0.2)
        raise BrokerUnavailable(f"topic {topic} not found (run `jobmatch kafka create-topics`)")

    def _seek(self, consumer: Any) -> dict[str, dict[int, int]]:
        topics = (self.config.referrals_topic, self.config.clients_topic)
        tps = [tp for t in topics for tp in self._partitions(consumer, t)]
        consumer.assign(tps)
        with self.store.read() as conn:
            positions = {t: load_offsets(conn, t) for t in topics}
        for tp in tps:
            stored = positions[tp.topic].get(tp.partition)
            if stored is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, stored)
        return positions

    def _end_offsets(self, consumer: Any) -> dict[Any, int]:
        tps = [tp for t in (self.config.referrals_topic, self.config.clients_topic)
               for tp in self._partitions(consumer, t)]
        return {tp: int(o) for tp, o in consumer.end_offsets(tps).items()}

    def _apply(self, batch: dict[Any, list[Any]], positions: dict[str, dict[int, int]]) -> None:
        key = self.store.pseudonym_key()
        now = self.clock()
        # Work on a copy: if the transaction rolls back, the in-memory positions must too.
        work = {t: dict(p) for t, p in positions.items()}
        with self.store.write() as conn:
            for tp, records in batch.items():
                for rec in records:
                    self.stats.records += 1
                    if tp.topic == self.config.referrals_topic:
                        self._referral(conn, key, rec, now)
                    elif rec.value is None and rec.key is not None:
                        erase_client(conn, key, rec.key.decode("utf-8", "replace"),
                                     erased_at=erasure_time(rec.timestamp, now),
                                     through=work[self.config.referrals_topic], now=now)
                        self.stats.erasures += 1
                    work[tp.topic][tp.partition] = rec.offset + 1
            for topic, offsets in work.items():
                save_offsets(conn, topic, offsets)
        positions.clear()
        positions.update(work)
        self.stats.batches += 1

    def _referral(self, conn: Any, key: bytes, rec: Any, now: float) -> None:
        where = f"{rec.topic}/{rec.partition}/{rec.offset}"
        if rec.value is None:
            return
        try:
            referral = Referral.model_validate(json.loads(rec.value))
        except (ValueError, ValidationError) as exc:
            # The matcher validates what it emits; an invalid record here is a bug upstream.
            # Skip it (never block the feed) and name its position, not its content.
            self.stats.invalid += 1
            log.error("invalid referral at %s skipped: %s", where, type(exc).__name__)
            return
        enqueue = rec.offset >= self.no_enqueue_below.get(rec.partition, -1)
        if apply_referral(conn, key, referral, partition=rec.partition, offset=rec.offset,
                          now=now, enqueue=enqueue):
            self.stats.stored += 1
        else:
            self.stats.duplicates += 1
