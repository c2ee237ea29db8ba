"""The read side of the pull API. Every query is scoped by the employer taken from the
credential; nothing here accepts a tenant id from a request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, not_, or_, select

from services.feed.cursor import Positions, advance
from services.feed.privacy import restrict
from services.feed.store import Store
from services.feed.tables import feed_events

__all__ = ["Page", "latest_event", "list_events"]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    positions: Positions
    has_more: bool


def list_events(store: Store, employer_id: str, after: Positions, limit: int) -> Page:
    e = feed_events.c
    conds = [e.employer_id == employer_id]
    if after:
        # Not yet seen: beyond the cursor's offset in a partition it names, or anywhere in a
        # partition it does not name.
        conds.append(or_(
            not_(e.src_partition.in_(list(after))),
            *[and_(e.src_partition == p, e.src_offset > o) for p, o in after.items()],
        ))
    query = (select(e.payload, e.src_partition, e.src_offset).where(*conds)
             .order_by(e.sequence).limit(limit + 1))
    with store.read() as conn:
        rows = conn.execute(query).all()
    page = rows[:limit]
    items = [restrict(json.loads(r.payload)) for r in page]
    positions = advance(after, [(int(r.src_partition), int(r.src_offset)) for r in page])
    return Page(items, positions, has_more=len(rows) > limit)


def latest_event(store: Store, employer_id: str, referral_id: str) -> dict[str, Any] | None:
    """The referral's latest event (its current state) if it belongs to this employer."""
    e = feed_events.c
    with store.read() as conn:
        payload = conn.execute(
            select(e.payload).where(e.employer_id == employer_id, e.referral_id == referral_id)
            .order_by(e.sequence.desc()).limit(1)).scalar_one_or_none()
    return None if payload is None else restrict(json.loads(payload))
