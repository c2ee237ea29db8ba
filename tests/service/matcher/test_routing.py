"""Pure tests of the regional scheme: routing never loses a pair the contract allows, and the
regional batch path equals what the worker does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import ClientProfile, Vacancy
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.geo import haversine_km
from services.matcher.regional import (
    RegionalMatcher,
    Router,
    engine_factory,
    engine_restorer,
    match_batch_regional,
)
from services.matcher.routing import NATIONAL, Grid, partition_for_region
from tests.fixtures import make_client, make_vacancy

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
GRID = Grid()

lats = st.floats(-89.9, 89.9, allow_nan=False)
lons = st.floats(-180, 180, allow_nan=False)
radii = st.floats(0.01, 200, allow_nan=False)


@settings(max_examples=3000, deadline=None)
@given(lat=lats, lon=lons, km=radii, bearing=st.floats(0, 360), frac=st.floats(0, 1))
def test_every_vacancy_within_reach_is_in_a_client_region(
    lat: float, lon: float, km: float, bearing: float, frac: float
) -> None:
    # A point at distance frac*km along the bearing, by the spherical destination formula.
    import math

    r = 6371.0088
    d = frac * km / r
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    vlat, vlon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
    if haversine_km(lat, lon, vlat, vlon) <= km:
        assert GRID.home_region(vlat, vlon) in GRID.client_regions(lat, lon, km)


@pytest.mark.parametrize(("lat", "lon", "km", "most"), [
    (52.4862, -1.8904, 15, 5),    # Birmingham, default reach: a few cells + national
    (51.5072, -0.1276, 200, 60),  # London, the longest reach the contract allows
])
def test_client_regions_are_few(lat: float, lon: float, km: float, most: int) -> None:
    regions = GRID.client_regions(lat, lon, km)
    assert NATIONAL in regions
    assert GRID.home_region(lat, lon) in regions
    assert len(regions) <= most


def test_remote_vacancies_go_national_and_others_home() -> None:
    assert GRID.vacancy_region(52.48, -1.89, remote=True) == NATIONAL
    assert GRID.vacancy_region(52.48, -1.89, remote=False) == GRID.home_region(52.48, -1.89)


def test_antimeridian_and_poles_do_not_break() -> None:
    assert GRID.home_region(0, 180) == GRID.home_region(0, -180)
    near_pole = GRID.regions_within(89.95, 10, 50)
    assert len({r.split(":")[1] for r in near_pole}) == 180  # every longitude
    assert GRID.home_region(0.1, 179.9) in GRID.regions_within(0.1, -179.9, 30)


def test_partition_for_region_is_stable_and_in_range() -> None:
    assert partition_for_region("g52:-1", 8) == partition_for_region("g52:-1", 8)
    assert {partition_for_region(f"g{i}:0", 8) for i in range(100)} == set(range(8))
    with pytest.raises(ValueError, match="partitions"):
        partition_for_region("x", 0)


def test_grid_sizes_must_divide_the_globe() -> None:
    with pytest.raises(ValueError, match="divide"):
        Grid(lat_deg=0.7)


def _client(**kw: object) -> ClientProfile:
    return ClientProfile.model_validate(make_client(**kw))


def _vacancy(**kw: object) -> Vacancy:
    return Vacancy.model_validate(make_vacancy(**kw))


def test_router_drops_older_replays_equal_and_leaves_on_move() -> None:
    router = Router(GRID, {})
    first = router.route_client(_client(), "{}")
    assert {op.op for op in first} == {"client"}
    older = _client(updated_at="2026-11-19T09:30:00Z")
    assert router.route_client(older, "{}") == []
    assert [op.region for op in router.route_client(_client(), "{}")] == [
        op.region for op in first]  # a replay goes where the original went
    moved = _client(updated_at="2026-11-21T09:30:00Z",
                    location={"lat": 55.9533, "lon": -3.1883})  # Edinburgh
    ops = router.route_client(moved, "{}")
    left = {op.region for op in ops if op.op == "leave_client"}
    assert left and NATIONAL not in left
    assert {op.op for op in router.route_erasure("c-0001")} == {"erase"}


def test_regional_batch_equals_ops_applied_one_by_one_with_restore() -> None:
    config = MatchConfig()
    clients = [_client(client_id=f"c-{i}", location={"lat": 52.48 + i * 0.02, "lon": -1.89})
               for i in range(6)]
    vacancies = [_vacancy(vacancy_id=f"v-{i}", positions=1) for i in range(3)]
    batch = match_batch_regional(clients, vacancies, engine_factory(config), NOW)
    assert batch, "the fixture data should produce referrals"

    # The worker's way: ops through a RegionalMatcher whose state round-trips through storage.
    store: dict[str, bytes] = {}
    router = Router(GRID, {})
    matcher = RegionalMatcher(engine_factory(config), engine_restorer(config))
    made = []
    for rec in [*clients, *vacancies]:
        ops = (router.route_client(rec, rec.model_dump_json()) if isinstance(rec, ClientProfile)
               else router.route_vacancy(cast(Vacancy, rec), rec.model_dump_json()))
        for op in ops:
            step = matcher.apply(op, NOW)
            made += step.outputs
            for key, value in step.changes:
                if value is None:
                    store.pop(key, None)
                else:
                    store[key] = value
        restored = RegionalMatcher(engine_factory(config), engine_restorer(config))
        restored.restore(store.items())
        matcher = restored  # every step continues from the restored state
    assert {r.referral_id for r in made if r.kind == "referral"} == {
        r.referral_id for r in batch}
    assert sum(len(e.active) for e in matcher.regions.values()) == len(batch)


def test_packed_ops_keep_their_order_and_size_limit() -> None:
    from services.matcher.regional import RegionOp, pack_ops, unpack_ops

    ops = [RegionOp("client", f"g{i % 3}:0", f"c{i}", "x" * 100, f"t/0/{i}") for i in range(50)]
    messages = pack_ops(ops, max_bytes=1000)
    assert len(messages) > 1
    assert all(len(m) <= 1000 for m in messages)
    assert [op for m in messages for op in unpack_ops(m)] == ops
    assert unpack_ops(RegionOp("tick", "").to_bytes()) == [RegionOp("tick", "")]


def test_a_client_in_several_regions_has_its_features_computed_once() -> None:
    """The worker's engines share one FeaturesCache (and parsed records): one features
    object per client version, whatever the number of regions; results are unchanged."""
    from services.matcher.engine.features import FeaturesCache
    from services.matcher.engine.matcher import Matcher

    features = FeaturesCache()
    config = MatchConfig()
    matcher = RegionalMatcher(engine_factory(config, features), engine_restorer(config, features))
    router = Router(GRID, {})
    client = ClientProfile.model_validate(make_client())
    ops = router.route_client(client, client.model_dump_json())
    assert len(ops) >= 2
    for op in ops:
        matcher.apply(op, NOW)
    assert features.misses == 1 and features.hits == len(ops) - 1
    held = {id(e._cf[client.client_id]) for e in matcher.regions.values()}  # type: ignore[attr-defined]
    assert len(held) == 1
    vacancy = Vacancy.model_validate(make_vacancy())
    shared = Matcher(config, features=features).upsert_client(client, NOW)
    alone = Matcher(config).upsert_client(client, NOW)
    assert shared == alone
    m1, m2 = Matcher(config, features=features), Matcher(config)
    for m in (m1, m2):
        m.upsert_client(client, NOW)
    assert m1.upsert_vacancy(vacancy, NOW) == m2.upsert_vacancy(vacancy, NOW)
