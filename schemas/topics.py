"""Topic names, partition counts, keys and configs: the one place they are defined.

Every canonical topic is versioned with the contract (``.v1``). Records are keyed so that
every update of one entity stays in one partition, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CANONICAL",
    "CLIENTS",
    "DEADLETTERS",
    "OUTCOMES",
    "RAW_CLIENTS",
    "RAW_VACANCIES",
    "REFERRALS",
    "TOPICS",
    "VACANCIES",
    "TopicSpec",
    "by_short_name",
]

_FOREVER = "-1"
# Tombstones must outlive the time an offline consumer may be away, or it never sees the erasure.
_TOMBSTONE_RETENTION_MS = str(7 * 24 * 3600 * 1000)


@dataclass(frozen=True)
class TopicSpec:
    """A Kafka topic the project owns."""

    short: str  # the name operators type: `jobmatch tail clients`
    name: str
    partitions: int
    key_field: str
    config: dict[str, str] = field(default_factory=dict)


CLIENTS = TopicSpec(
    "clients",
    "jobmatch.clients.v1",
    8,
    "client_id",
    {"cleanup.policy": "compact", "delete.retention.ms": _TOMBSTONE_RETENTION_MS},
)
VACANCIES = TopicSpec(
    "vacancies",
    "jobmatch.vacancies.v1",
    8,
    "vacancy_id",
    {"cleanup.policy": "compact", "delete.retention.ms": _TOMBSTONE_RETENTION_MS},
)
# Keyed by vacancy_id so a referral and its later withdrawal stay in order. Kept forever:
# the employer feed rebuilds its store from this topic.
REFERRALS = TopicSpec("referrals", "jobmatch.referrals.v1", 8, "vacancy_id",
                      {"retention.ms": _FOREVER})
DEADLETTERS = TopicSpec("deadletters", "jobmatch.deadletters.v1", 1, "position",
                        {"retention.ms": str(30 * 24 * 3600 * 1000)})
OUTCOMES = TopicSpec("outcomes", "jobmatch.outcomes.v1", 8, "referral_id",
                     {"retention.ms": _FOREVER})
# Raw topics take whatever other systems produce; short retention limits personal data at rest.
RAW_CLIENTS = TopicSpec("raw-clients", "jobmatch.raw.clients", 8, "client_id",
                        {"retention.ms": str(3 * 24 * 3600 * 1000)})
RAW_VACANCIES = TopicSpec("raw-vacancies", "jobmatch.raw.vacancies", 8, "vacancy_id",
                          {"retention.ms": str(3 * 24 * 3600 * 1000)})

CANONICAL: tuple[TopicSpec, ...] = (CLIENTS, VACANCIES, REFERRALS, DEADLETTERS, OUTCOMES)
TOPICS: tuple[TopicSpec, ...] = (*CANONICAL, RAW_CLIENTS, RAW_VACANCIES)


def by_short_name(short: str) -> TopicSpec:
    """Look a topic up by its short name (``clients``) or its full name."""
    for spec in TOPICS:
        if short in (spec.short, spec.name):
            return spec
    known = ", ".join(s.short for s in TOPICS)
    raise KeyError(f"unknown topic {short!r}; known: {known}")
