"""Fixtures for the feed's integration tests: a real store (SQLite always, PostgreSQL when
DATABASE_URL is set), real Kafka topics of the test's own, a real uvicorn server."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from schemas.referral import referral_id_for
from services.feed.api import create_app
from services.feed.config import FeedConfig
from services.feed.consumer import ConsumeStats, FeedConsumer
from services.feed.keys import create_key
from services.feed.outcomes import KafkaOutcomePublisher
from services.feed.store import Store
from services.offsets import delete_topics_with_prefix
from tests.integration.feed.receiver import Behaviour, Receiver

pytestmark = pytest.mark.integration

_BACKENDS = ["sqlite", "postgres"]


def _postgres_url(base: str, schema: str) -> str:
    # Each test gets its own schema: a fresh, isolated store on a shared test database.
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feed.db'}"
        return
    base = os.environ.get("DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        pytest.skip("PostgreSQL run needs DATABASE_URL (scripts/start-postgres.sh)")
    schema = f"feed_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.create_schema()
    yield s
    s.dispose()


@dataclass(frozen=True)
class Topics:
    referrals: str
    clients: str
    outcomes: str


@pytest.fixture
def topics(kafka_bootstrap: str) -> Iterator[Topics]:
    # Topics of the test's own on the shared broker: no other test or engineer writes to them.
    tag = uuid.uuid4().hex[:10]
    names = Topics(f"test.feed.{tag}.referrals", f"test.feed.{tag}.clients",
                   f"test.feed.{tag}.outcomes")
    all_names = [names.referrals, names.clients, names.outcomes]
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="feed-tests")
    try:
        admin.create_topics([NewTopic(n, 8, 1) for n in all_names])
    finally:
        admin.close()
    yield names
    # A fresh client: the reliability tests restart the broker mid-test, and a client made
    # before the restart can still be backing off from the dropped connection at teardown.
    delete_topics_with_prefix(kafka_bootstrap, f"test.feed.{tag}.")


@pytest.fixture
def config(store_url: str, kafka_bootstrap: str, topics: Topics) -> FeedConfig:
    return FeedConfig(
        database_url=store_url, bootstrap_servers=kafka_bootstrap,
        referrals_topic=topics.referrals, clients_topic=topics.clients,
        outcomes_topic=topics.outcomes, rate_per_s=1000, burst=1000,
        retry_schedule_s=(0.05, 0.1, 0.1, 0.2, 0.2), jitter_ratio=0.1,
        webhook_timeout_s=1.0, dispatch_poll_s=0.05, dispatch_lease_s=5.0,
        allow_private_webhooks=True)


@pytest.fixture
def producer(kafka_bootstrap: str) -> Iterator[KafkaProducer]:
    p = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=5)
    yield p
    p.close()


def make_referral(vacancy_id: str, client_id: str, employer_id: str, *,
                  kind: str = "referral", created_at: str = "2026-11-20T10:00:00Z",
                  score: float = 0.8) -> dict[str, Any]:
    """A valid Referral record as the matcher would emit it (client_id inside)."""
    return {
        "referral_id": referral_id_for(vacancy_id, client_id),
        "kind": kind, "vacancy_id": vacancy_id, "employer_id": employer_id,
        "client_id": client_id, "score": score,
        "explanation": {
            "matched_skills": [{"vacancy_skill": "customer service",
                                "client_skill": "customer service", "similarity": 1.0}],
            "missing_required_skills": ["cash handling"],
            "distance_km": 1.2,
            "components": {"skills": 0.7, "distance": 0.9},
            "matched_certifications": ["Food Hygiene Level 2"],
            **({"withdrawal_reason": "vacancy closed"} if kind == "withdrawal" else {}),
        },
        "created_at": created_at, "matcher_version": "test-1",
    }


Send = Callable[..., None]


@pytest.fixture
def send(producer: KafkaProducer, topics: Topics) -> Send:
    def _send(record: dict[str, Any] | None, *, key: str | None = None,
              topic: str | None = None) -> None:
        k = key if key is not None else (record or {})["vacancy_id"]
        value = None if record is None else json.dumps(record).encode()
        producer.send(topic or topics.referrals, key=k.encode(), value=value).get(timeout=10)
    return _send


def erase(producer: KafkaProducer, topics: Topics, client_id: str) -> None:
    producer.send(topics.clients, key=client_id.encode(), value=None).get(timeout=10)


def consume(store: Store, config: FeedConfig) -> ConsumeStats:
    return FeedConsumer(store, config).run(until_caught_up=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    app: Any

    def client(self, key: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=10, trust_env=False)


@pytest.fixture
def server(store: Store, config: FeedConfig, producer: KafkaProducer,
           topics: Topics) -> Iterator[Server]:
    app = create_app(store, config, KafkaOutcomePublisher(producer, topics.outcomes))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "uvicorn did not start"
    yield Server(f"http://127.0.0.1:{port}", app)
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def employer_keys(store: Store) -> dict[str, str]:
    return {e: create_key(store, e)[1] for e in ("emp-a", "emp-b")}


@pytest.fixture
def make_receiver() -> Iterator[Callable[[Behaviour], Receiver]]:
    """Webhook receivers on 127.0.0.1, stopped after the test."""
    started: list[Receiver] = []

    def make(behaviour: Behaviour) -> Receiver:
        r = Receiver(behaviour).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()
