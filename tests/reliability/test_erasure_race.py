"""The erasure race found by test_broker_restart (finding 4): the feed used to erase only the
referrals it had already consumed. A referral the matcher emitted *before* the client's erasure,
but which the feed consumes *after* the tombstone (the two topics are read independently; any
lag, restart or outage reorders them), was stored and queued for the employer's webhooks.

The feed now decides by time: an event whose ``created_at`` is at or before the tombstone's
Kafka timestamp is dropped, in whichever order the two topics are read, and by a rebuild too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kafka import KafkaProducer
from sqlalchemy import select

from schemas.referral import referral_id_for as rid_for
from services.feed.config import FeedConfig
from services.feed.rebuild import canonical_dump, rebuild
from services.feed.store import Store
from services.feed.tables import deliveries, erasures, feed_events, referral_state
from services.feed.webhooks_store import add_endpoint
from tests.integration.feed.conftest import Send, Topics, consume, erase, make_referral
from tests.reliability.feed_env import count

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

# The tombstone's own Kafka timestamp, set explicitly: the erasure happened at this moment.
ERASED_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BEFORE, AFTER = "2026-11-21T11:59:59.999Z", "2026-11-21T12:00:00.001Z"


def _t(rfc3339: str) -> datetime:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))


def _erase_at(producer: KafkaProducer, topics: Topics, client_id: str, at: datetime) -> None:
    producer.send(topics.clients, key=client_id.encode(), value=None,
                  timestamp_ms=int(at.timestamp() * 1000)).get(timeout=10)


def _stored(store: Store) -> list[tuple[str, datetime]]:
    with store.read() as conn:
        return [(r.referral_id, _t(r.created_at)) for r in conn.execute(
            select(feed_events.c.referral_id, feed_events.c.created_at)
            .order_by(feed_events.c.src_partition, feed_events.c.src_offset))]


def test_referral_created_before_erasure_but_consumed_after_is_dropped(
        store: Store, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics) -> None:
    add_endpoint(store, "emp-a", "http://127.0.0.1:9/never", config)
    erase(producer, topics, "c-gone")
    consume(store, config)
    # Emitted at 10:00 on 2026-11-20, days before the erasure above, but read after it.
    send(make_referral("v-1", "c-gone", "emp-a", created_at="2026-11-20T10:00:00Z"))
    send(make_referral("v-2", "c-gone", "emp-a", created_at="2026-11-20T10:00:00Z"))
    send(make_referral("v-2", "c-gone", "emp-a", kind="withdrawal",
                       created_at="2026-11-20T11:00:00Z"))
    stats = consume(store, config)
    assert (count(store), count(store, referral_state), count(store, deliveries)) == (0, 0, 0)
    assert (stats.stored, stats.duplicates) == (0, 3)


def test_erasure_is_decided_by_time_in_either_order_and_by_rebuild(
        store: Store, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics) -> None:
    add_endpoint(store, "emp-a", "http://127.0.0.1:9/never", config)
    # Read before the tombstone: one made before the erasure, one made after it (the client
    # came back and was referred again before the feed read the tombstone).
    send(make_referral("v-1", "c-x", "emp-a", created_at=BEFORE))
    send(make_referral("v-2", "c-x", "emp-a", created_at=AFTER))
    send(make_referral("v-1", "c-stays", "emp-a", created_at=BEFORE))
    consume(store, config)
    _erase_at(producer, topics, "c-x", ERASED_AT)
    consume(store, config)
    # Read after the tombstone: the same split.
    send(make_referral("v-3", "c-x", "emp-a", created_at=BEFORE))
    send(make_referral("v-4", "c-x", "emp-a", created_at=AFTER))
    send(make_referral("v-2", "c-x", "emp-a", kind="withdrawal", created_at=AFTER))
    consume(store, config)

    stays = rid_for("v-1", "c-stays")
    assert sorted(_stored(store)) == sorted([
        (stays, _t(BEFORE)), (rid_for("v-2", "c-x"), _t(AFTER)), (rid_for("v-2", "c-x"), _t(AFTER)),
        (rid_for("v-4", "c-x"), _t(AFTER))])  # v-2: the referral and its withdrawal
    with store.read() as conn:
        states = dict(conn.execute(select(referral_state.c.referral_id,
                                          referral_state.c.state)).all())
        by_status: dict[str, int] = {}
        for status in conn.execute(select(deliveries.c.status)).scalars():
            by_status[status] = by_status.get(status, 0) + 1
        markers = conn.execute(select(erasures)).mappings().all()
    assert states == {rid_for("v-2", "c-x"): "withdrawn", rid_for("v-4", "c-x"): "active",
                      stays: "active"}
    # The one event removed by the tombstone had its delivery cancelled; the late pre-erasure
    # one was never queued.
    assert by_status == {"pending": 4, "cancelled": 1}
    # The marker holds a keyed hash and a time: never the client_id.
    [marker] = markers
    assert marker["erased_at"] == ERASED_AT.timestamp()
    assert "c-x" not in repr(dict(marker))

    before = canonical_dump(store)
    rebuild(store, config)
    assert canonical_dump(store) == before


def test_a_second_erasure_moves_the_marker_forward(
        store: Store, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics) -> None:
    later = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    _erase_at(producer, topics, "c-x", ERASED_AT)
    consume(store, config)
    send(make_referral("v-1", "c-x", "emp-a", created_at="2026-11-22T09:00:00Z"))  # came back
    consume(store, config)
    assert count(store) == 1
    _erase_at(producer, topics, "c-x", later)  # erased again
    consume(store, config)
    assert count(store) == 0
    send(make_referral("v-2", "c-x", "emp-a", created_at="2026-11-22T10:00:00Z"))
    consume(store, config)
    assert count(store) == 0
    with store.read() as conn:
        assert conn.execute(select(erasures.c.erased_at)).scalar_one() == later.timestamp()
