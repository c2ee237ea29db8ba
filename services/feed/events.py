"""Applying the topics to the store: referral events (idempotent) and erasures.

Erasures are decided by time, not by the order the two topics happen to be read in: an event
(referral or withdrawal) whose ``created_at`` is at or before the client's erasure (the
tombstone's Kafka timestamp) is dropped, whether it was stored before the tombstone was read
(``erase_client`` removes it) or arrives after (``apply_referral`` skips it). So the live
consumer and a rebuild, which read the topics in different orders, keep the same events.

Every function here runs inside the caller's write transaction, together with the consumer's
offsets, so a record is applied exactly once or not at all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
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
    "erasure_time",
    "event_id_for",
    "is_erased",
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
    if is_erased(conn, ckey, referral.created_at.timestamp()):
        # Made before the client's erasure (whenever it is read: the referral and clients
        # topics are consumed independently, and a rebuild re-reads every old referral).
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


def is_erased(conn: Connection, ckey: str, event_time: float) -> bool:
    """True when the client was erased at or after ``event_time`` (epoch seconds, the event's
    ``created_at``): the event was made from data the client has since had erased."""
    erased_at = conn.execute(select(erasures.c.erased_at).where(
        erasures.c.client_key == ckey)).scalar_one_or_none()
    return erased_at is not None and event_time <= float(erased_at)


def erasure_time(record_timestamp_ms: int | None, now: float) -> float:
    """The time an erasure takes effect: its tombstone's Kafka timestamp, in epoch seconds.

    Never later than ``now`` (a producer clock running ahead must not suppress referrals made
    after the erasure was read), and ``now`` when the record has no timestamp.
    """
    if record_timestamp_ms is None or record_timestamp_ms < 0:
        return now
    return min(record_timestamp_ms / 1000.0, now)


def erase_client(conn: Connection, key: bytes, client_id: str, *, erased_at: float,
                 through: dict[int, int], now: float) -> int:
    """Apply a client's erasure; returns the number of events removed.

    Removes the client's events made at or before ``erased_at`` (the tombstone's time, see
    ``erasure_time``), cancels their pending deliveries, and keeps an erasure marker (the
    client's keyed hash and that time, never the client_id) so that ``apply_referral`` drops
    any such event read later: one the referral topic delivers after the tombstone, or a
    rebuild replays. Events made after the erasure (the client came back and was referred
    again) are new facts and stay, here as in a rebuild.

    ``through`` (the consumer's referral-topic position) is kept for operators only.
    """
    ckey = client_key(key, client_id)
    rows = conn.execute(select(
        feed_events.c.event_id, feed_events.c.referral_id, feed_events.c.kind,
        feed_events.c.created_at, feed_events.c.src_partition, feed_events.c.src_offset,
    ).where(feed_events.c.client_key == ckey)).all()
    gone = [r.event_id for r in rows if _epoch(r.created_at) <= erased_at]
    if gone:
        conn.execute(update(deliveries).where(
            deliveries.c.event_id.in_(gone), deliveries.c.status == "pending").values(
            status="cancelled", last_error="client erased", completed_at=now))
        conn.execute(delete(feed_events).where(feed_events.c.event_id.in_(gone)))
    # Each of the client's referrals is now in the state of its latest remaining event, or
    # unknown (no row) if none remains, as a rebuild from the topic would leave it.
    latest: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r.src_partition, r.src_offset)):
        if r.event_id not in gone:
            latest[r.referral_id] = "active" if r.kind == "referral" else "withdrawn"
    conn.execute(delete(referral_state).where(
        referral_state.c.client_key == ckey, referral_state.c.referral_id.not_in(latest)))
    for referral_id, state in latest.items():
        conn.execute(update(referral_state).where(
            referral_state.c.referral_id == referral_id).values(state=state))
    text = json.dumps({str(p): o for p, o in sorted(through.items())})
    # A second erasure of the same client (after it came back) moves the marker forward only.
    previous = conn.execute(select(erasures.c.erased_at).where(
        erasures.c.client_key == ckey)).scalar_one_or_none()
    if previous is None:
        conn.execute(insert(erasures).values(client_key=ckey, through=text,
                                             erased_at=erased_at))
    else:
        conn.execute(update(erasures).where(erasures.c.client_key == ckey).values(
            through=text, erased_at=max(float(previous), erased_at)))
    return len(gone)


def _epoch(rfc3339: str) -> float:
    """Epoch seconds of a stored ``created_at`` (RFC 3339, as ``privacy.project`` wrote it)."""
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


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
