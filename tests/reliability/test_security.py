"""Security checks that enumerate the apps' routes, so a new route cannot be forgotten:
cross-tenant access on every feed route, tokens and scopes on every ingest route; and a scan of
employer-facing payloads and service logs for the test records' personal values."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.feed.config import FeedConfig
from services.feed.store import Store
from services.feed.webhooks_store import add_endpoint
from services.ingest.api import create_app as ingest_app
from services.ingest.synthetic import client_record, vacancy_record
from services.ingest.testing import FakePublisher
from services.ingest.tokens import SCOPES, TokenStore
from tests.integration.feed.conftest import Send, Server, consume, make_referral
from tests.integration.feed.receiver import Behaviour, Receiver
from tests.integration.ingest.conftest import free_port, ingest_env, jobmatch
from tests.integration.matcher.conftest import OutputReader, Producer, new_worker, private_topics
from tests.reliability import procs
from tests.reliability.feed_env import feed_env

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

# Unauthenticated by design: probes and API docs (no data).
_PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect",
           "/redoc"}
# Feed routes -> how emp-a tries to reach emp-b's object. A new route fails the test until a
# case is added here.
_FEED_CASES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/v1/referrals"): {},
    ("GET", "/v1/referrals/{referral_id}"): {"expect": 404},
    ("POST", "/v1/referrals/{referral_id}/outcome"): {"json": {"outcome": "hired"},
                                                      "expect": 404},
    ("POST", "/v1/webhooks"): {"json": {"url": "http://127.0.0.1:9/x"}},
    ("GET", "/v1/webhooks"): {},
    ("DELETE", "/v1/webhooks/{endpoint_id}"): {"expect": 404},
    ("GET", "/v1/webhooks/{endpoint_id}/deliveries"): {"expect": 404},
}
_INGEST_SCOPE = {("POST", "/v1/clients"): "clients", ("POST", "/v1/vacancies"): "vacancies",
                 ("DELETE", "/v1/clients/{client_id}"): "erase"}


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route: the OpenAPI document (FastAPI >= 0.16x wraps included
    routers, so app.routes no longer lists their routes) plus top-level routes hidden from it."""
    found = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    found |= {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods}
    return sorted((m, p) for m, p in found if p not in _PUBLIC and m != "HEAD")


def test_cross_tenant_on_every_feed_route(server: Server, send: Send, store: Store,
                                          config: FeedConfig,
                                          employer_keys: dict[str, str]) -> None:
    send(make_referral("vb-1", "client-b1", "emp-b"))
    consume(store, config)
    a, b = server.client(employer_keys["emp-a"]), server.client(employer_keys["emp-b"])
    b_ref = b.get("/v1/referrals").json()["items"][0]["referral_id"]
    b_ep = b.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/b"}).json()["endpoint_id"]
    routes = _routes(server.app)
    assert set(routes) == set(_FEED_CASES), "a feed route has no cross-tenant case"
    anonymous = server.client(None)
    for method, path in routes:
        case = _FEED_CASES[(method, path)]
        url = path.format(referral_id=b_ref, endpoint_id=b_ep)
        kw = {"json": case["json"]} if "json" in case else {}
        assert anonymous.request(method, url, **kw).status_code == 401, (method, path)
        r = a.request(method, url, **kw)
        assert r.status_code < 500, (method, path, r.status_code)
        if "expect" in case:
            assert r.status_code == case["expect"], (method, path, r.status_code)
        assert b_ref not in r.text and b_ep not in r.text, f"{method} {path} leaks emp-b"
    # emp-b's objects are untouched by emp-a's attempts.
    assert [e["endpoint_id"] for e in b.get("/v1/webhooks").json()["items"]] == [b_ep]
    assert b.get(f"/v1/referrals/{b_ref}").status_code == 200


