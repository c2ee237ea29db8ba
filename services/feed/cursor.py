"""The pull API's opaque cursor: for each partition of the referral topic, the last offset the
employer has been given.

Positions are facts of the topic, not of the store, so a cursor stays valid after
``jobmatch feed rebuild`` renumbers the store's sequences. Within a partition the store holds
events in offset order, so "everything at or below these offsets" is exactly what was seen.
"""

from __future__ import annotations

import base64
import binascii
import json

__all__ = ["CursorError", "advance", "decode", "encode"]

_PREFIX = "c1."
_MAX_CURSOR_CHARS = 2048
_MAX_PARTITION = 2**31 - 1
_MAX_OFFSET = 2**63 - 1
Positions = dict[int, int]


class CursorError(ValueError):
    """The cursor was not made by this API (or was altered)."""


def encode(positions: Positions) -> str:
    raw = json.dumps(sorted(positions.items()), separators=(",", ":")).encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> Positions:
    """The positions in ``cursor``. Raises CursorError (the API answers 400 with its message)
    for anything ``encode`` could not have made: whatever the input, never another exception."""
    if not cursor:
        return {}
    if not cursor.startswith(_PREFIX) or len(cursor) > _MAX_CURSOR_CHARS:
        raise CursorError("unknown cursor format")
    body = cursor[len(_PREFIX):]
    try:
        pairs = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise CursorError("malformed cursor") from exc
    if not isinstance(pairs, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(_is_int(x) for x in pair)
            for pair in pairs):
        raise CursorError("malformed cursor")
    positions: Positions = {}
    for partition, offset in pairs:
        # Kafka's own ranges (int32 partitions, int64 offsets; -1 is "nothing seen yet"), which
        # are also the store's column ranges: anything else would overflow the SQL query.
        if not 0 <= partition <= _MAX_PARTITION or not -1 <= offset <= _MAX_OFFSET:
            raise CursorError("malformed cursor: position out of range")
        positions[partition] = offset
    return positions


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def advance(positions: Positions, seen: list[tuple[int, int]]) -> Positions:
    """The cursor after the employer has been given the events at ``seen`` positions."""
    out = dict(positions)
    for partition, offset in seen:
        out[partition] = max(offset, out.get(partition, -1))
    return out
