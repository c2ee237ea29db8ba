"""Publishing to Kafka: one small interface, one real implementation, built at the entry point.

Handlers and workers take a :class:`Publisher`; only the command-line entry points build a
:class:`KafkaPublisher`. A record counts as published only when its ``on_done`` callback says
the broker acknowledged it (``acks=all``, idempotent producer, so a retry never duplicates).
Tests use :class:`services.ingest.testing.FakePublisher`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from services.errors import BrokerUnavailable

__all__ = ["DeliveryCallback", "KafkaPublisher", "ProducerConfig", "Publisher"]

log = logging.getLogger("jobmatch.ingest.publisher")

# Called once per record, from the producer's I/O thread: None when acknowledged, else why not.
DeliveryCallback = Callable[[BaseException | None], None]


class Publisher(Protocol):
    def send(self, topic: str, key: bytes | None, value: bytes | None,
             on_done: DeliveryCallback) -> None:
        """Queue one record; ``on_done`` is called exactly once with the outcome."""

    def flush(self, timeout_s: float | None = None) -> None:
        """Wait until every queued record has had its ``on_done`` called (or the timeout)."""

    def close(self) -> None:
        """Flush and release the connection."""


@dataclass(frozen=True)
class ProducerConfig:
    """Producer tuning. Defaults favour throughput with no loss: a large batch, a short linger,
    acks from every in-sync replica, idempotence, and retries until the delivery timeout."""

    bootstrap_servers: str
    linger_ms: int = 10
    batch_size: int = 512 * 1024
    delivery_timeout_ms: int = 120_000
    request_timeout_ms: int = 10_000
    max_block_ms: int = 60_000
    compression_type: str | None = None
    client_id: str = "jobmatch-ingest"


class _Outcome:
    __slots__ = ("on_done",)

    def __init__(self, on_done: DeliveryCallback) -> None:
        self.on_done = on_done

    def __call__(self, result: object) -> None:
        self.on_done(result if isinstance(result, BaseException) else None)


class KafkaPublisher:
    """:class:`Publisher` over kafka-python's ``KafkaProducer``."""

    def __init__(self, config: ProducerConfig) -> None:
        try:
            self._producer: Any = KafkaProducer(
                bootstrap_servers=[s.strip() for s in config.bootstrap_servers.split(",")],
                client_id=config.client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=config.linger_ms,
                batch_size=config.batch_size,
                # One record may be up to MAX_RECORD_BYTES; a request holds several batches.
                max_request_size=4 * 1024 * 1024,
                delivery_timeout_ms=config.delivery_timeout_ms,
                request_timeout_ms=min(config.request_timeout_ms,
                                       config.delivery_timeout_ms - config.linger_ms - 1),
                max_block_ms=config.max_block_ms,
                compression_type=config.compression_type,
                reconnect_backoff_max_ms=1000,
            )
        except KafkaError as exc:
            raise BrokerUnavailable(
                f"Kafka is not reachable at {config.bootstrap_servers}: {exc}") from exc

    def send(self, topic: str, key: bytes | None, value: bytes | None,
             on_done: DeliveryCallback) -> None:
        try:
            future = self._producer.send(topic, key=key, value=value)
        except Exception as exc:
            # Any refusal is this record's failure, e.g. KafkaTimeoutError when the
            # buffer stays full for max_block_ms.
            on_done(exc)
            return
        # One callback for both outcomes: the producer calls it with RecordMetadata or an error.
        future.add_both(_Outcome(on_done))

    def flush(self, timeout_s: float | None = None) -> None:
        try:
            self._producer.flush(timeout=timeout_s)
        except KafkaTimeoutError:
            log.warning("flush timed out after %ss; records still in flight", timeout_s)

    def close(self) -> None:
        self._producer.close()
