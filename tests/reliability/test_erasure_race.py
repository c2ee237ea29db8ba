"""The erasure race found by test_broker_restart: the feed erases only the referrals it has
already consumed. A referral the matcher emitted *before* the client's erasure, but which the
feed consumes *after* the tombstone (the two topics are read independently; any lag, restart or
outage reorders them), is stored and delivered to the employer."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer

from services.feed.config import FeedConfig
from services.feed.store import Store
from tests.integration.feed.conftest import Send, Topics, consume, erase, make_referral
from tests.reliability.feed_env import count

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


@pytest.mark.xfail(strict=True, reason="services/feed/events.py apply_referral keeps any "
                   "referral beyond the erasure's topic position, even one created before it")
def test_referral_created_before_erasure_but_consumed_after_is_dropped(
        store: Store, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics) -> None:
    erase(producer, topics, "c-gone")
    consume(store, config)
    # Emitted at 10:00 on 2026-11-20, days before the erasure above, but read after it.
    send(make_referral("v-1", "c-gone", "emp-a", created_at="2026-11-20T10:00:00Z"))
    consume(store, config)
    assert count(store) == 0
