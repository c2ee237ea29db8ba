"""``RegionOp``: the message on the regional topic that tells one region's state what to do,
and how several travel in one message (``pack_ops``, ``unpack_ops``).

The router sends these and the regional matcher applies them (see ``regional``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["OpKind", "RegionOp", "pack_ops", "unpack_ops"]

OpKind = Literal["client", "vacancy", "erase", "leave_client", "leave_vacancy", "tick"]
_SEP = "|"  # region and id characters never include it


@dataclass(frozen=True)
class RegionOp:
    """One message on the regional topic: what to do to one region's state."""

    op: OpKind
    region: str
    entity_id: str = ""
    raw: str = ""  # the record's JSON as published, for client and vacancy ops
    position: str = ""  # where the source record was read (topic/partition/offset)

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "region": self.region, "id": self.entity_id, "raw": self.raw,
                "pos": self.position}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> RegionOp:
        return cls(op=obj["op"], region=obj["region"], entity_id=obj.get("id", ""),
                   raw=obj.get("raw", ""), position=obj.get("pos", ""))

    @classmethod
    def from_bytes(cls, data: bytes | str) -> RegionOp:
        return cls.from_dict(json.loads(data))


def pack_ops(ops: list[RegionOp], max_bytes: int = 256 * 1024, max_ops: int = 256
             ) -> list[bytes]:
    """Ops bound for one regional partition as few messages as possible: JSON arrays of ops,
    in order, each at most about ``max_bytes`` and ``max_ops`` (an op larger than that
    travels alone)."""
    messages: list[bytes] = []
    parts: list[bytes] = []
    size = 0
    for op in ops:
        item = op.to_bytes()
        if parts and (size + len(item) + 1 > max_bytes or len(parts) >= max_ops):
            messages.append(b"[" + b",".join(parts) + b"]")
            parts, size = [], 0
        parts.append(item)
        size += len(item) + 1
    if parts:
        messages.append(b"[" + b",".join(parts) + b"]")
    return messages


def unpack_ops(data: bytes | str) -> list[RegionOp]:
    """The ops of one regional message: an array of ops, or a single op (ticks)."""
    obj = json.loads(data)
    if isinstance(obj, list):
        return [RegionOp.from_dict(item) for item in obj]
    return [RegionOp.from_dict(obj)]
