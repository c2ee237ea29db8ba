"""Reading a topic back into a :class:`Ledger`, and the canonical form ingest publishes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from schemas import Valid
from services.ingest.readers import check
from tests.reliability.accounting import Ledger

__all__ = ["canonical", "observe_topic"]


def canonical(kind: str, record: dict[str, Any] | bytes) -> bytes:
    """The bytes ingest puts on the canonical topic for a valid record (README: re-serialised)."""
    raw = record if isinstance(record, bytes) else json.dumps(record).encode()
    verdict = check(kind, raw)  # type: ignore[arg-type]  # kind is "client" or "vacancy"
    assert isinstance(verdict, Valid), verdict
    return verdict.record.model_dump_json().encode()


def observe_topic(ledger: Ledger, outcome: str, bootstrap: str,
                  start: dict[TopicPartition, int], *, keep: Callable[[Any], bool],
                  done: Callable[[int], bool], timeout_s: float = 60.0,
                  key_of: Callable[[Any], str] | None = None) -> int:
    """Read from ``start`` into ``ledger`` every record ``keep`` selects, until ``done(n)`` is
    true of the count kept, then one more second (to catch late duplicates)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None)
    kept = 0
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout_s
        extra = None
        while time.monotonic() < deadline:
            if extra is None and done(kept):
                extra = time.monotonic() + 1.0
            if extra is not None and time.monotonic() > extra:
                break
            for tp, batch in consumer.poll(timeout_ms=300, max_records=5000).items():
                for r in batch:
                    if keep(r):
                        key = key_of(r) if key_of else r.key.decode()
                        ledger.observe(outcome, key, r.value, partition=tp.partition,
                                       offset=r.offset)
                        kept += 1
        return kept
    finally:
        consumer.close()
