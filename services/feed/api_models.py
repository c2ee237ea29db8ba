"""The API's request and response bodies. Response models are allow-lists too: FastAPI
serialises through them, so a field not declared here cannot reach an employer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.outcome import OutcomeKind

__all__ = [
    "DeliveryAttemptOut",
    "DeliveryLog",
    "ExplanationOut",
    "MatchedSkillOut",
    "OutcomeAccepted",
    "OutcomeIn",
    "ReferralEvent",
    "ReferralPage",
    "WebhookCreated",
    "WebhookIn",
    "WebhookList",
    "WebhookOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchedSkillOut(_Out):
    vacancy_skill: str
    client_skill: str
    similarity: float


class ExplanationOut(_Out):
    matched_skills: list[MatchedSkillOut]
    missing_required_skills: list[str]
    distance_km: float
    components: dict[str, float]
    matched_certifications: list[str] = Field(default_factory=list)
    withdrawal_reason: str | None = None


class ReferralEvent(_Out):
    event_id: str = Field(description="Unique per event; also the webhook-id of its delivery.")
    referral_id: str
    kind: Literal["referral", "withdrawal"]
    vacancy_id: str
    client_ref: str = Field(description="Pseudonym of the client, scoped to your organisation.")
    score: float
    explanation: ExplanationOut
    created_at: str


class ReferralPage(_Out):
    items: list[ReferralEvent]
    next_cursor: str = Field(description="Pass as `after` to continue; stable and opaque.")
    has_more: bool


class OutcomeIn(_In):
    outcome: OutcomeKind
    reason: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="Required when outcome is `rejected`.")


class OutcomeAccepted(_Out):
    referral_id: str
    outcome: OutcomeKind
    reason: str | None = None
    reported_at: str


class WebhookIn(_In):
    url: Annotated[str, Field(min_length=8, max_length=2048)]


class WebhookOut(_Out):
    endpoint_id: str
    url: str
    enabled: bool
    disabled_reason: str | None = None
    created_at: float


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Standard Webhooks signing secret; shown only this once.")


class WebhookList(_Out):
    items: list[WebhookOut]


class DeliveryAttemptOut(_Out):
    event_id: str
    status: str
    attempt: int
    attempted_at: float
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


class DeliveryLog(_Out):
    items: list[DeliveryAttemptOut]
