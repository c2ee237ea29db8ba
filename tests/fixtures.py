"""Builders of valid contract records as JSON-ready dicts, shared by every test tier.

Each builder returns a record that satisfies ``../shared/CONTRACT.md``; tests override the
fields they are about, so a test reads as the one rule it checks.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from schemas import Rejected, Valid, validate

__all__ = ["DROP", "accepted", "make_client", "make_vacancy", "rejected"]

_CLIENT: dict[str, Any] = {
    "client_id": "c-0001",
    "updated_at": "2026-11-20T09:30:00Z",
    "status": "job_ready",
    "skills": ["customer service", "till operation", "stock replenishment"],
    "certifications": ["Food Hygiene Level 2"],
    "desired_roles": ["retail assistant"],
    "location": {"lat": 52.4862, "lon": -1.8904, "postcode": "B1 1AA"},
    "max_travel_km": 15,
    "hours_per_week": {"min": 16, "max": 37.5},
    "right_to_work": True,
    "consent_to_share": True,
    "languages": ["English"],
    "programme": "Sector-based work academy: retail",
    "monitoring": {"ethnic_group": "Asian or Asian British", "disability": False,
                   "age_band": "18-24", "sex": "female"},
}

_VACANCY: dict[str, Any] = {
    "vacancy_id": "v-0001",
    "employer_id": "emp-001",
    "employer_name": "Bullring Retail Ltd",
    "updated_at": "2026-11-20T09:00:00+00:00",
    "status": "open",
    "title": "Retail Sales Assistant",
    "description": "Serving customers, operating the till and replenishing stock.",
    "required_skills": ["customer service", "cash handling"],
    "desired_skills": ["stock replenishment"],
    "required_certifications": [],
    "location": {"lat": 52.4778, "lon": -1.8946, "postcode": "B5 4BU"},
    "remote": False,
    "hours_per_week": {"min": 20, "max": 30},
    "positions": 2,
    "closing_date": "2026-12-31",
    "requires_right_to_work": True,
}


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is _DROP:
            record.pop(key, None)
        else:
            record[key] = value
    return record


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


_DROP = _Drop()
DROP: Any = _DROP
"""Pass as an override value to leave the field out: ``make_client(monitoring=DROP)``."""


def make_client(**overrides: Any) -> dict[str, Any]:
    return _merge(_CLIENT, overrides)


def make_vacancy(**overrides: Any) -> dict[str, Any]:
    return _merge(_VACANCY, overrides)


M = TypeVar("M", bound=BaseModel)


def accepted(kind: Literal["client", "vacancy"], model: type[M], record: dict[str, Any]) -> M:
    """Validate ``record`` as JSON, as every entry point does, and insist it is accepted."""
    result = validate(kind, json.dumps(record))
    assert isinstance(result, Valid), result
    assert isinstance(result.record, model)
    return result.record


def rejected(kind: Literal["client", "vacancy"], record: dict[str, Any]) -> str:
    """Validate ``record`` as JSON and insist it is rejected; returns the reason."""
    result = validate(kind, json.dumps(record))
    assert isinstance(result, Rejected), f"expected a rejection, got {result}"
    return result.reason
