from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.engine import MatchConfig, Matcher, score_pair
from tests.fixtures import DROP
from tests.unit.engine.conftest import NOW, cf, client, vacancy, vf

CONFIG = MatchConfig()


def test_score_and_components_within_unit_interval() -> None:
    s = score_pair(cf(), vf(), CONFIG)
    assert 0.0 <= s.score <= 1.0
    assert all(0.0 <= v <= 1.0 for v in s.components.values())
    assert set(s.components) == {"required_skills", "desired_skills", "title", "distance",
                                 "hours"}


def test_synonym_counts_as_a_required_skill() -> None:
    # "till operation" is "cash handling" only through the taxonomy.
    with_till = score_pair(cf(skills=["customer service", "till operation"]), vf(), CONFIG)
    without = score_pair(cf(skills=["customer service", "gardening"]), vf(), CONFIG)
    assert with_till.components["required_skills"] == 1.0
    assert without.components["required_skills"] == 0.5
    assert with_till.score > without.score


def test_better_fit_scores_higher() -> None:
    good = score_pair(cf(), vf(), CONFIG).score
    poor = score_pair(cf(skills=["welding"], desired_roles=["welder"]), vf(), CONFIG).score
    assert good >= CONFIG.threshold > poor


def test_closer_scores_higher() -> None:
    near = score_pair(cf(location={"lat": 52.4778, "lon": -1.8946}), vf(), CONFIG)
    far = score_pair(cf(location={"lat": 52.55, "lon": -1.8946}), vf(), CONFIG)
    assert near.components["distance"] > far.components["distance"]
    assert near.score > far.score


monitoring = st.one_of(
    st.just(DROP),
    st.fixed_dictionaries({}, optional={
        "ethnic_group": st.text(min_size=1, max_size=20),
        "disability": st.booleans(),
        "age_band": st.sampled_from(["16-17", "18-24", "25-49", "50+"]),
        "sex": st.text(min_size=1, max_size=10),
    }),
)


@settings(max_examples=25, deadline=None)
@given(monitoring)
def test_monitoring_changes_no_score_and_no_referral(data: Any) -> None:
    base = score_pair(cf(monitoring=DROP), vf(), CONFIG)
    assert score_pair(cf(monitoring=data), vf(), CONFIG) == base

    def run(m: Any) -> list[dict[str, Any]]:
        matcher = Matcher(MatchConfig(max_referrals_per_client=1))
        for i, lat in enumerate([52.48, 52.49, 52.50]):
            extra = {"monitoring": m} if i == 1 else {}
            matcher.upsert_client(client(client_id=f"c{i}", location={"lat": lat, "lon": -1.89},
                                         **extra), NOW)
        events = matcher.upsert_vacancy(vacancy(max_referrals=2), NOW + timedelta(seconds=1))
        return [e.model_dump(mode="json") for e in events]

    assert run(data) == run(DROP)
