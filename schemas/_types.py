"""Field types shared by the contract's records.

Types are strict per field (a JSON string is never coerced into a number or a bool), because
a record with a wrong type is a publisher bug that must reach the dead-letter topic, not be
guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

__all__ = [
    "ContractModel",
    "EntityId",
    "Hours",
    "Location",
    "Postcode",
    "Rfc3339Time",
    "ShortText",
    "StrictBool",
    "StrictDate",
    "StrictFloat",
    "StrictInt",
]

_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# RFC 3339 date-time with a mandatory offset: `Z` or `+hh:mm`. Fractional seconds allowed.
_RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# UK postcode, the government's published pattern, case-insensitive and space-tolerant.
_POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|"
    r"[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$",
    re.IGNORECASE,
)


class ContractModel(BaseModel):
    """Base for every contract record: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise ValueError("must be 1-64 characters of A-Z a-z 0-9 . _ -")
    return value


def _parse_time(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("time must carry an offset (RFC 3339), e.g. 2026-11-20T09:30:00Z")
        return value
    if not isinstance(value, str):
        raise ValueError("time must be an RFC 3339 string with an offset")
    if not _RFC3339_RE.fullmatch(value):
        raise ValueError(
            "time must be RFC 3339 with an offset, e.g. 2026-11-20T09:30:00Z"
        )
    return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


def _parse_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError("date must be an ISO 8601 calendar date, e.g. 2026-12-31")
    return date.fromisoformat(value)


def _check_postcode(value: str) -> str:
    if not _POSTCODE_RE.fullmatch(value.strip()):
        raise ValueError("postcode must be a UK postcode, e.g. B1 1AA")
    return value


EntityId = Annotated[StrictStr, AfterValidator(_check_id)]
Rfc3339Time = Annotated[datetime, BeforeValidator(_parse_time)]
StrictDate = Annotated[date, BeforeValidator(_parse_date)]
Postcode = Annotated[StrictStr, AfterValidator(_check_postcode)]


# Free text of 1-200 characters: names, titles, and the items of skill and certification lists.
ShortText = Annotated[StrictStr, Field(min_length=1, max_length=200)]


class Location(ContractModel):
    lat: Annotated[StrictFloat, Field(ge=-90, le=90)]
    lon: Annotated[StrictFloat, Field(ge=-180, le=180)]
    postcode: Postcode | None = None


class Hours(ContractModel):
    """Hours per week. Either bound may be left out: min defaults to 0 and max to 80."""

    min: Annotated[StrictFloat, Field(ge=0, le=80)] = 0.0
    max: Annotated[StrictFloat, Field(ge=0, le=80)] = 80.0

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.min > self.max:
            raise ValueError("hours_per_week: min must not exceed max")
        return self
