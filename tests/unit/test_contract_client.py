"""ClientProfile: one test per rule of CONTRACT.md (the matcher-side rules live with the engine)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import ClientProfile
from tests import fixtures
from tests.fixtures import DROP, make_client


def accepted(record: dict[str, object]) -> ClientProfile:
    return fixtures.accepted("client", ClientProfile, record)


def rejected(record: dict[str, object]) -> str:
    return fixtures.rejected("client", record)


def test_the_fixture_is_valid() -> None:
    accepted(make_client())


def test_minimal_client_gets_contract_defaults() -> None:
    client = accepted(make_client(skills=DROP, certifications=DROP, desired_roles=DROP,
                                  max_travel_km=DROP, hours_per_week=DROP, languages=DROP,
                                  programme=DROP, monitoring=DROP))
    assert client.max_travel_km == 15
    assert client.skills == [] and client.certifications == [] and client.desired_roles == []
    assert client.hours_per_week is None and client.monitoring is None


@pytest.mark.parametrize("where", ["top", "location", "hours_per_week", "monitoring"])
def test_unknown_fields_are_refused_at_every_level(where: str) -> None:
    record = make_client()
    target = record if where == "top" else record[where]
    target["skils"] = ["typo in the field name"]
    reason = rejected(record)
    assert "unknown field" in reason and "skils" in reason


@pytest.mark.parametrize("field", ["client_id", "updated_at", "status", "location",
                                   "right_to_work", "consent_to_share"])
def test_required_fields(field: str) -> None:
    assert field in rejected(make_client(**{field: DROP}))


@pytest.mark.parametrize("client_id", ["c", "A" * 64, "abc.DEF_123-x", "0"])
def test_id_characters_accepted(client_id: str) -> None:
    accepted(make_client(client_id=client_id))


@pytest.mark.parametrize("client_id", ["", "A" * 65, "has space", "slash/id", "../etc", "é", "a:b",
                                       "id\n"])
def test_id_characters_refused(client_id: str) -> None:
    assert "client_id" in rejected(make_client(client_id=client_id))


@pytest.mark.parametrize("nino", ["AB123456C", "ab123456d", "JG103759A"])
def test_client_id_is_never_a_national_insurance_number(nino: str) -> None:
    assert "National Insurance" in rejected(make_client(client_id=nino))


@pytest.mark.parametrize("ts", ["2026-11-20T09:30:00Z", "2026-11-20T09:30:00+01:00",
                                "2026-11-20T09:30:00.123456-05:30", "2026-11-20t09:30:00z"])
def test_times_with_an_offset_are_accepted(ts: str) -> None:
    client = accepted(make_client(updated_at=ts))
    assert client.updated_at.tzinfo is not None


@pytest.mark.parametrize("ts", ["2026-11-20T09:30:00", "2026-11-20", "20/11/2026 09:30",
                                1763631000, "2026-13-20T09:30:00Z", "yesterday"])
def test_times_without_an_offset_or_malformed_are_refused(ts: object) -> None:
    assert "updated_at" in rejected(make_client(updated_at=ts))


def test_offsets_are_compared_as_instants() -> None:
    a = accepted(make_client(updated_at="2026-11-20T10:30:00+01:00"))
    b = accepted(make_client(updated_at="2026-11-20T09:30:00Z"))
    assert a.updated_at == b.updated_at
    assert a.updated_at.astimezone(UTC) == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert a.updated_at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("status", ["job_ready", "paused", "placed", "withdrawn"])
def test_status_values(status: str) -> None:
    assert accepted(make_client(status=status)).status == status


@pytest.mark.parametrize("status", ["ready", "JOB_READY", "", None, 1])
def test_status_outside_the_enum_is_refused(status: object) -> None:
    assert "status" in rejected(make_client(status=status))


@pytest.mark.parametrize(("field", "max_items"),
                         [("skills", 100), ("certifications", 50), ("desired_roles", 20)])
def test_list_lengths(field: str, max_items: int) -> None:
    accepted(make_client(**{field: ["x"] * max_items}))
    assert field in rejected(make_client(**{field: ["x"] * (max_items + 1)}))


@pytest.mark.parametrize("field", ["skills", "certifications", "desired_roles"])
def test_list_items_are_1_to_200_chars(field: str) -> None:
    accepted(make_client(**{field: ["y" * 200]}))
    assert field in rejected(make_client(**{field: ["y" * 201]}))
    assert field in rejected(make_client(**{field: [""]}))
    assert field in rejected(make_client(**{field: [42]}))
    assert field in rejected(make_client(**{field: "not a list"}))


def test_skills_keep_free_text_as_typed() -> None:
    typed = ["cust. service!!", "Till opp", "H&S"]
    assert accepted(make_client(skills=typed)).skills == typed


@pytest.mark.parametrize(("lat", "lon", "ok"), [
    (-90, -180, True), (90, 180, True), (0, 0, True), (52.5, -1.9, True),
    (90.0001, 0, False), (-90.5, 0, False), (0, 180.01, False), (0, -181, False),
])
def test_location_ranges(lat: float, lon: float, ok: bool) -> None:
    record = make_client(location={"lat": lat, "lon": lon})
    if ok:
        accepted(record)
    else:
        assert "location" in rejected(record)


@pytest.mark.parametrize("location", [{"lat": "52.1", "lon": -1.0}, {"lat": 52.1},
                                      {"lat": True, "lon": 0}, "B1 1AA"])
def test_location_types(location: object) -> None:
    assert "location" in rejected(make_client(location=location))


@pytest.mark.parametrize("postcode", ["B1 1AA", "b11aa", "SW1A 2AA", "M1 1AE", "EC1A 1BB",
                                      "GIR 0AA", "B33 8TH"])
def test_uk_postcodes_accepted(postcode: str) -> None:
    accepted(make_client(location={"lat": 52.0, "lon": -1.0, "postcode": postcode}))


@pytest.mark.parametrize("postcode", ["12345", "B1", "QQ1 1AA", "not a postcode", ""])
def test_non_uk_postcodes_refused(postcode: str) -> None:
    assert "postcode" in rejected(
        make_client(location={"lat": 52.0, "lon": -1.0, "postcode": postcode}))


@pytest.mark.parametrize(("km", "ok"), [(0.1, True), (200, True), (15, True), (0, False),
                                        (-5, False), (200.01, False), ("15", False)])
def test_max_travel_km_is_over_0_and_at_most_200(km: object, ok: bool) -> None:
    record = make_client(max_travel_km=km)
    if ok:
        accepted(record)
    else:
        assert "max_travel_km" in rejected(record)


@pytest.mark.parametrize(("hours", "ok"), [
    ({"min": 0, "max": 80}, True), ({"min": 16, "max": 16}, True), ({"min": 10}, True),
    ({"max": 20}, True), ({"min": 30, "max": 20}, False), ({"min": -1, "max": 20}, False),
    ({"min": 10, "max": 81}, False), ({"min": "10", "max": 20}, False),
])
def test_hours_per_week_bounds(hours: dict[str, object], ok: bool) -> None:
    record = make_client(hours_per_week=hours)
    if ok:
        accepted(record)
    else:
        assert "hours_per_week" in rejected(record)


def test_hours_per_week_missing_bound_is_open_ended() -> None:
    client = accepted(make_client(hours_per_week={"min": 10}))
    assert client.hours_per_week is not None
    assert (client.hours_per_week.min, client.hours_per_week.max) == (10, 80)


@pytest.mark.parametrize("field", ["right_to_work", "consent_to_share"])
@pytest.mark.parametrize("value", ["true", 1, 0, None])
def test_booleans_are_strict(field: str, value: object) -> None:
    assert field in rejected(make_client(**{field: value}))


def test_monitoring_is_optional_and_structured() -> None:
    assert accepted(make_client(monitoring={})).monitoring is not None
    assert "monitoring" in rejected(make_client(monitoring={"disability": "yes"}))
    assert "monitoring" in rejected(make_client(monitoring={"religion": "x"}))


def test_languages_and_programme_are_optional_strings() -> None:
    client = accepted(make_client(languages=["English", "Polish"], programme="SWAP"))
    assert client.languages == ["English", "Polish"] and client.programme == "SWAP"
    assert "programme" in rejected(make_client(programme=""))
