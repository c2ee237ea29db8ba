"""The tests' own allow-list of keys an employer may ever receive, written independently of
services/feed/privacy.py, checked recursively on every response and webhook body."""

from __future__ import annotations

from typing import Any

ALLOWED_KEYS = frozenset({
    # referral events
    "event_id", "referral_id", "kind", "vacancy_id", "client_ref", "score", "explanation",
    "created_at", "matched_skills", "vacancy_skill", "client_skill", "similarity",
    "missing_required_skills", "distance_km", "components", "matched_certifications",
    "withdrawal_reason",
    # pages, webhook envelopes, outcomes, endpoints, delivery logs, errors
    "items", "next_cursor", "has_more", "type", "timestamp", "data", "outcome", "reason",
    "reported_at", "endpoint_id", "url", "enabled", "disabled_reason", "secret", "status",
    "attempt", "attempted_at", "status_code", "error", "duration_ms", "detail", "loc", "msg",
})
# Maps whose keys are names chosen by the matcher (score components), not personal fields.
_FREE_KEYED = {"components"}
FORBIDDEN_VALUES = ("client_id", "monitoring", "ethnic", "disab", "date_of_birth",
                    "national_insurance", "postcode", "address")


def check(obj: Any, path: str = "$") -> None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            assert key in ALLOWED_KEYS, f"{path}.{key} is not allow-listed"
            if key in _FREE_KEYED:
                assert isinstance(value, dict)
                assert all(isinstance(v, float | int) for v in value.values())
                continue
            check(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            check(item, f"{path}[{i}]")
    elif isinstance(obj, str):
        assert not any(word in obj.lower() for word in FORBIDDEN_VALUES), f"{path}: {obj!r}"
