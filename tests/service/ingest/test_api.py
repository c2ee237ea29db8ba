"""The HTTP ingest API in-process (fastapi TestClient) with a fake publisher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schemas import CLIENTS, DEADLETTERS, DeadLetter
from services.ingest.api import ApiLimits, create_app, split_json_array
from services.ingest.synthetic import client_record, vacancy_record
from services.ingest.testing import FakePublisher
from services.ingest.tokens import TokenStore


@pytest.fixture
def setup(tmp_path: Path) -> tuple[TestClient, FakePublisher, dict[str, str]]:
    store = TokenStore(tmp_path / "tokens.json")
    tokens = {
        "clients": store.create("jc-a", ["clients"])[0],
        "vacancies": store.create("jc-b", ["vacancies"])[0],
        "erase": store.create("jc-a-erase", ["erase"])[0],
    }
    fake = FakePublisher(fail_when=lambda s: s.key == b"c-fail")
    app = create_app(fake, store, ApiLimits(max_body_bytes=64 * 1024, max_batch_records=50))
    return TestClient(app), fake, tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_single_record_accepted(setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, fake, tokens = setup
    r = client.post("/v1/clients", json=client_record("c-1"), headers=auth(tokens["clients"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"] == [{"index": 0, "status": "accepted", "id": "c-1"}]
    assert r.headers["X-Request-ID"] == body["request_id"]
    assert [s.key for s in fake.on(CLIENTS.name)] == [b"c-1"]


def test_batch_partly_rejected_and_partly_failed(
        setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, fake, tokens = setup
    bad = client_record("c-2")
    bad["status"] = "ready"
    batch = [client_record("c-1"), bad, "not an object", client_record("c-fail")]
    r = client.post("/v1/clients", content=json.dumps(batch),
                    headers=auth(tokens["clients"]))
    assert r.status_code == 503  # one valid record was not acknowledged
    body = r.json()
    statuses = [(x["index"], x["status"]) for x in body["results"]]
    assert statuses == [(0, "accepted"), (1, "rejected"), (2, "rejected"), (3, "failed")]
    assert "status" in body["results"][1]["reason"]
    assert "expected a JSON object" in body["results"][2]["reason"]
    letters = [DeadLetter.model_validate_json(s.value or b"") for s in fake.on(DEADLETTERS.name)]
    assert [dl.position for dl in letters] == [f"{body['request_id']}#1",
                                              f"{body['request_id']}#2"]
    assert all(dl.source == "http" for dl in letters)


def test_single_rejected_is_422_and_bad_json_is_400(
        setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, fake, tokens = setup
    bad = vacancy_record("v-1")
    bad["positions"] = 0
    r = client.post("/v1/vacancies", json=bad, headers=auth(tokens["vacancies"]))
    assert r.status_code == 422
    assert r.json()["results"][0]["reason"].startswith("positions")
    r = client.post("/v1/vacancies", content=b'[{"a": 1}, ', headers=auth(tokens["vacancies"]))
    assert r.status_code == 400
    assert len(fake.on(DEADLETTERS.name)) == 2


def test_auth_missing_unknown_wrong_scope_revoked(
        setup: tuple[TestClient, FakePublisher, dict[str, str]], tmp_path: Path) -> None:
    client, _, tokens = setup
    rec = client_record("c-1")
    assert client.post("/v1/clients", json=rec).status_code == 401
    assert client.post("/v1/clients", json=rec, headers=auth("jm_nope_x")).status_code == 401
    r = client.post("/v1/clients", json=rec, headers=auth(tokens["vacancies"]))
    assert r.status_code == 403
    TokenStore(tmp_path / "tokens.json").revoke("jc-a")
    assert client.post("/v1/clients", json=rec,
                       headers=auth(tokens["clients"])).status_code == 401


def test_size_limits(setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, _, tokens = setup
    big = b"[" + b" " * (70 * 1024) + b"]"
    r = client.post("/v1/clients", content=big, headers=auth(tokens["clients"]))
    assert r.status_code == 413

    def chunks():  # no Content-Length: the cap still holds
        for _ in range(100):
            yield b" " * 1024
    r = client.post("/v1/clients", content=chunks(), headers=auth(tokens["clients"]))
    assert r.status_code == 413
    many = [client_record(f"c-{i}") for i in range(51)]
    r = client.post("/v1/clients", json=many, headers=auth(tokens["clients"]))
    assert r.status_code in (413,)


def test_erase_needs_erase_scope_and_publishes_a_tombstone(
        setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, fake, tokens = setup
    assert client.delete("/v1/clients/c-1", headers=auth(tokens["clients"])).status_code == 403
    r = client.delete("/v1/clients/c-1", headers=auth(tokens["erase"]))
    assert r.status_code == 200
    assert [(s.key, s.value) for s in fake.on(CLIENTS.name)] == [(b"c-1", None)]
    assert client.delete("/v1/clients/bad%20id", headers=auth(tokens["erase"])).status_code == 422


def test_openapi_served(setup: tuple[TestClient, FakePublisher, dict[str, str]]) -> None:
    client, _, _ = setup
    spec = client.get("/openapi.json").json()
    assert {"/v1/clients", "/v1/vacancies", "/v1/clients/{client_id}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_split_json_array() -> None:
    assert split_json_array(' [ {"a": [1, 2]} , 3,"x"] ') == ['{"a": [1, 2]}', "3", '"x"']
    assert split_json_array("[]") == []
    for bad in ("[1 2]", "[1,]", "[1] x", "{}", "["):
        with pytest.raises(ValueError):
            split_json_array(bad)
