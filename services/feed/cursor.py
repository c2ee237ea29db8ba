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
Positions = dict[int, int]


class CursorError(ValueError):
    """The cursor was not made by this API (or was altered)."""


def encode(positions: Positions) -> str:
    raw = json.dumps(sorted(positions.items()), separators=(",", ":")).encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> Positions:
    if not cursor:
        return {}
    if not cursor.startswith(_PREFIX) or len(cursor) > 2048:
        raise CursorError("unknown cursor format")
    body = cursor[len(_PREFIX):]
    try:
        pairs = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if not isinstance(pairs, list):
            raise TypeError("not a list")
        positions = {int(p): int(o) for p, o in pairs}
    except (ValueError, TypeError, binascii.Error) as exc:
        raise CursorError("malformed cursor") from exc
    if any(p < 0 or o < -1 for p, o in positions.items()):
        raise CursorError("malformed cursor")
    return positions


def advance(positions: Positions, seen: list[tuple[int, int]]) -> Positions:
    """The cursor after the employer has been given the events at ``seen`` positions."""
    out = dict(positions)
    for partition, offset in seen:
        out[partition] = max(offset, out.get(partition, -1))
    return out
