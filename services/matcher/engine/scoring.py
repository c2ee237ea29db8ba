"""How well an eligible pair fits: a score in 0..1 and the explanation behind it.

score = sum(weight_i * component_i) / sum(weight_i), over the components that are defined
for the pair (a vacancy with no desired skills has no "desired_skills" component):

- required_skills: mean over required skills of the best similarity to a client skill
- desired_skills:  the same over desired skills
- title: 0.6 * best desired-role fit (rapidfuzz token_set_ratio on normalised text)
         + 0.4 * cosine of hashed character n-grams (client roles+skills, vacancy title+text);
         the cosine alone when the client names no desired roles
- distance: 1 - distance / client's max_travel_km (1 for a remote vacancy)
- hours: overlap of the hour ranges relative to the narrower one (when both give hours)

Skill similarity (``phrase_similarity``, ``skill_similarity``) is measured in
_skill_similarity.py. A vacancy skill counts as matched only at
``MatchConfig.min_skill_similarity`` or above; below it scores 0 and is listed as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from schemas import Explanation, MatchedSkill
from services.matcher.engine._skill_similarity import (
    MEANING_MIN,
    phrase_similarity,
    skill_similarity,
)
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.eligibility import distance_km
from services.matcher.engine.features import (
    N_TEXT_FEATURES,
    ClientFeatures,
    FloatArray,
    TextVector,
    VacancyFeatures,
)

__all__ = [
    "MEANING_MIN",
    "Bound",
    "PairScore",
    "TextContext",
    "explain",
    "phrase_similarity",
    "score_bound",
    "score_bounded",
    "score_pair",
    "score_pair_from_client",
    "skill_similarity",
]

_ROLE_SHARE = 0.6


class TextContext:
    """One side's text vector spread into a dense array, so each pair's cosine is a gather and
    a dot product. Build one per vacancy (or client) being matched, not per pair."""

    def __init__(self, vector: TextVector) -> None:
        self._vector = vector
        self._dense: FloatArray | None = None  # built on first use: most records score none

    def cosine(self, other: TextVector) -> float:
        if other.indices.size == 0 or self._vector.indices.size == 0:
            return 0.0
        if self._dense is None:
            self._dense = np.zeros(N_TEXT_FEATURES, dtype=np.float64)
            self._dense[self._vector.indices] = self._vector.values
        return float(np.dot(self._dense[other.indices], other.values))


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    components: dict[str, float]
    distance_km: float
    # per vacancy skill (required then desired): (similarity, index of client skill or -1)
    required: tuple[tuple[float, int], ...]
    desired: tuple[tuple[float, int], ...]


def _title_fit(client: ClientFeatures, vacancy: VacancyFeatures, cosine: float) -> float:
    if not client.roles:
        return cosine
    return _ROLE_SHARE * _role_fit(vacancy.title, client.roles) + (1 - _ROLE_SHARE) * cosine


@lru_cache(maxsize=200_000)
def _role_fit(title: str, roles: tuple[str, ...]) -> float:
    # Titles and desired roles repeat ("warehouse operative"), and a streaming worker scores
    # the same client against the same vacancy again after every move: compute each once.
    return max(fuzz.token_set_ratio(title, r) for r in roles) / 100.0


def _hours_fit(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    if a is None or b is None:
        return None
    overlap = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    narrower = min(a[1] - a[0], b[1] - b[0])
    # +1 hour on both sides: a single agreed figure (20-20 vs 20-20) is a perfect fit.
    return min(1.0, (overlap + 1.0) / (narrower + 1.0))


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def score_pair(
    client: ClientFeatures,
    vacancy: VacancyFeatures,
    config: MatchConfig,
    text: TextContext | None = None,
    *,
    d_km: float | None = None,
) -> PairScore:
    """Score an (assumed eligible) pair. ``text``, the vacancy's ``TextContext``, saves time
    when many clients are scored against one vacancy; ``d_km``, ``distance_km`` of the pair
    when the caller has it already (the eligibility check measures it too)."""
    if text is None:
        text = TextContext(vacancy.vector)
    if d_km is None:
        d_km = distance_km(client, vacancy)
    return _score(client, vacancy, config, d_km,
                  _fit(client, vacancy, text.cosine(client.vector), d_km))


def score_pair_from_client(
    client: ClientFeatures, vacancy: VacancyFeatures, config: MatchConfig, text: TextContext
) -> PairScore:
    """As ``score_pair``, with ``text`` built from the client's vector."""
    d_km = distance_km(client, vacancy)
    return _score(client, vacancy, config, d_km,
                  _fit(client, vacancy, text.cosine(vacancy.vector), d_km))


