"""The raw-topic relay: raw clients and vacancies -> validated records on the canonical topics.

Other systems produce whatever they have to ``jobmatch.raw.*``; the relay validates each
record and forwards it (keyed by its id) or dead-letters it with its ``topic/partition/offset``.
A null value on the raw clients topic is an erasure and is forwarded as a tombstone.

Delivery is at least once: offsets are committed only after every record produced for a
polled batch was acknowledged. If some were not, the relay seeks back to the batch's first
offsets and tries again, so nothing is skipped; a duplicate is harmless (records are keyed by
id and the latest ``updated_at`` wins).

A record is never allowed to block its partition: validation turns bad data into a dead
letter, and a record whose processing raises anything else (a bug, not the broker) is
dead-lettered too, with its position and the exception's type, so the relay commits past it
instead of crashing on it at every restart (a poison pill). Broker errors are not the record's
fault: they propagate (and the batch is read again on restart).

A failed offset commit (the broker is down, or a rebalance took the partition away) is not
fatal either: every record of the batch is already acknowledged, so the relay logs it and goes
on. The next successful commit covers the batch; if none comes, the batch is read again, which
at-least-once delivery allows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from schemas import RAW_CLIENTS, RAW_VACANCIES
from schemas.validation import RecordKind
from services.errors import ServiceError
from services.ingest.pipeline import Accounting, Ingestor, is_valid_id
from services.ingest.publisher import Publisher
from services.ingest.readers import Unreadable

__all__ = ["GROUP_ID", "RelayStats", "relay_batch", "run_relay"]

log = logging.getLogger("jobmatch.ingest.relay")

GROUP_ID = "jobmatch-ingest-relay"
_KIND: dict[str, RecordKind] = {RAW_CLIENTS.name: "client", RAW_VACANCIES.name: "vacancy"}
_RETRY_BACKOFF_S = 2.0


@dataclass
class RelayStats:
    read: int = 0
    published: int = 0
    rejected: int = 0
    retried_batches: int = 0

    def add(self, accounting: Accounting) -> None:
        self.read += accounting.read
        self.published += accounting.published
        self.rejected += accounting.rejected


def relay_batch(records: list[Any], publisher: Publisher,
                flush_timeout_s: float | None = None) -> Accounting:
    """Validate and forward one polled batch (kafka-python ``ConsumerRecord``-like objects with
    ``topic, partition, offset, key, value``); returns once the broker answered for all."""
    ingestors = {kind: Ingestor(publisher, kind, "topic") for kind in ("client", "vacancy")}
    for rec in records:
        ingestor = ingestors[_KIND[rec.topic]]
        position = f"{rec.topic}/{rec.partition}/{rec.offset}"
        read_before = ingestor.accounting.read
        try:
            _relay_one(ingestor, position, rec)
        except (KafkaError, ServiceError):
            raise  # the broker's trouble, not the record's: never dead-letter for it
        except Exception as exc:  # one record must not stop the partition
            # Only this thread counts ``read``: undo the count the failed attempt made, so the
            # dead letter below counts the record once.
            ingestor.accounting.read = read_before
            _dead_letter_crash(ingestor, position, rec, exc)
    publisher.flush(flush_timeout_s)
    total = Accounting()
    for ingestor in ingestors.values():
        acc = ingestor.accounting
        total.read += acc.read
        total.published += acc.published
        total.rejected += acc.rejected
        total.failures.extend(acc.failures)
    return total


def _relay_one(ingestor: Ingestor, position: str, rec: Any) -> None:
    if rec.value is None:
        key = rec.key.decode("utf-8", "replace") if rec.key is not None else ""
        if ingestor.kind == "client" and is_valid_id(key):
            ingestor.submit_tombstone(position, key)
        else:
            reason = ("tombstone without a valid client_id key" if ingestor.kind == "client"
                      else "null value: tombstones are accepted for clients only")
            ingestor.reject(position, Unreadable(reason, rec.key or b""), reason)
        return
    ingestor.submit(position, rec.value)


def _dead_letter_crash(ingestor: Ingestor, position: str, rec: Any, exc: Exception) -> None:
    # The exception's type only: its message may quote the record.
    reason = f"record could not be processed ({type(exc).__name__})"
    log.error("record at %s crashed the relay's processing (%s); dead-lettered", position,
              type(exc).__name__)
    raw = rec.value if isinstance(rec.value, bytes) else b""
    read_before = ingestor.accounting.read
    try:
        ingestor.reject(position, Unreadable(reason, raw), reason)
    except (KafkaError, ServiceError):
        raise
    except Exception:  # the payload itself breaks the dead letter: withhold it
        ingestor.accounting.read = read_before
        ingestor.reject(position, Unreadable(reason, b""), reason + "; payload withheld")


def run_relay(consumer: Any, publisher: Publisher, *, idle_timeout_s: float | None = None,
              stop: threading.Event | None = None, poll_timeout_ms: int = 500,
              on_batch: Callable[[Accounting], None] | None = None) -> RelayStats:
    """Consume until ``stop`` is set, or until ``idle_timeout_s`` passed with no record.

    The idle clock runs only while the relay holds partitions: joining the group can take a
    session timeout (a crashed member's slot must expire first), and that wait is not
    idleness.

    ``consumer`` is a kafka-python ``KafkaConsumer`` already subscribed to the raw topics with
    ``enable_auto_commit=False``; the caller builds it (and closes it).
    """
    stop = stop or threading.Event()
    stats = RelayStats()
    last_record = time.monotonic()
    while not stop.is_set():
        try:
            polled = consumer.poll(timeout_ms=poll_timeout_ms, max_records=2000)
        except KafkaError as exc:
            # The broker is away (a restart): the group's coordinator cannot be found, and
            # kafka-python raises from poll(). Nothing was read, so nothing is lost; wait it
            # out, and do not count the outage as idleness.
            log.warning("poll failed (%s); retrying", type(exc).__name__)
            last_record = time.monotonic()
            stop.wait(_RETRY_BACKOFF_S)
            continue
        records = [rec for batch in polled.values() for rec in batch]
        if not records:
            if not _holds_partitions(consumer):
                last_record = time.monotonic()
            elif idle_timeout_s is not None and time.monotonic() - last_record >= idle_timeout_s:
                break
            continue
        last_record = time.monotonic()
        accounting = relay_batch(records, publisher)
        if on_batch is not None:
            on_batch(accounting)
        if accounting.failures:
            # Not acknowledged: go back and send the batch again, never commit past it.
            stats.retried_batches += 1
            log.error("%d record(s) not acknowledged; retrying the batch from its first offsets",
                      accounting.failed)
            for tp, batch in polled.items():
                consumer.seek(tp, batch[0].offset)
            stop.wait(_RETRY_BACKOFF_S)
            continue
        stats.add(accounting)
        _commit(consumer, {tp: OffsetAndMetadata(batch[-1].offset + 1, "", -1)
                           for tp, batch in polled.items()})
    return stats


def _holds_partitions(consumer: Any) -> bool:
    assignment = getattr(consumer, "assignment", None)
    return True if assignment is None else bool(assignment())


def _commit(consumer: Any, offsets: dict[Any, OffsetAndMetadata]) -> None:
    try:
        consumer.commit(offsets)
    except KafkaError as exc:
        # Everything in the batch is acknowledged already: a lost commit only means the batch
        # may be read again, which keyed, latest-wins records make harmless.
        log.warning("offset commit failed (%s); going on, the batch may be read again",
                    type(exc).__name__)
