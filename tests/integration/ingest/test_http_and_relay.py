"""The HTTP API as a real uvicorn server, and the raw-topic relay, on the real broker."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaProducer, TopicPartition

from schemas import CLIENTS, RAW_CLIENTS, RAW_VACANCIES, VACANCIES, ClientProfile
from services.ingest.synthetic import client_record, vacancy_record
from tests.integration.ingest.conftest import (
    JOBMATCH,
    dead_letters_since,
    end_offsets,
    free_port,
    ingest_env,
    jobmatch,
    read_since,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def server(kafka_bootstrap: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = ingest_env(kafka_bootstrap, home=tmp_path / "home")
    tokens = {}
    for name, scopes in {"a": ["clients", "erase"], "b": ["vacancies"]}.items():
        args = ["ingest", "tokens", "create", f"jc-{name}"]
        for s in scopes:
            args += ["--scope", s]
        out = jobmatch(args, env)
        assert out.returncode == 0, out.stderr
        tokens[name] = out.stdout.strip()
    port = free_port()
    proc = subprocess.Popen([*JOBMATCH, "ingest", "serve", "--port", str(port),
                             "--max-body-bytes", "200000"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "server exited"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield base, {**tokens, "_env": json.dumps(env)}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_http_auth_batch_limit_openapi_and_erasure(
        server: tuple[str, dict[str, str]], kafka_bootstrap: str, run_id: str,
        dlq_start: dict[TopicPartition, int]) -> None:
    base, tokens = server
    a = {"Authorization": f"Bearer {tokens['a']}"}
    b = {"Authorization": f"Bearer {tokens['b']}"}
    rec = client_record(f"{run_id}-1")
    clients_start = end_offsets(kafka_bootstrap, CLIENTS.name)
    vacancies_start = end_offsets(kafka_bootstrap, VACANCIES.name)

    assert httpx.post(f"{base}/v1/clients", json=rec).status_code == 401
    assert httpx.post(f"{base}/v1/clients", json=rec, headers=b).status_code == 403
    bad = client_record(f"{run_id}-2")
    bad["location"]["lat"] = 123.0
    r = httpx.post(f"{base}/v1/clients", json=[rec, bad], headers=a)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["status"] for x in body["results"]] == ["accepted", "rejected"]
    assert "location.lat" in body["results"][1]["reason"]
    r = httpx.post(f"{base}/v1/vacancies", json=vacancy_record(f"{run_id}-v"), headers=b)
    assert r.status_code == 200, r.text
    big = json.dumps([client_record(f"{run_id}-big{i}") for i in range(600)])
    assert httpx.post(f"{base}/v1/clients", content=big, headers=a).status_code == 413
    assert "/v1/clients" in httpx.get(f"{base}/openapi.json").json()["paths"]
    assert httpx.delete(f"{base}/v1/clients/{run_id}-1", headers=a).status_code == 200

    kept = read_since(kafka_bootstrap, clients_start,
                      lambda r: (r.key or b"").startswith(run_id.encode()),
                      lambda k: len(k) >= 2)
    assert [(r.key, r.value is None) for r in kept] == [
        (f"{run_id}-1".encode(), False), (f"{run_id}-1".encode(), True)]
    [vac] = read_since(kafka_bootstrap, vacancies_start,
                       lambda r: (r.key or b"").startswith(run_id.encode()),
                       lambda k: len(k) >= 1)
    assert vac.key == f"{run_id}-v".encode()
    [letter] = dead_letters_since(kafka_bootstrap, dlq_start, body["request_id"], 1)
    assert letter.position == f"{body['request_id']}#1"
    assert letter.source == "http"

    # Revocation reaches the running server.
    env = json.loads(tokens["_env"])
    assert jobmatch(["ingest", "tokens", "revoke", "jc-a"], env).returncode == 0
    assert httpx.post(f"{base}/v1/clients", json=rec, headers=a).status_code == 401


def test_relay_forwards_dead_letters_tombstones_and_commits(
        kafka_bootstrap: str, run_id: str, dlq_start: dict[TopicPartition, int]) -> None:
    clients_start = end_offsets(kafka_bootstrap, CLIENTS.name)
    vacancies_start = end_offsets(kafka_bootstrap, VACANCIES.name)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    bad = client_record(f"{run_id}-bad")
    bad["status"] = "ready"
    for i in range(50):
        producer.send(RAW_CLIENTS.name, key=f"{run_id}-{i}".encode(),
                      value=json.dumps(client_record(f"{run_id}-{i}")).encode())
    producer.send(RAW_CLIENTS.name, key=f"{run_id}-bad".encode(),
                  value=json.dumps(bad).encode())
    producer.send(RAW_CLIENTS.name, key=f"{run_id}-0".encode(), value=None)
    producer.send(RAW_VACANCIES.name, key=f"{run_id}-v".encode(),
                  value=json.dumps(vacancy_record(f"{run_id}-v")).encode())
    producer.flush()
    producer.close()

    env = ingest_env(kafka_bootstrap)
    result = jobmatch(["ingest", "relay", "--idle-timeout", "5", "--json"], env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["read"] >= 53

    kept = read_since(kafka_bootstrap, clients_start,
                      lambda r: (r.key or b"").startswith(f"{run_id}-".encode()),
                      lambda k: len(k) >= 51)
    assert len(kept) == 51
    tombstones = [r for r in kept if r.value is None]
    assert [r.key for r in tombstones] == [f"{run_id}-0".encode()]
    assert ClientProfile.model_validate_json(kept[0].value).client_id.startswith(run_id)
    [vac] = read_since(kafka_bootstrap, vacancies_start,
                       lambda r: r.key == f"{run_id}-v".encode(), lambda k: len(k) >= 1)
    assert vac.value is not None
    [letter] = dead_letters_since(kafka_bootstrap, dlq_start, f"{run_id}-bad", 1)
    assert letter.source == "topic"
    assert letter.position.startswith(f"{RAW_CLIENTS.name}/")
    assert "status" in letter.reason

    # Offsets were committed: a second run finds nothing of ours to relay again.
    again = jobmatch(["ingest", "relay", "--idle-timeout", "3", "--json"], env, timeout=120)
    assert again.returncode == 0
    assert json.loads(again.stdout.strip().splitlines()[-1])["read"] == 0
