"""The committed JSON Schema files are generated from the models and must not drift."""

from __future__ import annotations

import json

import pytest

from schemas import TOPICS, export
from schemas.export import MODELS, SCHEMA_DIR, main, render


@pytest.mark.parametrize("filename", sorted(MODELS))
def test_committed_json_schema_matches_the_model(filename: str) -> None:
    path = SCHEMA_DIR / filename
    assert path.exists(), "run: python -m schemas.export"
    assert path.read_text() == render(MODELS[filename]), "drift: run python -m schemas.export"


def test_check_mode_reports_drift(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "SCHEMA_DIR", tmp_path)
    assert main(["--check"]) == 1
    assert main([]) == 0
    assert main(["--check"]) == 0


def test_schemas_refuse_unknown_fields() -> None:
    schema = json.loads((SCHEMA_DIR / "client_profile.v1.json").read_text())
    assert schema["additionalProperties"] is False


def test_topics_are_defined_once_with_keys() -> None:
    names = [t.name for t in TOPICS]
    assert len(names) == len(set(names))
    by_short = {t.short: t for t in TOPICS}
    assert by_short["clients"].key_field == "client_id"
    assert by_short["vacancies"].key_field == "vacancy_id"
    assert by_short["clients"].config["cleanup.policy"] == "compact"
