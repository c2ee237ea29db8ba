"""`jobmatch taxonomy lookup`, `certification` and `unknown` on small inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from services.cli import main
from tests.fixtures import make_client, make_vacancy

ODD = "xqzt vrkp"


def _jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n"
                            for r in records))
    return path


def test_lookup_names_the_skill_or_says_it_names_none() -> None:
    result = CliRunner().invoke(main, ["taxonomy", "lookup", "till operation", ODD])
    assert result.exit_code == 0, result.output
    known, unknown = result.output.split(repr(ODD), 1)
    assert "uk:cash_handling" in known
    assert "names no skill" in unknown and "uk:" not in unknown
    assert "by meaning" not in known  # a dictionary route


def test_lookup_says_which_space_placed_a_phrase_by_meaning() -> None:
    result = CliRunner().invoke(main, ["taxonomy", "lookup", "serving customers at the checkout"])
    assert result.exit_code == 0, result.output
    assert "0.80  uk:customer_service  customer service  (by meaning: word vectors)" in (
        result.output)


def test_lookup_shows_the_weak_reading_of_an_unnamed_phrase() -> None:
    result = CliRunner().invoke(main, ["taxonomy", "lookup", "pouring drinks behind a bar"])
    assert result.exit_code == 0, result.output
    assert "names no skill" in result.output
    assert "0.76  uk:bar_work" in result.output and "nearest in meaning" in result.output


def test_certification_names_the_category_its_route_and_what_it_implies() -> None:
    phrases = ["SIA dorr supervisor licence", "C+E", "HGV licence", "level 2",
               "expired SIA licence"]
    result = CliRunner().invoke(main, ["taxonomy", "certification", *phrases])
    assert result.exit_code == 0, result.output
    typo, artic, generic, level, expired = (
        result.output.split(repr(p), 1)[1].split("\n'", 1)[0] for p in phrases)
    assert "sia_door_supervisor" in typo and "(by a typo)" in typo
    assert "hgv_class_1" in artic and "a holder also holds: driving_licence_b, hgv_c1" in artic
    assert "generic: uk_driving_licence" in generic
    assert "names no category" in level  # a bare level is never a licence class
    assert "not held" in expired


def test_unknown_lists_blocking_phrases_and_counts_bad_records(tmp_path: Path) -> None:
    vacancies = _jsonl(tmp_path / "v.jsonl", [
        make_vacancy(vacancy_id="v1", required_skills=["cash handling", ODD]),
        "{not json",
    ])
    clients = _jsonl(tmp_path / "c.jsonl", [make_client(skills=[ODD, "customer service"])])
    args = ["taxonomy", "unknown", "--clients", str(clients), "--vacancies", str(vacancies)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["1", "0", "1", *ODD.split()]
    assert "1 of 1 unnamed phrases in 1 vacancies and 1 clients" in result.stderr
    assert "1 invalid records skipped" in result.stderr
    as_json = CliRunner().invoke(main, [*args, "--json"])
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        {"phrase": ODD, "example": ODD, "required_by": 1, "desired_by": 0, "clients": 1}]


def test_unknown_needs_an_input() -> None:
    result = CliRunner().invoke(main, ["taxonomy", "unknown"])
    assert result.exit_code == 2
    assert "give --clients, --vacancies or both" in result.output
