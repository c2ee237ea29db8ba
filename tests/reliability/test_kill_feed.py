"""SIGKILL ``jobmatch feed consume`` while it applies erasure tombstones, restart it.

The referral-stream kill is covered by tests/integration/feed/test_consumer.py
(test_sigkill_mid_stream_loses_and_duplicates_nothing); this adds the erasure angle: after
the kills every erased client's referrals are gone and their deliveries cancelled, every other
referral is in the store exactly once with exactly one delivery.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import select

from schemas.referral import referral_id_for
from services.feed.config import FeedConfig
from services.feed.store import Store
from services.feed.tables import deliveries, erasures, feed_events
from services.feed.webhooks_store import add_endpoint
from tests.integration.feed.conftest import Topics, make_referral
from tests.reliability import procs
from tests.reliability.accounting import Ledger
from tests.reliability.feed_env import count, feed_env

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

N = 3000


def test_sigkill_during_erasures_then_restart(store: Store, config: FeedConfig,  # noqa: PLR0917 - pytest passes fixtures by name
                                              producer: KafkaProducer, topics: Topics,
                                              run_id: str, tmp_path: Path) -> None:
    ledger = Ledger(run_id)
    # An endpoint that is never called (no dispatcher runs): deliveries are only queued.
    add_endpoint(store, "emp-a", "http://127.0.0.1:9/never", config)
    clients = [ledger.new_id("c") for _ in range(N)]
    for i, cid in enumerate(clients):
        producer.send(topics.referrals, key=f"v-{i}".encode(),
                      value=json.dumps(make_referral(f"v-{i}", cid, "emp-a")).encode())
    producer.flush(timeout=30)
    env = feed_env(config, tmp_path)
    log = tmp_path / "feed-consume.log"
    argv = ["feed", "consume", "--idle-timeout", "1.5"]
    first = procs.start(argv, env, log)
    assert first.wait(timeout=120) == 0, log.read_text()[-2000:]
    assert count(store) == N

    erased = set(clients[::2])
    for cid in clients[::2]:
        producer.send(topics.clients, key=cid.encode(), value=None)
    producer.flush(timeout=30)
    for i, cid in enumerate(clients):
        if cid not in erased:
            ledger.ack("referral", referral_id_for(f"v-{i}", cid))

    kills = 0
    for _ in range(3):
        proc = procs.start(argv, env, log)
        try:
            before = count(store, erasures)
            procs.wait_until(lambda b=before, p=proc: count(store, erasures) > b  # type: ignore[misc]
                             or p.poll() is not None, 60, 0.01)
            if proc.poll() is None and count(store, erasures) < len(erased):
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        finally:
            procs.stop(proc)
    assert kills >= 1, "the consumer finished the erasures before it could be killed"
    done = procs.start(argv, env, log)
    assert done.wait(timeout=120) == 0, log.read_text()[-2000:]

    with store.read() as conn:
        rows = conn.execute(select(feed_events.c.referral_id)).scalars().all()
        statuses = conn.execute(select(deliveries.c.event_id, deliveries.c.status)).all()
    for rid in rows:
        ledger.observe("referral", rid)
    report = ledger.report()
    print(f"\nkills {kills}; erasures {count(store, erasures)}\n{report.table()}")
    assert report.clean(allow_unacknowledged=False) == [], "an erased referral survived"
    assert count(store, erasures) == len(erased)
    by_status: dict[str, int] = {}
    for _, status in statuses:
        by_status[status] = by_status.get(status, 0) + 1
    assert by_status == {"pending": N - len(erased), "cancelled": len(erased)}
    assert len({e for e, _ in statuses}) == N  # one delivery per event, never two
