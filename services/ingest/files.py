"""File ingest: JSON Lines and CSV files -> validated records on the canonical topic.

A record's position is ``PATH:LINE``, so a summary of what was not published points at the
exact lines to send again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from schemas.validation import RecordKind
from services.ingest.pipeline import Accounting, Ingestor
from services.ingest.readers import read_records

if TYPE_CHECKING:
    from services.ingest.publisher import Publisher

__all__ = ["MAX_IN_FLIGHT", "ingest_files"]

# Records queued but not yet acknowledged before we wait for the broker: bounds memory when
# the broker is slow or away (kafka-python 3 has no buffer_memory bound of its own).
MAX_IN_FLIGHT = 200_000
_PROGRESS_EVERY = 1000

Progress = Callable[[int], None]


def ingest_files(paths: Iterable[Path], kind: RecordKind, publisher: Publisher, *,
                 progress: Progress | None = None,
                 flush_timeout_s: float | None = None, topic: str | None = None) -> Accounting:
    """Read every file, publish what is valid, dead-letter the rest, wait for the broker.

    ``progress(n)`` is told every so many records how many more were read.
    """
    ingestor = Ingestor(publisher, kind, "file", topic=topic)
    accounting = ingestor.accounting
    since = 0
    for path in paths:
        name = str(path)
        for line, raw in read_records(path):
            ingestor.submit(f"{name}:{line}", raw)
            since += 1
            if since == _PROGRESS_EVERY:
                if progress is not None:
                    progress(since)
                since = 0
                if accounting.in_flight > MAX_IN_FLIGHT:
                    publisher.flush(flush_timeout_s)
    if progress is not None and since:
        progress(since)
    return ingestor.finish(flush_timeout_s)
