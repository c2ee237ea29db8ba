"""Publishing employers' outcomes to ``jobmatch.outcomes.v1``. The producer is passed in;
only the entry point builds a real one."""

from __future__ import annotations

from typing import Any, Protocol

from schemas.outcome import ReferralOutcome
from services.errors import BrokerUnavailable

__all__ = ["KafkaOutcomePublisher", "OutcomePublisher", "make_producer"]


class OutcomePublisher(Protocol):
    def publish(self, outcome: ReferralOutcome) -> None:
        """Return once the broker acknowledged the record; raise BrokerUnavailable if not."""


class KafkaOutcomePublisher:
    def __init__(self, producer: Any, topic: str, timeout_s: float = 10.0) -> None:
        self._producer = producer
        self._topic = topic
        self._timeout_s = timeout_s

    def publish(self, outcome: ReferralOutcome) -> None:
        from kafka.errors import KafkaError

        value = outcome.model_dump_json(exclude_none=True).encode()
        try:
            future = self._producer.send(self._topic, key=outcome.referral_id.encode(),
                                         value=value)
            future.get(timeout=self._timeout_s)
        except KafkaError as exc:
            raise BrokerUnavailable(f"outcome not acknowledged: {type(exc).__name__}") from exc


def make_producer(bootstrap_servers: str) -> Any:
    from kafka import KafkaProducer

    # acks=all and idempotence: an acknowledged outcome is on every in-sync replica, once.
    return KafkaProducer(bootstrap_servers=[s.strip() for s in bootstrap_servers.split(",")],
                         client_id="jobmatch-feed-outcomes", acks="all",
                         enable_idempotence=True, linger_ms=0, reconnect_backoff_max_ms=1000)