def test_tokens_and_scopes_on_every_ingest_route(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "t.json")
    app = ingest_app(FakePublisher(), tokens)
    client = TestClient(app, raise_server_exceptions=False)
    routes = _routes(app)
    assert set(routes) == set(_INGEST_SCOPE), "an ingest route has no scope case"
    revoked, _ = tokens.create("gone", list(SCOPES))
    tokens.revoke("gone")
    for method, path in routes:
        url = path.format(client_id="c-1")
        body = json.dumps(client_record("c-1")).encode()
        for header in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                       {"Authorization": "Bearer jm_x_y"}, {"Authorization": f"Bearer {revoked}"}):
            assert client.request(method, url, content=body, headers=header).status_code == 401
        scope = _INGEST_SCOPE[(method, path)]
        other, _ = tokens.create(f"no-{scope}", [s for s in SCOPES if s != scope])
        r = client.request(method, url, content=body,
                           headers={"Authorization": f"Bearer {other}"})
        assert r.status_code == 403 and scope in r.json()["detail"], (method, path)


# Personal values of the test records: none may appear in a log or an employer payload.
_PERSONAL = {
    "postcode": "ZE2 9QP", "ni_number": "QQ 12 34 56 C", "date_of_birth": "1987-03-14",
    "ethnic": "Gypsy or Irish Traveller", "skill": "zanzibar-accordion-tuning",
    "coach_note": "attends-food-bank-tuesdays",
}
_NI_RE = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")


def _personal_records(run_id: str) -> list[bytes]:
    rec = client_record(f"{run_id}-p1")
    rec["location"]["postcode"] = _PERSONAL["postcode"]
    rec["skills"] = [_PERSONAL["skill"]]
    rec["monitoring"] = {"ethnic_group": _PERSONAL["ethnic"], "disability": True,
                         "age_band": "35-44", "sex": "female"}
    bad_dob = {**rec, "client_id": f"{run_id}-p2", "date_of_birth": _PERSONAL["date_of_birth"]}
    bad_ni = {**rec, "client_id": _PERSONAL["ni_number"]}
    bad_note = {**rec, "client_id": f"{run_id}-p3", "coach_notes": _PERSONAL["coach_note"],
                "max_travel_km": 900}
    return [json.dumps(r).encode() for r in (rec, bad_dob, bad_ni, bad_note)]


