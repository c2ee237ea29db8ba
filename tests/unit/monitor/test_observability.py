"""The shared /metrics, /healthz and /readyz router."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import Counter

from services.observability import CheckFn, health_router, make_registry


def _client(ready: CheckFn, live: CheckFn | None = None) -> tuple[TestClient, Counter]:
    registry = make_registry()
    counter = Counter("jobmatch_test_things_total", "Things counted.", registry=registry)
    app = FastAPI()
    app.include_router(health_router(ready, registry=registry, live_check=live))
    return TestClient(app), counter


def test_metrics_are_prometheus_text_with_the_services_own_metrics() -> None:
    client, counter = _client(lambda: True)
    counter.inc(3)
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    assert "jobmatch_test_things_total 3.0" in resp.text
    assert "process_cpu_seconds_total" in resp.text or "python_info" in resp.text


def test_readyz_follows_the_check() -> None:
    state = {"ready": False}
    client, _ = _client(lambda: state["ready"])
    assert client.get("/readyz").status_code == 503
    state["ready"] = True
    assert client.get("/readyz").json() == {"status": "ready"}


def test_a_check_that_raises_is_not_ready_and_leaks_nothing() -> None:
    def boom() -> bool:
        raise RuntimeError("secret-host:9092 unreachable")

    client, _ = _client(boom)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert "secret-host" not in resp.text


def test_healthz_is_alive_without_a_live_check_and_follows_one_when_given() -> None:
    client, _ = _client(lambda: False)
    assert client.get("/healthz").status_code == 200
    client, _ = _client(lambda: True, live=lambda: False)
    assert client.get("/healthz").status_code == 503


def test_two_registries_do_not_collide() -> None:
    _client(lambda: True)
    _client(lambda: True)  # same metric name in a fresh registry: no "Duplicated timeseries"