@dataclass(frozen=True, slots=True)
class Bound:
    """What ``score_bound`` found: the bound, and the parts of the score it measured exactly
    (so that ``score_bounded`` need not measure them again)."""

    score: float
    d_km: float
    fit: dict[str, float]  # the title, distance and hours components


def score_bound(client: ClientFeatures, vacancy: VacancyFeatures, config: MatchConfig,
                text: TextContext, d_km: float) -> Bound:
    """An upper bound of the pair's ``score_pair`` score that compares no skills: the skill
    components at their most (1.0), the others exact.

    Never below the score, to the last bit: the same components are summed in the same order,
    each at least as large, and rounding to the nearest float, ``round`` and clipping are all
    monotone. So a candidate whose bound is below what the ranking needs can be passed over
    without changing any referral (``score_memo.ScoreMemo.best``)."""
    fit = _fit(client, vacancy, text.cosine(client.vector), d_km)
    components: dict[str, float] = {}
    if vacancy.required:
        components["required_skills"] = 1.0
    if vacancy.desired:
        components["desired_skills"] = 1.0
    components.update(fit)
    return Bound(_weighted(components, config), d_km, fit)


def score_bounded(client: ClientFeatures, vacancy: VacancyFeatures, config: MatchConfig,
                  bound: Bound) -> PairScore:
    """``score_pair`` of a pair ``score_bound`` measured: the same score, to the last bit."""
    return _score(client, vacancy, config, bound.d_km, bound.fit)


def _matched(found: tuple[float, int], bar: float) -> tuple[float, int]:
    return found if found[0] >= bar else (0.0, -1)


def _score(client: ClientFeatures, vacancy: VacancyFeatures, config: MatchConfig,
           d_km: float, fit: dict[str, float]) -> PairScore:
    # A skill matched below the bar is not matched: it is missing, and scores nothing.
    bar = config.min_skill_similarity
    required = tuple(_matched(skill_similarity(s, client), bar) for s in vacancy.required)
    desired = tuple(_matched(skill_similarity(s, client), bar) for s in vacancy.desired)
    # Each component clipped to 0..1 and rounded to 6 places (min/max inline: per pair).
    components: dict[str, float] = {}
    if required:
        components["required_skills"] = round(min(1.0, max(
            0.0, sum(s for s, _ in required) / len(required))), 6)
    if desired:
        components["desired_skills"] = round(min(1.0, max(
            0.0, sum(s for s, _ in desired) / len(desired))), 6)
    components.update(fit)
    return PairScore(_weighted(components, config), components, round(d_km, 3), required,
                     desired)


def _fit(client: ClientFeatures, vacancy: VacancyFeatures, cosine: float,
         d_km: float) -> dict[str, float]:
    """The components that need no skill comparison: title, distance, hours."""
    # Rounded so the same pair scores the same whichever side's dense vector was used.
    cosine = round(_clip(cosine), 6)
    fit = {
        "title": round(min(1.0, max(0.0, _title_fit(client, vacancy, cosine))), 6),
        "distance": round(min(1.0, max(
            0.0, 1.0 if vacancy.remote else 1.0 - d_km / client.max_travel_km)), 6),
    }
    hours = _hours_fit(client.hours, vacancy.hours)
    if hours is not None:
        fit["hours"] = round(min(1.0, max(0.0, hours)), 6)
    return fit


def _weighted(components: dict[str, float], config: MatchConfig) -> float:
    weights = config.weight_map
    total = sum(weights[k] for k in components)
    score = sum(weights[k] * v for k, v in components.items()) / total if total else 0.0
    return round(_clip(score), 6)


def explain(
    client: ClientFeatures,
    vacancy: VacancyFeatures,
    scored: PairScore,
    withdrawal_reason: str | None = None,
) -> Explanation:
    """The contract's explanation of a scored pair (built only for pairs actually referred)."""
    matched: list[MatchedSkill] = []
    missing: list[str] = []
    for skills, sims in ((vacancy.required, scored.required), (vacancy.desired, scored.desired)):
        for skill, (sim, which) in zip(skills, sims, strict=True):
            if which >= 0:
                matched.append(MatchedSkill(vacancy_skill=skill.text,
                                            client_skill=client.skills[which].text,
                                            similarity=round(sim, 4)))
            elif skills is vacancy.required:
                missing.append(skill.text)
    return Explanation(
        matched_skills=matched,
        missing_required_skills=missing,
        distance_km=scored.distance_km,
        components=scored.components,
        matched_certifications=[text for text, _ in vacancy.required_certs],
        withdrawal_reason=withdrawal_reason,
    )
