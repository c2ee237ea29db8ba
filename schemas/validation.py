"""Turn raw bytes or parsed JSON into contract records, with errors as data.

Every entry point (files, HTTP, raw topics, the batch command) goes through ``validate``, so
the same record gets the same verdict on every path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from schemas.client import ClientProfile
from schemas.errors import ContractError
from schemas.vacancy import Vacancy

__all__ = [
    "MAX_RECORD_BYTES",
    "RecordKind",
    "Rejected",
    "Valid",
    "format_validation_error",
    "parse_json_object",
    "validate",
]

# A vacancy may carry 20,000 characters of description and 150 list items of 200 characters;
# 256 KiB holds the largest valid record with room to spare, and refuses abuse early.
MAX_RECORD_BYTES = 256 * 1024
_MAX_REPORTED_ERRORS = 5

RecordKind = Literal["client", "vacancy"]
_MODELS: dict[str, type[BaseModel]] = {"client": ClientProfile, "vacancy": Vacancy}


@dataclass(frozen=True)
class Valid:
    record: ClientProfile | Vacancy


@dataclass(frozen=True)
class Rejected:
    reason: str


def _refuse_constant(name: str) -> Any:
    raise ContractError(f"invalid JSON: {name} is not a JSON number")


def parse_json_object(raw: bytes | str) -> dict[str, Any]:
    """Parse one JSON object, refusing what JSON does not allow and what we will not hold."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > MAX_RECORD_BYTES:
        raise ContractError(f"record too large: {size} bytes > {MAX_RECORD_BYTES}")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError(f"not valid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except ContractError:
        raise
    except RecursionError:
        raise ContractError("invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ContractError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:
        # Python refuses to convert an integer of more than 4,300 digits (its guard against
        # quadratic-time conversion, CVE-2020-10735); no contract field needs one.
        if "digits" in str(exc):
            raise ContractError("invalid JSON: number too long") from None
        raise ContractError(f"invalid JSON ({type(exc).__name__})") from None
    except Exception as exc:  # whatever the parser raises is a rejection
        raise ContractError(f"invalid JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise ContractError(f"expected a JSON object, got {type(value).__name__}")
    return value


def format_validation_error(exc: ValidationError) -> str:
    """One line naming each failing field and rule. Input values are left out on purpose:
    they may be personal data, and reasons end up in logs and on the dead-letter topic."""
    parts = []
    # Unknown fields first: a misspelt field name also shows up as a missing required field,
    # and the misspelling is the cause worth reading.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    for err in errors[:_MAX_REPORTED_ERRORS]:
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (the contract refuses fields it does not define)"
        parts.append(f"{loc}: {msg}")
    more = exc.error_count() - _MAX_REPORTED_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _model_validate(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContractError(format_validation_error(exc)) from None
    except RecursionError:
        raise ContractError("record nested too deeply") from None


def _validate_slow(kind: RecordKind, raw: bytes | str | Mapping[str, Any]) -> Valid | Rejected:
    try:
        data = raw if isinstance(raw, Mapping) else parse_json_object(raw)
        record = _model_validate(_MODELS[kind], data)
    except ContractError as exc:
        return Rejected(exc.reason)
    except Exception as exc:  # errors are data: never let one record raise
        # Only the exception's type: its message may quote the value.
        return Rejected(f"record could not be validated ({type(exc).__name__})")
    assert isinstance(record, ClientProfile | Vacancy)
    return Valid(record)


def _fast_path_allowed(raw: bytes | str) -> bool:
    size = len(raw) if isinstance(raw, bytes) else len(raw) * 4  # worst case for str
    # pydantic's JSON parser accepts NaN and Infinity, which JSON does not: leave those to the
    # slow path, which refuses them with a reason.
    tokens = (b"NaN", b"Infinity") if isinstance(raw, bytes) else ("NaN", "Infinity")
    return size <= MAX_RECORD_BYTES and not any(t in raw for t in tokens)  # type: ignore[operator]


def validate(kind: RecordKind, raw: bytes | str | Mapping[str, Any]) -> Valid | Rejected:
    """Validate one record of ``kind``. Never raises for any input: it returns ``Rejected``.

    Valid JSON takes pydantic's native JSON path, about twice as fast (ingest is bound by it);
    anything it refuses is validated again by the slow path, which words the reason. Both paths
    give the same verdict (tests/unit/test_validation.py checks it on mutated records).
    """
    if not isinstance(raw, Mapping) and _fast_path_allowed(raw):
        try:
            record = _MODELS[kind].model_validate_json(raw)
        except Exception:  # whatever pydantic refuses or raises: the slow path words it
            record = None
        if record is not None:
            assert isinstance(record, ClientProfile | Vacancy)
            return Valid(record)
    return _validate_slow(kind, raw)
