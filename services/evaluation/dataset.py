"""Read and write an evaluation set: clients.jsonl, vacancies.jsonl and labels.json.

labels.json holds what must stay out of the contract records: pool tags, the true skills and
certifications, and the per-vacancy labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from schemas import ClientProfile, Vacancy, validate
from schemas.validation import Valid
from services.evaluation.generator import Generated
from services.evaluation.labels import compute_labels, latest

__all__ = ["CLIENTS_FILE", "LABELS_FILE", "VACANCIES_FILE", "Dataset", "build", "load", "write"]

CLIENTS_FILE, VACANCIES_FILE, LABELS_FILE = "clients.jsonl", "vacancies.jsonl", "labels.json"


@dataclass
class Dataset:
    clients: list[ClientProfile]  # file order, older versions included: what the matcher reads
    vacancies: list[Vacancy]
    labels: dict[str, Any]

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.labels["now"])

    def current_clients(self) -> dict[str, ClientProfile]:
        return latest(self.clients, "client_id")

    def current_vacancies(self) -> dict[str, Vacancy]:
        return latest(self.vacancies, "vacancy_id")


def _parse(kind: str, rows: list[dict[str, Any]]) -> list[Any]:
    out = []
    for i, row in enumerate(rows, 1):
        result = validate(kind, row)  # type: ignore[arg-type]
        if not isinstance(result, Valid):
            raise ValueError(f"generated {kind} #{i} breaks the contract: {result.reason}")
        out.append(result.record)
    return out


def build(gen: Generated, with_labels: bool = True) -> Dataset:
    """Validate the generated records against the contract and label them."""
    clients = _parse("client", gen.clients)
    vacancies = _parse("vacancy", gen.vacancies)
    labels: dict[str, Any] = {"version": 1, "seed": gen.seed, "now": gen.now.isoformat(),
                              "truth": gen.truth, "vacancies": {}}
    data = Dataset(clients, vacancies, labels)
    if with_labels:
        labels["vacancies"] = compute_labels(data.current_clients(), data.current_vacancies(),
                                             gen.truth, gen.now.date())
    return data


def _dump_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write(out: Path, gen: Generated, data: Dataset) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _dump_jsonl(out / CLIENTS_FILE, gen.clients)
    _dump_jsonl(out / VACANCIES_FILE, gen.vacancies)
    (out / LABELS_FILE).write_text(json.dumps(data.labels, ensure_ascii=False))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(directory: Path) -> Dataset:
    labels = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
    clients = _parse("client", _read_jsonl(directory / CLIENTS_FILE))
    vacancies = _parse("vacancy", _read_jsonl(directory / VACANCIES_FILE))
    return Dataset(clients, vacancies, labels)
