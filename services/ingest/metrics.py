"""Prometheus metrics of the ingest API: what it read, published, rejected and failed."""

from __future__ import annotations

from prometheus_client import Counter

from schemas.validation import RecordKind
from services.ingest.pipeline import Accounting
from services.observability import make_registry

__all__ = ["IngestMetrics"]


class IngestMetrics:
    """One registry per app, so two apps in one process (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = make_registry()
        self.records = Counter("jobmatch_ingest_records", "Records by kind and outcome",
                               ["kind", "outcome"], registry=self.registry)

    def count(self, kind: RecordKind, accounting: Accounting) -> None:
        for outcome, n in (("read", accounting.read), ("published", accounting.published),
                           ("rejected", accounting.rejected), ("failed", accounting.failed)):
            if n:
                self.records.labels(kind, outcome).inc(n)
