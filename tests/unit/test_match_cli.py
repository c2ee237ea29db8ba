"""`jobmatch match` on small files: JSON Lines, CSV, bad records reported and skipped."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from services.cli import main
from tests.fixtures import make_client, make_vacancy

NOW = "2026-11-21T10:00:00Z"


def _jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n"
                            for r in records))
    return path


def _run(tmp_path: Path, clients: Path, vacancies: Path, out: str = "out.jsonl") -> Any:
    result = CliRunner().invoke(main, [
        "match", "--clients", str(clients), "--vacancies", str(vacancies),
        "--output", str(tmp_path / out), "--now", NOW,
    ])
    return result


def test_jsonl_with_bad_records(tmp_path: Path) -> None:
    clients = _jsonl(tmp_path / "c.jsonl", [
        make_client(client_id="good"),
        make_client(client_id="typo", skils=["customer service"]),  # unknown field
        "{not json",
        make_client(client_id="second", location={"lat": 52.49, "lon": -1.89}),
    ])
    vacancies = _jsonl(tmp_path / "v.jsonl", [make_vacancy()])
    result = _run(tmp_path, clients, vacancies)
    assert result.exit_code == 0, result.output
    assert f"{clients}:2: skils: unknown field" in result.stderr
    assert f"{clients}:3: invalid JSON" in result.stderr
    assert "2 referrals, 2 invalid records skipped" in result.stderr
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    referred = [json.loads(line)["client_id"] for line in lines]
    assert referred == ["good", "second"]
    assert "typo" not in referred
    text = (tmp_path / "out.jsonl").read_text()
    assert "monitoring" not in text and "Asian" not in text


def test_csv_in_and_out(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["client_id", "updated_at", "status", "skills", "lat", "lon", "postcode",
                    "max_travel_km", "hours_min", "hours_max", "right_to_work",
                    "consent_to_share", "monitoring_disability"])
        w.writerow(["csv-1", "2026-11-20T09:30:00Z", "job_ready", "customer service;till work",
                    "52.4862", "-1.8904", "B1 1AA", "15", "16", "37.5", "true", "true", "false"])
        w.writerow(["csv-2", "2026-11-20T09:30:00Z", "job_ready", "customer service",
                    "52.4862", "-1.8904", "", "", "", "", "maybe", "true", ""])
    vacancies = _jsonl(tmp_path / "v.jsonl", [make_vacancy()])
    result = _run(tmp_path, path, vacancies, out="out.csv")
    assert result.exit_code == 0, result.output
    assert f"{path}:3: right_to_work" in result.stderr
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [r["client_id"] for r in rows] == ["csv-1"]
    assert json.loads(rows[0]["explanation"])["matched_skills"]


def test_invalid_utf8_row_is_reported_with_its_line_and_skipped(tmp_path: Path) -> None:
    clients = tmp_path / "c.csv"
    clients.write_bytes(b"client_id\n\xff\xfe\n")
    vacancies = _jsonl(tmp_path / "v.jsonl", [make_vacancy()])
    result = _run(tmp_path, clients, vacancies)
    assert result.exit_code == 0
    assert f"{clients}:2:" in result.stderr and "UTF-8" in result.stderr


def test_missing_input_fails(tmp_path: Path) -> None:
    vacancies = _jsonl(tmp_path / "v.jsonl", [make_vacancy()])
    assert _run(tmp_path, tmp_path / "missing.jsonl", vacancies).exit_code != 0
