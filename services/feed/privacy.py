"""What an employer may receive: an allow-list, applied when a referral enters the store and
again on the way out (API responses are also shaped by response models).

Anything not named here never leaves: client_id, monitoring data, NI numbers, dates of birth,
addresses, matcher internals. New fields are opt-in by editing this file, never by accident.
"""

from __future__ import annotations

from typing import Any

from schemas.referral import Referral

__all__ = ["EVENT_FIELDS", "EXPLANATION_FIELDS", "MATCHED_SKILL_FIELDS", "project", "restrict"]

EVENT_FIELDS = frozenset({
    "event_id", "referral_id", "kind", "vacancy_id", "client_ref", "score", "explanation",
    "created_at",
})
EXPLANATION_FIELDS = frozenset({
    "matched_skills", "missing_required_skills", "distance_km", "components",
    "matched_certifications", "withdrawal_reason",
})
MATCHED_SKILL_FIELDS = frozenset({"vacancy_skill", "client_skill", "similarity"})


def project(referral: Referral, *, event_id: str, client_ref: str) -> dict[str, Any]:
    """The employer's view of one referral event, built field by field from the allow-list."""
    exp = referral.explanation
    explanation: dict[str, Any] = {
        "matched_skills": [
            {"vacancy_skill": m.vacancy_skill, "client_skill": m.client_skill,
             "similarity": m.similarity}
            for m in exp.matched_skills
        ],
        "missing_required_skills": list(exp.missing_required_skills),
        "distance_km": exp.distance_km,
        # Component names are the matcher's score terms (skills, distance, ...), not data.
        "components": {str(k): float(v) for k, v in exp.components.items()},
        "matched_certifications": list(exp.matched_certifications),
    }
    if exp.withdrawal_reason is not None:
        explanation["withdrawal_reason"] = exp.withdrawal_reason
    view = {
        "event_id": event_id,
        "referral_id": referral.referral_id,
        "kind": referral.kind,
        "vacancy_id": referral.vacancy_id,
        "client_ref": client_ref,
        "score": referral.score,
        "explanation": explanation,
        "created_at": referral.created_at.isoformat().replace("+00:00", "Z"),
    }
    return restrict(view)


def restrict(view: dict[str, Any]) -> dict[str, Any]:
    """Drop any key that is not allow-listed (defence in depth for stored payloads)."""
    out = {k: v for k, v in view.items() if k in EVENT_FIELDS}
    exp = out.get("explanation")
    if isinstance(exp, dict):
        exp = {k: v for k, v in exp.items() if k in EXPLANATION_FIELDS}
        exp["matched_skills"] = [
            {k: v for k, v in m.items() if k in MATCHED_SKILL_FIELDS}
            for m in exp.get("matched_skills", []) if isinstance(m, dict)
        ]
        out["explanation"] = exp
    return out
