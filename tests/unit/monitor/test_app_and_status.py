"""The monitor's HTTP surface and the `jobmatch status` text, over a state fed by hand."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from schemas.topics import DEADLETTERS
from services.monitor.app import create_app
from services.monitor.cli import parse_health_urls
from services.monitor.config import MonitorConfig
from services.monitor.state import MonitorState
from services.monitor.views import equality_json, summary_json
from services.status_cli import render_text


def _state() -> MonitorState:
    state = MonitorState(MonitorConfig(bootstrap_servers="unused:9092"))
    dead = {"source": "file", "position": "f.jsonl:3", "record_type": "client",
            "reason": "location: Field required", "payload": "{\"secret\": 1}",
            "payload_bytes": 13, "truncated": False, "rejected_at": "2026-11-20T09:30:00Z"}
    state.apply(DEADLETTERS.name, b"f.jsonl:3", json.dumps(dead).encode(), 0)
    return state


def test_endpoints_serve_aggregates_dashboard_and_metrics() -> None:
    ready = {"ok": False}
    client = TestClient(create_app(_state(), lambda: ready["ok"]))
    assert client.get("/readyz").status_code == 503
    ready["ok"] = True
    assert client.get("/readyz").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "jobmatch monitor" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/api/summary").json()["dead_letters"]["total"] == 1
    assert client.get("/api/deadletters").json()["latest"][0]["position"] == "f.jsonl:3"
    assert "secret" not in client.get("/api/deadletters").text
    assert client.get("/api/equality").json()["min_group_size"] == 10
    metrics = client.get("/metrics").text
    assert 'jobmatch_dead_letters_total{source="file"} 1.0' in metrics
    assert "jobmatch_monitor_caught_up 0.0" in metrics


def test_status_text_names_the_key_figures() -> None:
    state = _state()
    text = render_text(summary_json(state), equality_json(state))
    for words in ("Throughput", "Consumer lag", "Dead letters: 1", "Referrals: 0 made",
                  "Equality flags", "not a legal test"):
        assert words in text


def test_health_urls_are_named() -> None:
    assert parse_health_urls(("ingest=http://h:8080/healthz", "http://m:9/healthz")) == (
        ("ingest", "http://h:8080/healthz"), ("m:9", "http://m:9/healthz"))
