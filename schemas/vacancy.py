"""Vacancy: an employer's vacancy (contract v1)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from schemas._types import (
    ContractModel,
    EntityId,
    Hours,
    Location,
    Rfc3339Time,
    ShortText,
    StrictBool,
    StrictDate,
    StrictInt,
)

__all__ = ["Vacancy", "VacancyStatus"]

VacancyStatus = Literal["open", "closed", "filled"]


class Vacancy(ContractModel):
    vacancy_id: EntityId
    employer_id: EntityId
    employer_name: ShortText
    updated_at: Rfc3339Time
    status: VacancyStatus
    title: ShortText
    description: Annotated[str, Field(max_length=20_000, strict=True)] = ""
    required_skills: list[ShortText] = Field(default_factory=list, max_length=50)
    desired_skills: list[ShortText] = Field(default_factory=list, max_length=50)
    required_certifications: list[ShortText] = Field(default_factory=list, max_length=50)
    location: Location
    remote: StrictBool = False
    hours_per_week: Hours | None = None
    positions: Annotated[StrictInt, Field(ge=1)] = 1
    max_referrals: Annotated[
        StrictInt, Field(ge=1, description="Defaults to 3 x positions when absent.")
    ]
    closing_date: StrictDate | None = None
    requires_right_to_work: StrictBool = True

    @model_validator(mode="before")
    @classmethod
    def _default_max_referrals(cls, data: Any) -> Any:
        # The default depends on another field, so it is filled in before field validation.
        if isinstance(data, dict) and "max_referrals" not in data:
            positions = data.get("positions", 1)
            valid = isinstance(positions, int) and not isinstance(positions, bool)
            # With a bad `positions` the record fails on that field alone; 3 is a placeholder.
            data = {**data, "max_referrals": 3 * positions if valid and positions >= 1 else 3}
        return data

    def is_open_on(self, today: date) -> bool:
        """Open, and not past its closing date (the closing date itself is still open)."""
        return self.status == "open" and (self.closing_date is None or today <= self.closing_date)
