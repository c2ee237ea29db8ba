"""Applying the topics to the store: referral events (idempotent) and erasures.

Every function here runs inside the caller's write transaction, together with the consumer's
offsets, so a record is applied exactly once or not at all.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update

from schemas.referral import Referral
from services.feed.privacy import project
from services.feed.pseudonym import client_key, client_ref
from services.feed.tables import (
    consumer_offsets,
    deliveries,
    erasures,
    feed_events,
    referral_state,
    webhook_endpoints,
)

__all__ = [
    "apply_referral",
    "erase_client",
    "event_id_for",
    "load_offsets",
    "save_offsets",
    "should_store",
]

State = Literal["active", "withdrawn"] | None


def should_store(state: State, kind: str) -> bool:
    """The idempotent transitions: none|withdrawn --referral--> active --withdrawal--> withdrawn.

    A replayed referral of an active referral, or a withdrawal of one that is not active (a
    replay, or a withdrawal we never saw referred), tells the employer nothing new.
    """
    if kind == "referral":
        return state != "active"
    return state == "active"


def event_id_for(referral_id: str, kind: str, partition: int, offset: int) -> str:
    """Stable across rebuilds (made from the topic position), so it doubles as the webhook-id."""
    raw = f"{referral_id}\n{kind}\n{partition}\n{offset}".encode()
    return "msg_" + hashlib.sha256(raw).hexdigest()[:32]


def apply_referral(conn: Connection, key: bytes, referral: Referral, *, partition: int,
                   offset: int, now: float, enqueue: bool = True) -> bool:
    """Store one referral event if it changes the referral's state; True when stored."""
    ckey = client_key(key, referral.client_id)
    through = conn.execute(select(erasures.c.through).where(
        erasures.c.client_key == ckey)).scalar_one_or_none()
    # Only a rebuild meets records from before an erasure: skip them, as the live store did.
    if through is not None and offset < int(json.loads(through).get(str(partition), -1)):
        return False
    state = conn.execute(select(referral_state.c.state).where(
        referral_state.c.referral_id == referral.referral_id)).scalar_one_or_none()
    if not should_store(state, referral.kind):
        return False
    event_id = event_id_for(referral.referral_id, referral.kind, partition, offset)
    view = project(referral, event_id=event_id,
                   client_ref=client_ref(key, referral.employer_id, referral.client_id))
    conn.execute(insert(feed_events).values(
        event_id=event_id, employer_id=referral.employer_id, referral_id=referral.referral_id,
        kind=referral.kind, client_key=ckey, src_partition=partition, src_offset=offset,
        payload=json.dumps(view, sort_keys=True, separators=(",", ":")),
        created_at=view["created_at"]))
    new_state = "active" if referral.kind == "referral" else "withdrawn"
    if state is None:
        conn.execute(insert(referral_state).values(
            referral_id=referral.referral_id, employer_id=referral.employer_id,
            client_key=ckey, state=new_state))
    else:
        conn.execute(update(referral_state).where(
            referral_state.c.referral_id == referral.referral_id).values(state=new_state))
    if enqueue:
        _enqueue(conn, referral.employer_id, event_id, now)
    return True


def _enqueue(conn: Connection, employer_id: str, event_id: str, now: float) -> None:
    endpoints = conn.execute(select(webhook_endpoints.c.endpoint_id).where(
        webhook_endpoints.c.employer_id == employer_id,
        webhook_endpoints.c.enabled.is_(True))).scalars().all()
    for endpoint_id in endpoints:
        exists = conn.execute(select(deliveries.c.delivery_id).where(
            deliveries.c.endpoint_id == endpoint_id,
            deliveries.c.event_id == event_id)).first()
        if exists is None:
            conn.execute(insert(deliveries).values(
                endpoint_id=endpoint_id, event_id=event_id, status="pending", attempts=0,
                next_attempt_at=now, created_at=now))


def erase_client(conn: Connection, key: bytes, client_id: str,
                 through: dict[int, int], now: float) -> int:
    """Remove a client's referrals and stop their pending deliveries; returns rows removed.

    ``through`` is the consumer's position on the referral topic at this moment, kept so that
    a rebuild skips exactly the records this erasure removed.
    """
    ckey = client_key(key, client_id)
    ids = select(feed_events.c.event_id).where(feed_events.c.client_key == ckey)
    conn.execute(update(deliveries).where(
        deliveries.c.event_id.in_(ids), deliveries.c.status == "pending").values(
        status="cancelled", last_error="client erased", completed_at=now))
    removed = conn.execute(delete(feed_events).where(feed_events.c.client_key == ckey)).rowcount
    conn.execute(delete(referral_state).where(referral_state.c.client_key == ckey))
    text = json.dumps({str(p): o for p, o in sorted(through.items())})
    if conn.execute(update(erasures).where(erasures.c.client_key == ckey).values(
            through=text, erased_at=now)).rowcount == 0:
        conn.execute(insert(erasures).values(client_key=ckey, through=text, erased_at=now))
    return int(removed)


def load_offsets(conn: Connection, topic: str) -> dict[int, int]:
    rows = conn.execute(select(consumer_offsets.c.partition, consumer_offsets.c.next_offset)
                        .where(consumer_offsets.c.topic == topic)).all()
    return {int(p): int(o) for p, o in rows}


def save_offsets(conn: Connection, topic: str, positions: dict[int, int]) -> None:
    for partition, next_offset in positions.items():
        changed = conn.execute(update(consumer_offsets).where(
            consumer_offsets.c.topic == topic,
            consumer_offsets.c.partition == partition).values(next_offset=next_offset)).rowcount
        if changed == 0:
            conn.execute(insert(consumer_offsets).values(
                topic=topic, partition=partition, next_offset=next_offset))
