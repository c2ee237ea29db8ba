"""What of a dead letter an operator may see: an allow-list of fields, with personal data scrubbed.

A dead letter's payload is the rejected record as it was sent: it may hold a client's whole
profile (location, monitoring data). The monitor never shows or keeps it, only its size.
Reasons and positions are meant to name fields, not values (``schemas.validation``), but they
come from other systems too, so anything shaped like personal data is masked as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["REDACTED", "dead_letter_view", "reason_key", "redact_text"]

REDACTED = "[redacted]"
_MAX_TEXT = 300

_PATTERNS = (
    # e-mail addresses
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    # National Insurance numbers with or without spaces (loosely: over-masking is harmless)
    re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE),
    # UK postcodes
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    # dates (a date of birth is personal); record times are shown from rejected_at instead
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    # phone numbers and other long digit runs
    re.compile(r"\+?\d[\d ]{8,}\d"),
    # coordinates: a home location to a few metres
    re.compile(r"-?\d{1,3}\.\d{3,}"),
)


def redact_text(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def reason_key(reason: str) -> str:
    """A short grouping key for counting reasons: the part before the first ``:``.

    ``validate`` writes reasons as ``field: rule; ...``, so this is the first failing field.
    """
    head = reason.split(";", 1)[0].split(":", 1)[0].strip()
    return redact_text(head)[:80] or "unknown"


def _text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    return redact_text(value) if isinstance(value, str) else ""


def dead_letter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The allow-listed, redacted view of one dead letter; the payload is left out entirely."""
    size = record.get("payload_bytes")
    return {
        "source": _text(record, "source"),
        "position": _text(record, "position"),
        "record_type": _text(record, "record_type"),
        "reason": _text(record, "reason"),
        "payload_bytes": size if isinstance(size, int) and not isinstance(size, bool) else None,
        "rejected_at": _time(record.get("rejected_at")),
    }


def _time(value: object) -> str:
    # Parsed rather than scrubbed: the date pattern above would mask a perfectly good time.
    if not isinstance(value, str):
        return ""
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return ""
