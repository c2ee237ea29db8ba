"""File ingest end to end: a real broker, the real command, records read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kafka import TopicPartition

from schemas import CLIENTS, DEADLETTERS, ClientProfile
from services.ingest.synthetic import BAD_KINDS, bad_client_line, client_record
from tests.integration.ingest.conftest import (
    dead_letters_since,
    end_offsets,
    ingest_env,
    jobmatch,
    read_since,
)

pytestmark = pytest.mark.integration

N_VALID = 10_000


def test_ten_thousand_valid_and_a_hundred_invalid(kafka_bootstrap: str, run_id: str,
                                                  tmp_path: Path,
                                                  dlq_start: dict[TopicPartition, int]) -> None:
    path = tmp_path / "clients.jsonl"
    expected_reason: dict[str, str] = {}  # line -> reason fragment
    with path.open("w", encoding="utf-8") as fh:
        line = 0
        for i in range(N_VALID):
            fh.write(json.dumps(client_record(f"{run_id}-{i}")) + "\n")
            line += 1
            if i % 100 == 50:  # spread the bad ones through the file
                kind = list(BAD_KINDS)[(i // 100) % 10]
                # The marker (run id) must survive truncation of the dead letter's payload.
                fh.write(bad_client_line(kind, f"{run_id}-bad{i}") + "\n")
                line += 1
                expected_reason[f"{path}:{line}"] = BAD_KINDS[kind]
    assert len(expected_reason) == 100
    clients_start = end_offsets(kafka_bootstrap, CLIENTS.name)

    result = jobmatch(["ingest", "clients", str(path), "--json"], ingest_env(kafka_bootstrap))
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"read": 10_100, "published": 10_000, "rejected": 100}

    prefix = f"{run_id}-".encode()
    records = read_since(kafka_bootstrap, clients_start,
                         lambda r: (r.key or b"").startswith(prefix),
                         lambda kept: len(kept) >= N_VALID)
    keys = [r.key for r in records]
    assert len(keys) == N_VALID, "lost or duplicated records"
    assert len(set(keys)) == N_VALID
    sample = ClientProfile.model_validate_json(records[0].value)
    assert sample.client_id.encode() == records[0].key

    letters = dead_letters_since(kafka_bootstrap, dlq_start, str(path), 100)
    assert len(letters) == 100
    by_position = {dl.position: dl for dl in letters}
    assert set(by_position) == set(expected_reason)
    for position, fragment in expected_reason.items():
        letter = by_position[position]
        assert fragment in letter.reason, (position, letter.reason)
        assert letter.source == "file"
    assert DEADLETTERS.name


def test_csv_file_and_exit_code(kafka_bootstrap: str, run_id: str, tmp_path: Path,
                                dlq_start: dict[TopicPartition, int]) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "client_id,updated_at,status,skills,lat,lon,right_to_work,consent_to_share\n"
        f"{run_id}-1,2026-11-20T09:30:00Z,job_ready,forklift;first aid,52.5,-1.9,true,true\n"
        f"{run_id}-2,2026-11-20T09:30:00Z,job_ready,,95,-1.9,true,true\n",
        encoding="utf-8")
    start = end_offsets(kafka_bootstrap, CLIENTS.name)
    result = jobmatch(["ingest", "clients", str(path), "--json"], ingest_env(kafka_bootstrap))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"read": 2, "published": 1,
                                                           "rejected": 1}
    [record] = read_since(kafka_bootstrap, start, lambda r: r.key == f"{run_id}-1".encode(),
                          lambda kept: len(kept) >= 1)
    assert ClientProfile.model_validate_json(record.value).skills == ["forklift", "first aid"]
    [letter] = dead_letters_since(kafka_bootstrap, dlq_start, str(path), 1)
    assert letter.position == f"{path}:3"
    assert "location.lat" in letter.reason


@pytest.mark.slow  # kafka-python waits its 30 s bootstrap timeout before giving up
def test_unreachable_broker_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(client_record("x-1")) + "\n")
    result = jobmatch(["ingest", "clients", str(path), "--json"],
                      {**ingest_env("127.0.0.1:1")}, timeout=90)
    assert result.returncode != 0
