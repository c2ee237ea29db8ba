"""Every HTTP service serves /metrics (Prometheus), /healthz and /readyz."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.feed.api import create_app as feed_app
from services.feed.config import FeedConfig
from services.feed.store import Store
from services.ingest.api import create_app as ingest_app
from services.ingest.testing import FakePublisher
from services.ingest.tokens import TokenStore


def _ingest(tmp_path: Path) -> FastAPI:
    tokens = TokenStore(tmp_path / "tokens.json")
    return ingest_app(FakePublisher(), tokens)


def _feed(tmp_path: Path) -> FastAPI:
    store = Store(f"sqlite:///{tmp_path / 'feed.db'}")
    store.create_schema()
    return feed_app(store, FeedConfig(database_url=str(store.engine.url)), None)


@pytest.mark.parametrize("make", [_ingest, _feed], ids=["ingest", "feed"])
def test_health_and_metrics(make: object, tmp_path: Path) -> None:
    client = TestClient(make(tmp_path))  # type: ignore[operator]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "process_cpu_seconds_total" in metrics.text


def test_ingest_counts_records_in_metrics(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    token, _ = tokens.create("jcp-test", ["clients"])
    client = TestClient(ingest_app(FakePublisher(), tokens))
    client.post("/v1/clients", content=b"{not json", headers={"Authorization": f"Bearer {token}"})
    text = client.get("/metrics").text
    assert 'jobmatch_ingest_records_total{kind="client",outcome="rejected"} 1.0' in text