def test_no_personal_values_in_logs_or_employer_payloads(  # noqa: PLR0917 - fixtures by name
        kafka_bootstrap: str, run_id: str, tmp_path: Path, store: Store, config: FeedConfig,
        send: Send, server: Server, employer_keys: dict[str, str],
        make_receiver: Callable[[Behaviour], Receiver]) -> None:
    logs = tmp_path / "logs"
    env = ingest_env(kafka_bootstrap, home=tmp_path / "home")
    path = tmp_path / "clients.jsonl"
    path.write_bytes(b"\n".join(_personal_records(run_id)) + b"\n")
    result = jobmatch(["ingest", "clients", str(path), "--json", "-v"], env)
    (logs / "ingest-file.log").parent.mkdir(parents=True, exist_ok=True)
    (logs / "ingest-file.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0
    token = jobmatch(["ingest", "tokens", "create", "p", "--scope", "clients"], env).stdout.strip()
    port = free_port()
    api = procs.start(["ingest", "serve", "--port", str(port)], env, logs / "ingest-http.log")
    try:
        procs.wait_http(f"http://127.0.0.1:{port}/healthz", api)
        for body in _personal_records(run_id):
            r = httpx.post(f"http://127.0.0.1:{port}/v1/clients", content=body,
                           headers={"Authorization": f"Bearer {token}"}, trust_env=False)
            assert r.status_code in {200, 422}
            # The HTTP answer goes back to the publisher, who sent the data: only reasons.
            assert not any(v in r.text for v in _PERSONAL.values()), r.text
    finally:
        procs.stop(api)
    # The feed: referrals carrying the client's id and free text, consumed by the real
    # command, then read by the employer through the API.
    referral = make_referral("v-p", f"{run_id}-p1", "emp-a")
    referral["explanation"]["matched_skills"][0]["client_skill"] = "customer service"
    receiver = make_receiver(lambda _attempt: (200, {}, 0.0))
    _, receiver.secret = add_endpoint(store, "emp-a", receiver.url, config)
    send(referral)
    feed = procs.start(["feed", "consume", "--idle-timeout", "2"], feed_env(config, tmp_path),
                       logs / "feed-consume.log")
    assert feed.wait(timeout=60) == 0
    page = server.client(employer_keys["emp-a"]).get("/v1/referrals").text
    assert f"{run_id}-p1" not in page and len(json.loads(page)["items"]) == 1
    # The webhook dispatcher's log, and what the employer's receiver got.
    dispatch = procs.start(["feed", "dispatch", "--idle-timeout", "2"],
                           feed_env(config, tmp_path), logs / "feed-dispatch.log")
    assert dispatch.wait(timeout=60) == 0
    [hit] = receiver.succeeded()
    assert hit.valid and f"{run_id}-p1" not in hit.body.decode()
    (logs / "webhook-bodies.log").write_bytes(hit.body)

    found = {}
    for log in logs.iterdir():
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, f"{log.name}: traceback"
        for name, value in _PERSONAL.items():
            if value in text:
                found[f"{log.name}:{name}"] = value
        if _NI_RE.search(text):
            found[f"{log.name}:ni_pattern"] = _NI_RE.search(text).group(0)  # type: ignore[union-attr]
    assert found == {}, found


def _scan(text: str, where: str) -> dict[str, str]:
    found = {f"{where}:{name}": v for name, v in _PERSONAL.items() if v in text}
    if (m := _NI_RE.search(text)) is not None:
        found[f"{where}:ni_pattern"] = m.group(0)
    return found


def test_no_personal_values_in_the_matcher_log(kafka_bootstrap: str, run_id: str,
                                                tmp_path: Path) -> None:
    """The matcher at debug level sees a client with personal values referred, then erased:
    its log names ids and counts, never the client's postcode, free text or monitoring."""
    clients_topic, vacancies_topic = private_topics(kafka_bootstrap, f"test.sec.{run_id}.")
    worker = new_worker(kafka_bootstrap, tmp_path, ["--loglevel", "debug"],
                        clients_topic=clients_topic, vacancies_topic=vacancies_topic)
    client = client_record(f"{run_id}-p1")
    client.update(status="job_ready", consent_to_share=True, right_to_work=True,
                  certifications=[], desired_roles=["warehouse operative"],
                  skills=["forklift", "customer service", _PERSONAL["skill"]],
                  location={"lat": 52.48, "lon": -1.89, "postcode": _PERSONAL["postcode"]},
                  hours_per_week={"min": 0.0, "max": 37.5},
                  monitoring={"ethnic_group": _PERSONAL["ethnic"], "disability": True,
                              "age_band": "35-44", "sex": "female"})
    vacancy = {**vacancy_record(f"{run_id}-v1"), "title": "warehouse operative",
               "required_skills": ["forklift", "customer service"]}
    out = OutputReader(kafka_bootstrap)
    producer = Producer(kafka_bootstrap)
    worker.start()
    try:
        worker.wait_ready()
        producer.send(clients_topic, client["client_id"], client)
        producer.send(vacancies_topic, vacancy["vacancy_id"], vacancy)
        producer.flush()
        referred = out.wait_for(run_id, 1)
        assert [r["kind"] for r in referred] == ["referral"], worker.tail_log()
        producer.send(clients_topic, client["client_id"], None)  # erasure
        producer.flush()
        events = out.wait_for(run_id, 2)
        assert [r["kind"] for r in events] == ["referral", "withdrawal"], worker.tail_log()
        worker.wait_consumed()
    finally:
        producer.close()
        out.close()
        worker.stop()
    text = worker.log.read_text(errors="replace")
    assert f"{run_id}-v1" in text or "referral" in text.lower(), "the log shows no activity"
    assert "Traceback" not in text
    assert _scan(text, "matcher.log") == {}
    # The referral itself: the contract's fields only, none of the personal values either.
    assert _scan(json.dumps(events), "referrals") == {}
