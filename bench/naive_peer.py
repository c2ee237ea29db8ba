"""The naive peer: every vacancy against every client, fuzzy-scored pair by pair.

It scores fit with rapidfuzz ``token_set_ratio`` for every (required skill, client skill) pair
of every (vacancy, client) pair, applies the contract's hard rules (status, consent, closing
date, right to work, certifications, distance, hours), then takes the top ``max_referrals`` per
vacancy. No index, no taxonomy: the baseline a matcher must beat by a wide margin.

``prefilter=True`` is a stronger peer than the issue's: it checks the cheap hard rules first and
scores only the pairs that pass. The benchmark reports against both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

from rapidfuzz import fuzz

from schemas import ClientProfile, Vacancy

__all__ = ["naive_match"]

CERT_MATCH = 90.0  # token_set_ratio at or above which a held certification counts
THRESHOLD = 0.5


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _eligible(c: ClientProfile, v: Vacancy) -> bool:
    if v.requires_right_to_work and not c.right_to_work:
        return False
    if not v.remote and _km(c.location.lat, c.location.lon,
                            v.location.lat, v.location.lon) > c.max_travel_km:
        return False
    if c.hours_per_week and v.hours_per_week and max(
            c.hours_per_week.min, v.hours_per_week.min) > min(
            c.hours_per_week.max, v.hours_per_week.max):
        return False
    held = [h.lower() for h in c.certifications]
    return all(any(fuzz.token_set_ratio(r.lower(), h) >= CERT_MATCH for h in held)
               for r in v.required_certifications)


def _score(c: ClientProfile, v: Vacancy) -> float:
    wanted = v.required_skills or v.desired_skills
    if not wanted:
        return 0.0
    skills = [s.lower() for s in c.skills]
    best = [max((fuzz.token_set_ratio(w.lower(), s) for s in skills), default=0.0) / 100
            for w in wanted]
    return sum(best) / len(best)


def naive_match(clients: Iterable[ClientProfile], vacancies: Sequence[Vacancy],
                today: date, *, prefilter: bool = False) -> list[tuple[str, str, float]]:
    """(vacancy_id, client_id, score) for the top max_referrals eligible clients per vacancy."""
    everyone = list(clients)
    out: list[tuple[str, str, float]] = []
    for v in vacancies:
        vacancy_open = v.status == "open" and (v.closing_date is None or today <= v.closing_date)
        if prefilter and not vacancy_open:
            continue
        scored = []
        for c in everyone:
            if prefilter:
                if not (c.status == "job_ready" and c.consent_to_share and _eligible(c, v)):
                    continue
                s = _score(c, v)
            else:
                s = _score(c, v)
                if not (vacancy_open and c.status == "job_ready" and c.consent_to_share
                        and _eligible(c, v)):
                    continue
            if s >= THRESHOLD:
                scored.append((s, c.client_id))
        scored.sort(key=lambda t: (-t[0], t[1]))
        out += [(v.vacancy_id, cid, s) for s, cid in scored[: v.max_referrals]]
    return out
