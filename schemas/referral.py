"""Referral: what the matcher emits (contract v1)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field

from schemas._types import ContractModel, EntityId, Rfc3339Time, StrictFloat

__all__ = ["Explanation", "MatchedSkill", "Referral", "ReferralKind", "referral_id_for"]

ReferralKind = Literal["referral", "withdrawal"]
Unit = Annotated[StrictFloat, Field(ge=0, le=1)]


def referral_id_for(vacancy_id: str, client_id: str) -> str:
    """The referral id of a (vacancy, client) pair: the same pair always gets the same id.

    A newline cannot occur in an id, so it separates the two without ambiguity.
    """
    digest = hashlib.sha256(f"{vacancy_id}\n{client_id}".encode()).hexdigest()
    return f"ref-{digest[:32]}"


class MatchedSkill(ContractModel):
    vacancy_skill: str
    client_skill: str
    similarity: Unit


class Explanation(ContractModel):
    """Why a pair was referred. A withdrawal repeats the referral's and adds its reason."""

    matched_skills: list[MatchedSkill]
    missing_required_skills: list[str]
    distance_km: Annotated[StrictFloat, Field(ge=0)]
    components: dict[str, Unit]
    matched_certifications: list[str] = Field(default_factory=list)
    withdrawal_reason: str | None = None


class Referral(ContractModel):
    referral_id: Annotated[str, Field(pattern=r"^ref-[0-9a-f]{32}$")]
    kind: ReferralKind
    vacancy_id: EntityId
    employer_id: EntityId
    client_id: EntityId
    score: Unit
    explanation: Explanation
    created_at: Rfc3339Time
    matcher_version: Annotated[str, Field(min_length=1, max_length=64)]
