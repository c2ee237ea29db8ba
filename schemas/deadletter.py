"""DeadLetter: a record that could not be accepted, with why and where it came from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import Field

from schemas._types import ContractModel, Rfc3339Time

__all__ = ["PAYLOAD_CAP_BYTES", "DeadLetter", "DeadLetterSource"]

# Enough to see what went wrong, small enough that a flood of huge bad records cannot fill the
# dead-letter topic.
PAYLOAD_CAP_BYTES = 4096

DeadLetterSource = Literal["file", "http", "topic", "matcher"]
RecordType = Literal["client", "vacancy", "outcome", "unknown"]


class DeadLetter(ContractModel):
    source: DeadLetterSource
    # file:line, HTTP request id and index, or topic/partition/offset.
    position: Annotated[str, Field(min_length=1, max_length=1000)]
    record_type: RecordType
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    payload: Annotated[str, Field(max_length=PAYLOAD_CAP_BYTES)]
    payload_bytes: Annotated[int, Field(ge=0)]
    truncated: bool
    rejected_at: Rfc3339Time

    @classmethod
    def build(
        cls,
        *,
        source: DeadLetterSource,
        position: str,
        record_type: RecordType,
        reason: str,
        raw: bytes | str,
        now: datetime | None = None,
    ) -> DeadLetter:
        """Cap the payload and make it printable: invalid UTF-8 becomes U+FFFD."""
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        head = data[:PAYLOAD_CAP_BYTES].decode("utf-8", "replace")[:PAYLOAD_CAP_BYTES]
        return cls(
            source=source,
            position=position[:1000],
            record_type=record_type,
            reason=(reason or "rejected")[:2000],
            payload=head,
            payload_bytes=len(data),
            truncated=len(data) > PAYLOAD_CAP_BYTES,
            rejected_at=now or datetime.now(UTC),
        )
