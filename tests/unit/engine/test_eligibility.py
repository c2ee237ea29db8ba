"""Each hard rule of CONTRACT.md, on both sides of its boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.matcher.engine import ineligibility_reason, is_eligible, london_today
from services.matcher.engine.geo import haversine_km
from tests.unit.engine.conftest import cf, vf

TODAY = date(2026, 11, 21)


def test_the_fixture_pair_is_eligible() -> None:
    assert ineligibility_reason(cf(), vf(), TODAY) is None


@pytest.mark.parametrize("status", ["paused", "placed", "withdrawn"])
def test_only_job_ready_clients(status: str) -> None:
    assert not is_eligible(cf(status=status), vf(), TODAY)


def test_consent_required() -> None:
    assert ineligibility_reason(cf(consent_to_share=False), vf(), TODAY) == (
        "client consent withdrawn")


@pytest.mark.parametrize("status", ["closed", "filled"])
def test_only_open_vacancies(status: str) -> None:
    assert not is_eligible(cf(), vf(status=status), TODAY)


def test_closing_date_is_the_last_open_day() -> None:
    v = vf(closing_date="2026-11-21")
    assert is_eligible(cf(), v, date(2026, 11, 21))
    assert not is_eligible(cf(), v, date(2026, 11, 22))


def test_today_is_the_london_date() -> None:
    # 23:30 UTC on 30 June is already 1 July in London (BST); in winter GMT = UTC.
    assert london_today(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert london_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)


def test_right_to_work_only_when_required() -> None:
    assert not is_eligible(cf(right_to_work=False), vf(), TODAY)
    assert is_eligible(cf(right_to_work=False), vf(requires_right_to_work=False), TODAY)


def test_every_required_certification() -> None:
    v = vf(required_certifications=["HGV Class 1", "Enhanced DBS"])
    assert is_eligible(cf(certifications=["C+E", "enhanced dbs check"]), v, TODAY)
    assert not is_eligible(cf(certifications=["C+E"]), v, TODAY)
    assert not is_eligible(cf(certifications=["HGV Class 2", "enhanced DBS"]), v, TODAY)


def _km(a: dict[str, float], b: dict[str, float]) -> float:
    return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])


def test_distance_boundary_uses_client_radius() -> None:
    here = {"lat": 52.0, "lon": -1.0}
    there = {"lat": 52.1, "lon": -1.0}  # ~11.1 km north
    d = _km(here, there)
    assert 11.0 < d < 11.2
    v = vf(location=there)
    assert is_eligible(cf(location=here, max_travel_km=d + 0.01), v, TODAY)
    assert not is_eligible(cf(location=here, max_travel_km=d - 0.01), v, TODAY)
    assert is_eligible(cf(location=here, max_travel_km=1.0), vf(location=there, remote=True),
                       TODAY)


def test_haversine_known_distance() -> None:
    # London (51.5074, -0.1278) to Birmingham (52.4862, -1.8904): ~163 km great-circle.
    assert haversine_km(51.5074, -0.1278, 52.4862, -1.8904) == pytest.approx(163.0, abs=1.0)


def test_hours_must_overlap_when_both_given() -> None:
    v = vf(hours_per_week={"min": 20, "max": 30})
    assert is_eligible(cf(hours_per_week={"min": 30, "max": 40}), v, TODAY)  # touching
    assert not is_eligible(cf(hours_per_week={"min": 30.5, "max": 40}), v, TODAY)
    assert is_eligible(cf(hours_per_week=None), v, TODAY)
    assert is_eligible(cf(hours_per_week={"min": 31, "max": 40}), vf(hours_per_week=None), TODAY)
