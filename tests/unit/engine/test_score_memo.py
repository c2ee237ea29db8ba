"""The score memo and the bound (score_memo.py, scoring.score_bound) change no output: a
randomized mixed stream of moves, erasures, status and consent changes, vacancy updates and
closures gives exactly the events of a matcher that scores every candidate afresh on every
fill; and the bound is never below the score."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from schemas import ClientProfile, Referral, Vacancy
from services.matcher.engine import MatchConfig, Matcher
from services.matcher.engine.eligibility import distance_km
from services.matcher.engine.features import ClientFeatures, FeaturesCache, VacancyFeatures
from services.matcher.engine.ranking import Scored
from services.matcher.engine.score_memo import ScoreMemo
from services.matcher.engine.scoring import (
    TextContext,
    score_bound,
    score_bounded,
    score_pair,
)
from tests.unit.engine.conftest import NOW, client, vacancy
from tests.unit.engine.conftest import cf as client_features

SKILLS = ["customer service", "cash handling", "stock replenishment", "forklift driving",
          "food hygiene", "data entry", "cleaning", "warehouse picking", "first aid"]
ROLES = ["retail assistant", "warehouse operative", "cleaner", "administrator"]
SPOTS = [(52.4862, -1.8904), (52.52, -1.95), (52.45, -1.80), (53.4808, -2.2426)]


class Afresh(Matcher):
    """The straightforward matcher: every fill scores every candidate (no memo)."""

    def _fill_candidates(self, vf: VacancyFeatures, taken: set[str]) -> list[Scored]:
        return self.score_candidates(
            vf, skip=lambda cid: cid in taken or self._client_room(cid) <= 0)


def _where(rng: random.Random) -> dict[str, float]:
    lat, lon = rng.choice(SPOTS)
    return {"lat": round(lat + rng.uniform(-0.05, 0.05), 5),
            "lon": round(lon + rng.uniform(-0.05, 0.05), 5)}


def _client(rng: random.Random, i: int, stamp: int) -> ClientProfile:
    return client(
        client_id=f"c{i}", updated_at=(NOW + timedelta(seconds=stamp)).isoformat(),
        status=rng.choice(["job_ready"] * 8 + ["placed", "paused"]),
        consent_to_share=rng.random() > 0.05, skills=rng.sample(SKILLS, rng.randint(2, 5)),
        certifications=[], desired_roles=rng.sample(ROLES, 1), location=_where(rng),
        max_travel_km=rng.choice([5, 10, 25]), hours_per_week={"min": 10, "max": 40})


def _vacancy(rng: random.Random, i: int, stamp: int) -> Vacancy:
    return vacancy(
        vacancy_id=f"v{i}", updated_at=(NOW + timedelta(seconds=stamp)).isoformat(),
        status=rng.choice(["open"] * 6 + ["closed"]), title=rng.choice(ROLES).title(),
        required_skills=rng.sample(SKILLS, rng.randint(1, 2)),
        desired_skills=rng.sample(SKILLS, 1), location=_where(rng),
        max_referrals=rng.randint(1, 4), closing_date="2099-12-31")


def _stream(seed: int, n: int) -> list[tuple[str, Any]]:
    rng = random.Random(seed)
    ops: list[tuple[str, Any]] = []
    for stamp in range(1, n + 1):
        roll = rng.random()
        if roll < 0.55:
            ops.append(("client", _client(rng, rng.randrange(40), stamp)))
        elif roll < 0.85:
            ops.append(("vacancy", _vacancy(rng, rng.randrange(15), stamp)))
        elif roll < 0.95:
            ops.append(("erase_client", f"c{rng.randrange(40)}"))
        else:
            ops.append(("erase_vacancy", f"v{rng.randrange(15)}"))
    return ops


def _run(m: Matcher, ops: list[tuple[str, Any]]) -> list[list[dict[str, Any]]]:
    out: list[list[Referral]] = []
    for kind, arg in ops:
        if kind == "client":
            out.append(m.upsert_client(arg, NOW))
        elif kind == "vacancy":
            out.append(m.upsert_vacancy(arg, NOW))
        elif kind == "erase_client":
            out.append(m.erase_client(arg, NOW))
        else:
            out.append(m.erase_vacancy(arg, NOW))
    return [[r.model_dump(mode="json") for r in events] for events in out]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("memo_entries", [50_000, 20])  # 20: tables evicted all the time
def test_memo_gives_the_same_events_as_scoring_afresh(seed: int, memo_entries: int) -> None:
    config = MatchConfig(max_referrals_per_client=2)  # clients run out of room: skips
    ops = _stream(seed, 1500)
    memo = Matcher(config, features=FeaturesCache(), memo_entries=memo_entries)
    expected = _run(Afresh(config, features=FeaturesCache()), ops)
    got = _run(memo, ops)
    assert sum(len(e) for e in expected) > 300  # the stream does refer and withdraw
    assert got == expected
    assert memo._memo.hits > 0  # the memo was used, not bypassed
    assert memo._memo.pruned > 0  # and the bound passed some candidates over


@pytest.mark.parametrize("seed", [4, 5])
def test_the_bound_is_never_below_the_score_and_completes_to_it(seed: int) -> None:
    rng = random.Random(seed)
    config = MatchConfig()
    pairs = 0
    for i in range(400):
        cf = ClientFeatures.from_profile(_client(rng, i, i))
        vf = VacancyFeatures.from_vacancy(_vacancy(rng, i, i))
        text = TextContext(vf.vector)
        d_km = distance_km(cf, vf)
        bound = score_bound(cf, vf, config, text, d_km)
        exact = score_pair(cf, vf, config, text)
        assert bound.score >= exact.score
        assert score_bounded(cf, vf, config, bound) == exact
        pairs += exact.score > 0.5
    assert pairs > 20  # good fits among them, not only poor ones


def test_memo_table_is_only_kept_for_the_same_vacancy_features() -> None:
    memo = ScoreMemo(max_entries=2)
    a, b, c = (VacancyFeatures.from_vacancy(vacancy(vacancy_id=v)) for v in "abc")
    held = client_features()
    memo.keep(a, ({"c": held}, {"c": 0.5}))
    assert memo.table(a) == ({"c": held}, {"c": 0.5}) and len(memo) == 1
    memo.keep(b, ({"c": held}, {"c": 0.5}))
    memo.keep(c, ({"c": held}, {"c": 0.5}))
    assert len(memo) == 2 and memo.entries == 2
    assert memo.table(a) == ({}, {})  # the least recently filled went
    newer = VacancyFeatures.from_vacancy(vacancy(vacancy_id="b", title="Other"))
    assert memo.table(newer) == ({}, {})  # an updated vacancy never sees the old scores
