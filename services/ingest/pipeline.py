"""The one path every ingest route takes: validate -> publish (or dead-letter) -> account.

Files, HTTP and the raw-topic relay all call :meth:`Ingestor.submit` with a position and the
raw record, then :meth:`Ingestor.finish`. The verdict is ``schemas.validate`` (same rules on
every path). A valid record goes to its canonical topic keyed by its id, re-serialised by the
model (see README: defaults are filled in); an invalid one goes to the dead-letter topic with
its source, position and reason. Nothing here connects to Kafka: a publisher is passed in.

Accounting, once :meth:`finish` returned: ``read == published + rejected + failed``, where
``failed`` lists each record whose write (canonical or dead letter) was not acknowledged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from schemas import (
    CLIENTS,
    DEADLETTERS,
    VACANCIES,
    ClientProfile,
    DeadLetter,
    Vacancy,
    Valid,
)
from schemas.deadletter import DeadLetterSource
from schemas.topics import TopicSpec
from schemas.validation import RecordKind
from services.ingest.readers import RawRecord, Unreadable, check

if TYPE_CHECKING:
    from services.ingest.publisher import Publisher

__all__ = [
    "Accounting",
    "Failure",
    "Ingestor",
    "Verdict",
    "canonical_topic",
    "is_valid_id",
    "record_id",
]

log = logging.getLogger("jobmatch.ingest")

_TOPIC: dict[str, TopicSpec] = {"client": CLIENTS, "vacancy": VACANCIES}


_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def is_valid_id(value: str) -> bool:
    """The contract's id rule (client_id, vacancy_id): 1-64 of ``A-Z a-z 0-9 . _ -``."""
    return _ID_RE.fullmatch(value) is not None


def canonical_topic(kind: RecordKind) -> TopicSpec:
    return _TOPIC[kind]


def record_id(record: ClientProfile | Vacancy) -> str:
    return record.client_id if isinstance(record, ClientProfile) else record.vacancy_id


@dataclass(frozen=True)
class Failure:
    """A record not published: where it came from, its id (or ``-`` if it had none), why."""

    position: str
    record_id: str
    error: str


@dataclass(frozen=True)
class Verdict:
    """What happened to one submitted record, known before the broker answers."""

    position: str
    status: Literal["accepted", "rejected"]
    record_id: str | None = None
    reason: str | None = None


@dataclass
class Accounting:
    read: int = 0
    published: int = 0
    rejected: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def in_flight(self) -> int:
        return self.read - self.published - self.rejected - self.failed

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "read": self.read, "published": self.published, "rejected": self.rejected,
        }
        if self.failures:
            out["failed"] = self.failed
            out["not_published"] = [
                {"position": f.position, "id": f.record_id} for f in self.failures
            ]
        return out


class Ingestor:
    """Validates and publishes records of one kind from one source. Thread-safe accounting:
    the publisher's callbacks may arrive on another thread."""

    def __init__(self, publisher: Publisher, kind: RecordKind, source: DeadLetterSource,
                 *, now: datetime | None = None, topic: str | None = None) -> None:
        self._publisher = publisher
        self.kind = kind
        self.source = source
        # ``topic`` overrides the canonical topic (benchmarks only).
        self._topic = topic or _TOPIC[kind].name
        self._lock = threading.Lock()
        self._now = now
        self.accounting = Accounting()

    def submit(self, position: str, raw: RawRecord) -> Verdict:
        """Validate one record and queue it (or its dead letter). Never raises for bad data."""
        with self._lock:
            self.accounting.read += 1
        verdict = check(self.kind, raw)
        if isinstance(verdict, Valid):
            rid = record_id(verdict.record)
            value = verdict.record.model_dump_json().encode()
            self._publisher.send(self._topic, rid.encode(), value,
                                 self._callback(position, rid, dead_letter=False))
            return Verdict(position, "accepted", record_id=rid)
        self._dead_letter(position, raw, verdict.reason)
        return Verdict(position, "rejected", reason=verdict.reason)

    def submit_tombstone(self, position: str, client_id: str) -> Verdict:
        """Queue an erasure: key ``client_id``, no value, on the clients topic."""
        with self._lock:
            self.accounting.read += 1
        self._publisher.send(CLIENTS.name, client_id.encode(), None,
                             self._callback(position, client_id, dead_letter=False))
        log.info("erasure queued for client_id=%s", client_id)
        return Verdict(position, "accepted", record_id=client_id)

    def reject(self, position: str, raw: RawRecord, reason: str) -> Verdict:
        """Dead-letter a record refused before validation (e.g. a tombstone where none is
        allowed)."""
        with self._lock:
            self.accounting.read += 1
        self._dead_letter(position, raw, reason)
        return Verdict(position, "rejected", reason=reason)

    def finish(self, timeout_s: float | None = None) -> Accounting:
        """Wait for the broker's answers; afterwards every record is counted once."""
        self._publisher.flush(timeout_s)
        return self.accounting

    # --- internals ---------------------------------------------------------------------------

    def _dead_letter(self, position: str, raw: RawRecord, reason: str) -> None:
        # Reasons name fields and rules, never values: safe to log.
        log.info("rejected %s %s at %s: %s", self.kind, self.source, position, reason)
        payload = raw.raw if isinstance(raw, Unreadable) else raw
        letter = DeadLetter.build(
            source=self.source, position=position, record_type=self.kind, reason=reason,
            raw=payload if isinstance(payload, bytes) else _dict_payload(payload),
            now=self._now or datetime.now(UTC),
        )
        self._publisher.send(DEADLETTERS.name, position.encode(),
                             letter.model_dump_json().encode(),
                             self._callback(position, "-", dead_letter=True))

    def _callback(self, position: str, rid: str, *, dead_letter: bool) -> _Done:
        return _Done(self, position, rid, dead_letter)

    def _done(self, position: str, rid: str, dead_letter: bool,
              error: BaseException | None) -> None:
        with self._lock:
            if error is not None:
                self.accounting.failures.append(Failure(position, rid, _describe(error)))
            elif dead_letter:
                self.accounting.rejected += 1
            else:
                self.accounting.published += 1
        if error is not None:
            what = "dead letter" if dead_letter else f"{self.kind} {rid}"
            log.error("not published: %s at %s: %s", what, position, _describe(error))


@dataclass(frozen=True, slots=True)
class _Done:
    """A delivery callback bound to one record (cheaper than a closure per record)."""

    ingestor: Ingestor
    position: str
    rid: str
    dead_letter: bool

    def __call__(self, error: BaseException | None) -> None:
        self.ingestor._done(self.position, self.rid, self.dead_letter, error)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _dict_payload(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)
