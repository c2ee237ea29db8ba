"""Referral and DeadLetter records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import PAYLOAD_CAP_BYTES, DeadLetter, Referral, referral_id_for


def referral(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "referral_id": referral_id_for("v-1", "c-1"),
        "kind": "referral",
        "vacancy_id": "v-1",
        "employer_id": "emp-1",
        "client_id": "c-1",
        "score": 0.82,
        "explanation": {
            "matched_skills": [{"vacancy_skill": "cash handling", "client_skill": "till operation",
                                "similarity": 0.93}],
            "missing_required_skills": [],
            "distance_km": 1.2,
            "components": {"required_skills": 1.0, "distance": 0.9},
        },
        "created_at": "2026-11-20T09:30:00Z",
        "matcher_version": "0.1.0",
    }
    record.update(overrides)
    return record


def test_referral_id_is_deterministic_per_pair() -> None:
    assert referral_id_for("v-1", "c-1") == referral_id_for("v-1", "c-1")
    assert referral_id_for("v-1", "c-1") != referral_id_for("v-1", "c-2")
    assert referral_id_for("v-1", "c-1") != referral_id_for("c-1", "v-1")
    # No separator ambiguity: "a.b"+"c" is not "a"+"b.c".
    assert referral_id_for("a.b", "c") != referral_id_for("a", "b.c")


def test_a_valid_referral() -> None:
    parsed = Referral.model_validate(referral())
    assert parsed.explanation.matched_skills[0].similarity == pytest.approx(0.93)


@pytest.mark.parametrize("kind", ["referral", "withdrawal"])
def test_kinds(kind: str) -> None:
    assert Referral.model_validate(referral(kind=kind)).kind == kind


@pytest.mark.parametrize(("field", "value"), [
    ("kind", "offer"), ("score", 1.01), ("score", -0.1), ("referral_id", "anything"),
    ("created_at", "2026-11-20T09:30:00"), ("client_id", "a b"), ("surprise", 1),
])
def test_referral_rules(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Referral.model_validate(referral(**{field: value}))


@pytest.mark.parametrize("missing", ["matched_skills", "missing_required_skills", "distance_km",
                                     "components"])
def test_explanation_carries_at_least_the_contract_fields(missing: str) -> None:
    record = referral()
    explanation = dict(record["explanation"])  # type: ignore[call-overload]
    del explanation[missing]
    with pytest.raises(ValidationError):
        Referral.model_validate(referral(explanation=explanation))


def test_referral_has_no_monitoring_field() -> None:
    assert not {"monitoring", "ethnic_group", "disability", "sex", "age_band"} & set(
        Referral.model_fields)


def test_dead_letter_caps_the_payload_and_keeps_its_size() -> None:
    raw = b"x" * (PAYLOAD_CAP_BYTES * 3)
    dead = DeadLetter.build(source="file", position="clients.jsonl:7", record_type="client",
                            reason="record too large", raw=raw,
                            now=datetime(2026, 11, 20, tzinfo=UTC))
    assert len(dead.payload) == PAYLOAD_CAP_BYTES
    assert dead.payload_bytes == len(raw) and dead.truncated


def test_dead_letter_survives_invalid_utf8() -> None:
    dead = DeadLetter.build(source="topic", position="jobmatch.raw.clients/3/1200",
                            record_type="client", reason="not valid UTF-8", raw=b"\xff\xfe{")
    assert "\ufffd" in dead.payload and not dead.truncated
    assert DeadLetter.model_validate_json(dead.model_dump_json()) == dead
