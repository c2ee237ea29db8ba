"""Rebuilding the referral store from the referral topic, and a canonical dump to compare.

Keys, webhook endpoints, delivery logs, erasures and the pseudonym key are kept. Event ids come
from topic positions, so the rebuilt events have the same ids; deliveries already decided are
not queued again (``no_enqueue_below``), and erasures are honoured (``feed_erasures``: an event
made at or before its client's erasure is dropped, as the live consumer dropped it), because
the topic keeps an erased client's referrals forever.

Stop the live consumer (`serve --no-consumer`, or stop `consume`) while rebuilding.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from services.feed.config import FeedConfig
from services.feed.consumer import ConsumeStats, FeedConsumer
from services.feed.events import load_offsets
from services.feed.store import Store
from services.feed.tables import consumer_offsets, feed_events, referral_state

__all__ = ["canonical_dump", "rebuild"]


def rebuild(store: Store, config: FeedConfig) -> ConsumeStats:
    topic = config.referrals_topic
    with store.write() as conn:
        before = load_offsets(conn, topic)
        conn.execute(delete(feed_events))
        conn.execute(delete(referral_state))
        conn.execute(delete(consumer_offsets).where(consumer_offsets.c.topic == topic))
    # If this is interrupted, `jobmatch feed consume` finishes the job from where it stopped.
    consumer = FeedConsumer(store, config, no_enqueue_below=before)
    return consumer.run(until_caught_up=True)


def canonical_dump(store: Store) -> dict[str, Any]:
    """The referral store as plain data in a fixed order, without store-local sequence numbers
    (a rebuild may interleave partitions differently; the cursor does not depend on them)."""
    e, s = feed_events.c, referral_state.c
    with store.read() as conn:
        events = conn.execute(
            select(e.event_id, e.employer_id, e.referral_id, e.kind, e.client_key,
                   e.src_partition, e.src_offset, e.payload, e.created_at)
            .order_by(e.src_partition, e.src_offset)).mappings().all()
        states = conn.execute(select(referral_state).order_by(s.referral_id)).mappings().all()
        per_employer: dict[str, list[str]] = {}
        for row in conn.execute(select(e.employer_id, e.event_id, e.src_partition)
                                .order_by(e.sequence)).all():
            per_employer.setdefault(f"{row.employer_id}/{row.src_partition}", []).append(
                row.event_id)
    return {
        "events": [{**dict(r), "payload": json.loads(r["payload"])} for r in events],
        "states": [dict(r) for r in states],
        # The order each employer sees within a partition must survive a rebuild.
        "order": dict(sorted(per_employer.items())),
    }
