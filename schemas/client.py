"""ClientProfile: a job-ready client, published by a Jobcentre system (contract v1)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from schemas._types import (
    ContractModel,
    EntityId,
    Hours,
    Location,
    Rfc3339Time,
    ShortText,
    StrictBool,
    StrictFloat,
)

__all__ = ["ClientProfile", "ClientStatus", "Monitoring"]

ClientStatus = Literal["job_ready", "paused", "placed", "withdrawn"]

# HMRC's National Insurance number shape. The contract says a client_id is never one, so an id
# of that shape is refused rather than carried through every topic and store.
_NINO_RE = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$",
                      re.IGNORECASE)


def _not_a_nino(value: str) -> str:
    if _NINO_RE.fullmatch(value):
        raise ValueError("client_id looks like a National Insurance number; use a pseudonymous id")
    return value


MonitoringText = Annotated[str, Field(min_length=1, max_length=100, strict=True)]


class Monitoring(ContractModel):
    """Equality-monitoring data (special category). Never used in matching, never referred."""

    ethnic_group: MonitoringText | None = None
    disability: StrictBool | None = None
    age_band: MonitoringText | None = None
    sex: MonitoringText | None = None


class ClientProfile(ContractModel):
    client_id: Annotated[EntityId, AfterValidator(_not_a_nino)]
    updated_at: Rfc3339Time
    status: ClientStatus
    skills: list[ShortText] = Field(default_factory=list, max_length=100)
    certifications: list[ShortText] = Field(default_factory=list, max_length=50)
    desired_roles: list[ShortText] = Field(default_factory=list, max_length=20)
    location: Location
    max_travel_km: Annotated[StrictFloat, Field(gt=0, le=200)] = 15.0
    hours_per_week: Hours | None = None
    right_to_work: StrictBool
    consent_to_share: StrictBool
    languages: list[ShortText] = Field(default_factory=list, max_length=50)
    programme: ShortText | None = None
    monitoring: Monitoring | None = None
