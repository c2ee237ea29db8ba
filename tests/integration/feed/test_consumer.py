"""The consumer against real Kafka and a real store: idempotency, erasure, rebuild, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import func, select

from services.feed import cursor as cursors
from services.feed import queries
from services.feed.config import FeedConfig
from services.feed.rebuild import canonical_dump, rebuild
from services.feed.store import Store
from services.feed.tables import deliveries, feed_events
from services.feed.webhooks_store import add_endpoint
from tests.integration.feed.conftest import Send, Topics, consume, erase, make_referral

pytestmark = pytest.mark.integration


def _now_rfc3339() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _events(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(feed_events)).scalar_one())


def test_replayed_events_add_nothing(store: Store, config: FeedConfig, send: Send) -> None:
    send(make_referral("v-1", "c-1", "emp-a"))
    send(make_referral("v-1", "c-1", "emp-a", created_at="2026-11-20T11:00:00Z"))  # replay
    send(make_referral("v-1", "c-1", "emp-a", kind="withdrawal"))
    send(make_referral("v-1", "c-1", "emp-a", kind="withdrawal"))  # replay
    send(make_referral("v-2", "c-2", "emp-a", kind="withdrawal"))  # never referred
    send(make_referral("v-1", "c-1", "emp-a", created_at="2026-11-22T11:00:00Z"))  # re-referred
    stats = consume(store, config)
    assert (stats.stored, stats.duplicates) == (3, 3)
    page = queries.list_events(store, "emp-a", {}, 100)
    assert [i["kind"] for i in page.items] == ["referral", "withdrawal", "referral"]
    assert consume(store, config).records == 0  # offsets were kept: nothing re-read


def test_erasure_tombstone_removes_the_clients_referrals(
        store: Store, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics) -> None:
    add_endpoint(store, "emp-a", "http://127.0.0.1:9/never", config)
    for v in range(4):
        send(make_referral(f"v-{v}", "c-gone", "emp-a"))
        send(make_referral(f"v-{v}", "c-stays", "emp-a"))
    consume(store, config)
    assert _events(store) == 8
    erase(producer, topics, "c-gone")
    consume(store, config)
    assert _events(store) == 4
    with store.read() as conn:
        statuses = conn.execute(select(deliveries.c.status, func.count())
                                .group_by(deliveries.c.status)).all()
    assert dict(statuses) == {"cancelled": 4, "pending": 4}  # pending deliveries stopped
    # A later referral of the same client (who came back), made after the erasure, is a new
    # fact and is kept.
    send(make_referral("v-9", "c-gone", "emp-a", created_at=_now_rfc3339()))
    consume(store, config)
    assert _events(store) == 5
    # ...and a rebuild from the topic, which still holds the old referrals, agrees.
    before = canonical_dump(store)
    rebuild(store, config)
    assert canonical_dump(store) == before


def test_rebuild_gives_an_identical_store_and_keeps_cursors(
        store: Store, config: FeedConfig, send: Send) -> None:
    for i in range(60):
        send(make_referral(f"v-{i % 20}", f"c-{i}", f"emp-{i % 3}"))
    for i in range(0, 60, 7):
        send(make_referral(f"v-{i % 20}", f"c-{i}", f"emp-{i % 3}", kind="withdrawal"))
    consume(store, config)
    before = canonical_dump(store)
    page = queries.list_events(store, "emp-0", {}, 10)
    rest_before = queries.list_events(store, "emp-0", page.positions, 100)
    stats = rebuild(store, config)
    assert stats.stored == len(before["events"])
    assert canonical_dump(store) == before
    rest_after = queries.list_events(store, "emp-0", page.positions, 100)
    assert {i["event_id"] for i in rest_after.items} == {i["event_id"] for i in rest_before.items}
    assert cursors.encode(rest_after.positions) == cursors.encode(rest_before.positions)


def test_sigkill_mid_stream_loses_and_duplicates_nothing(  # noqa: PLR0917 - pytest passes fixtures by name
        store: Store, store_url: str, config: FeedConfig, send: Send, producer: KafkaProducer,
        topics: Topics, tmp_path: Path) -> None:
    n = 3000
    for i in range(n):
        producer.send(topics.referrals, key=f"v-{i}".encode(),
                      value=json.dumps(
                          make_referral(f"v-{i}", f"c-{i}", "emp-a")).encode())
    producer.flush(timeout=30)
    env = {**os.environ, "DATABASE_URL": store_url, "KAFKA_BOOTSTRAP_SERVERS":
           config.bootstrap_servers, "JOBMATCH_FEED_REFERRALS_TOPIC": topics.referrals,
           "JOBMATCH_FEED_CLIENTS_TOPIC": topics.clients, "JOBMATCH_HOME": str(tmp_path)}
    jobmatch = str(Path(sys.executable).parent / "jobmatch")
    argv = [jobmatch, "feed", "consume", "--idle-timeout", "1.5"]
    kills = 0
    for _ in range(3):
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        start = _events(store)
        while time.monotonic() < deadline and _events(store) <= start and proc.poll() is None:
            time.sleep(0.01)
        if proc.poll() is None and _events(store) < n:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 1, "the consumer finished before it could be killed"
    done = subprocess.run(argv, env=env, timeout=120, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    with store.read() as conn:
        rows = conn.execute(select(feed_events.c.referral_id)).scalars().all()
    assert len(rows) == n and len(set(rows)) == n
