"""Vacancy: one test per rule of CONTRACT.md."""

from __future__ import annotations

from datetime import date

import pytest

from schemas import Vacancy
from tests import fixtures
from tests.fixtures import DROP, make_vacancy


def accepted(record: dict[str, object]) -> Vacancy:
    return fixtures.accepted("vacancy", Vacancy, record)


def rejected(record: dict[str, object]) -> str:
    return fixtures.rejected("vacancy", record)


def test_the_fixture_is_valid() -> None:
    accepted(make_vacancy())


def test_defaults() -> None:
    vacancy = accepted(make_vacancy(description=DROP, required_skills=DROP, desired_skills=DROP,
                                    required_certifications=DROP, remote=DROP,
                                    hours_per_week=DROP, positions=DROP, closing_date=DROP,
                                    requires_right_to_work=DROP))
    assert vacancy.remote is False
    assert vacancy.positions == 1
    assert vacancy.max_referrals == 3
    assert vacancy.requires_right_to_work is True
    assert vacancy.description == "" and vacancy.closing_date is None
    assert vacancy.required_skills == [] and vacancy.required_certifications == []


@pytest.mark.parametrize(("positions", "expected"), [(1, 3), (2, 6), (7, 21)])
def test_max_referrals_defaults_to_three_times_positions(positions: int, expected: int) -> None:
    assert accepted(make_vacancy(positions=positions)).max_referrals == expected


def test_explicit_max_referrals_is_kept() -> None:
    assert accepted(make_vacancy(positions=4, max_referrals=5)).max_referrals == 5


@pytest.mark.parametrize(("field", "value"), [("positions", 0), ("positions", -1),
                                              ("positions", 1.5), ("positions", "2"),
                                              ("max_referrals", 0), ("max_referrals", True)])
def test_positions_and_max_referrals_are_whole_numbers_of_at_least_one(
        field: str, value: object) -> None:
    assert field in rejected(make_vacancy(**{field: value}))


def test_bad_positions_is_reported_alone() -> None:
    assert rejected(make_vacancy(positions=0)).startswith("positions")


@pytest.mark.parametrize("field", ["vacancy_id", "employer_id", "employer_name", "updated_at",
                                   "status", "title", "location"])
def test_required_fields(field: str) -> None:
    assert field in rejected(make_vacancy(**{field: DROP}))


@pytest.mark.parametrize("field", ["vacancy_id", "employer_id"])
@pytest.mark.parametrize("value", ["", "x" * 65, "a b", "a/b", "ü"])
def test_ids_follow_the_client_id_character_rules(field: str, value: str) -> None:
    assert field in rejected(make_vacancy(**{field: value}))


@pytest.mark.parametrize("field", ["employer_name", "title"])
def test_names_are_1_to_200_chars(field: str) -> None:
    accepted(make_vacancy(**{field: "n" * 200}))
    assert field in rejected(make_vacancy(**{field: ""}))
    assert field in rejected(make_vacancy(**{field: "n" * 201}))


def test_description_is_up_to_20000_chars() -> None:
    accepted(make_vacancy(description="d" * 20_000))
    assert "description" in rejected(make_vacancy(description="d" * 20_001))


@pytest.mark.parametrize("status", ["open", "closed", "filled"])
def test_status_values(status: str) -> None:
    accepted(make_vacancy(status=status))


@pytest.mark.parametrize("status", ["Open", "draft", None])
def test_status_outside_the_enum_is_refused(status: object) -> None:
    assert "status" in rejected(make_vacancy(status=status))


@pytest.mark.parametrize("field", ["required_skills", "desired_skills", "required_certifications"])
def test_skill_lists_hold_up_to_50_items(field: str) -> None:
    accepted(make_vacancy(**{field: ["s"] * 50}))
    assert field in rejected(make_vacancy(**{field: ["s"] * 51}))


def test_updated_at_needs_an_offset() -> None:
    assert "updated_at" in rejected(make_vacancy(updated_at="2026-11-20T09:00:00"))


def test_location_rules_are_the_clients() -> None:
    assert "location" in rejected(make_vacancy(location={"lat": 91, "lon": 0}))
    assert "location" in rejected(make_vacancy(location={"lat": 0, "lon": 0, "x": 1}))


@pytest.mark.parametrize("value", ["2026-12-31T00:00:00Z", "31/12/2026", "2026-02-30", 20261231])
def test_closing_date_is_a_calendar_date(value: object) -> None:
    assert "closing_date" in rejected(make_vacancy(closing_date=value))


def test_after_its_closing_date_a_vacancy_is_treated_as_closed() -> None:
    vacancy = accepted(make_vacancy(closing_date="2026-12-31"))
    assert vacancy.is_open_on(date(2026, 12, 30))
    assert vacancy.is_open_on(date(2026, 12, 31))
    assert not vacancy.is_open_on(date(2027, 1, 1))


@pytest.mark.parametrize("status", ["closed", "filled"])
def test_only_open_vacancies_are_open(status: str) -> None:
    assert not accepted(make_vacancy(status=status, closing_date=DROP)).is_open_on(
        date(2026, 1, 1))


@pytest.mark.parametrize("field", ["remote", "requires_right_to_work"])
def test_booleans_are_strict(field: str) -> None:
    assert field in rejected(make_vacancy(**{field: "false"}))


def test_unknown_fields_are_refused() -> None:
    assert "unknown field" in rejected(make_vacancy(salary="£12.21/h"))
