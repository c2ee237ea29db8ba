"""Batch matching: the referrals the streaming matcher would make from the same records.

``match_batch`` feeds every client (in order), then every vacancy (in order), through one
``Matcher``: the same code and the same order of events as a stream that carried the clients
first. It returns the referrals still active at the end, in the order they were made; a
referral made and withdrawn within the batch (e.g. a later record for the same vacancy closed
it) is not returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from schemas import ClientProfile, Referral, Vacancy, Valid
from schemas.validation import RecordKind
from services.ingest.readers import check, read_records
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.matcher import Matcher

__all__ = ["BadRecord", "match_batch", "read_valid"]

R = TypeVar("R", ClientProfile, Vacancy)


@dataclass(frozen=True)
class BadRecord:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def read_valid(
    path: Path, kind: RecordKind, on_bad: Callable[[BadRecord], None]
) -> Iterator[ClientProfile | Vacancy]:
    """Valid records of ``path``; each invalid one is passed to ``on_bad`` and skipped."""
    # The ingest worker's readers: the same file gives the same records on every path.
    for line, raw in read_records(path):
        verdict = check(kind, raw)
        if isinstance(verdict, Valid):
            yield verdict.record
        else:
            on_bad(BadRecord(path, line, verdict.reason))


def match_batch(
    clients: Iterable[ClientProfile],
    vacancies: Iterable[Vacancy],
    config: MatchConfig | None = None,
    now: datetime | None = None,
    matcher: Matcher | None = None,
) -> list[Referral]:
    """Referrals (kind ``referral``) still active after all clients, then all vacancies."""
    if now is None:
        raise ValueError("now is required: batch runs are reproducible")
    matcher = matcher or Matcher(config)
    made: dict[str, Referral] = {}
    for client in clients:
        _collect(made, matcher.upsert_client(client, now))
    for vacancy in vacancies:
        _collect(made, matcher.upsert_vacancy(vacancy, now))
    return [r for rid, r in made.items() if rid in matcher.active]


def _collect(made: dict[str, Referral], events: list[Referral]) -> None:
    for event in events:
        made.pop(event.referral_id, None)  # a re-made referral moves to the end
        if event.kind == "referral":
            made[event.referral_id] = event
