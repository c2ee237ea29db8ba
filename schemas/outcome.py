"""ReferralOutcome: what an employer reports back about a referral (ours, not in contract v1).

Published by the employer feed to ``jobmatch.outcomes.v1``, keyed by ``referral_id``. The
employer is taken from the caller's credential, never from the request body.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr, model_validator

from schemas._types import ContractModel, EntityId, Rfc3339Time

__all__ = ["OutcomeKind", "ReferralOutcome"]

OutcomeKind = Literal["acknowledged", "interviewing", "hired", "rejected"]


class ReferralOutcome(ContractModel):
    referral_id: Annotated[str, Field(pattern=r"^ref-[0-9a-f]{32}$")]
    outcome: OutcomeKind
    # Required for `rejected`, so that a rejection can be reviewed and contested; optional
    # context otherwise.
    reason: Annotated[StrictStr, Field(min_length=1, max_length=500)] | None = None
    employer_id: EntityId
    reported_at: Rfc3339Time

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> ReferralOutcome:
        if self.outcome == "rejected" and self.reason is None:
            raise ValueError("reason is required when outcome is rejected")
        return self
