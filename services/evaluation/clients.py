"""Draw the true attributes of clients: fitting, near-miss, partial and background ones.

Per vacancy the generator plants clients that fit it, clients that fit but break exactly one
hard rule (the tempting errors), and clients who lack one must-have skill. Background clients
fill the rest at random, so most pairs are plain mismatches as in real caseloads.
"""

from __future__ import annotations

import random

from services.evaluation.certifications import IMPLIES, LOOK_ALIKES
from services.evaluation.geography import TOWNS, offset
from services.evaluation.occupations import HOURS_CLIENT, OCCUPATIONS, Occupation
from services.evaluation.truth import ClientTruth, VacancyTruth, close_certs, overlaps

__all__ = ["NEAR_MISS_RULES", "background", "fit", "near_miss", "partial"]

NEAR_MISS_RULES = ("far", "status", "consent", "right_to_work", "hours", "cert_look_alike",
                   "cert_missing")
_TRAVEL = (3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0)
_TRAVEL_W = (2, 5, 8, 10, 8, 6, 4, 3, 1, 1)
_NOT_READY = ("paused", "placed", "withdrawn")


def _travel(rng: random.Random) -> float | None:
    return None if rng.random() < 0.3 else rng.choices(_TRAVEL, _TRAVEL_W)[0]


def _skills(rng: random.Random, occ: Occupation, core_p: float) -> set[str]:
    skills = {s for s in occ.core if rng.random() < core_p}
    skills.update(s for s in occ.extra if rng.random() < 0.35)
    return skills or {rng.choice(occ.core)}


def _certs(rng: random.Random, occ: Occupation) -> set[str]:
    certs = {c for c, p in occ.holds.items() if rng.random() < p}
    if rng.random() < 0.3:
        certs.add("cat_b")
    if rng.random() < 0.05:
        certs.add("emergency_first_aid")
    return close_certs(certs)


def _client(rng: random.Random, occ: Occupation, pool: str, plan: str) -> ClientTruth:
    town = rng.choice(TOWNS)
    lat, lon = offset(town.lat, town.lon, rng.uniform(0, 8), rng.uniform(0, 360))
    client = ClientTruth(pool=pool, occupation=occ, plan=plan, skills=_skills(rng, occ, 0.6),
                         certs=_certs(rng, occ), lat=lat, lon=lon, town=town,
                         max_travel=_travel(rng), hours=rng.choice(HOURS_CLIENT))
    if rng.random() < 0.15:  # career changers carry a second trade's skills
        other = rng.choice([o for o in OCCUPATIONS if o is not occ])
        client.secondary = other
        client.skills.update(rng.sample(other.core, min(2, len(other.core))))
    return client


def background(rng: random.Random, pool: str) -> ClientTruth:
    client = _client(rng, rng.choice(OCCUPATIONS), pool, "background")
    roll = rng.random()
    if roll < 0.15:
        client.status = _NOT_READY[int(roll / 0.05)]
    client.consent = rng.random() >= 0.04
    client.rtw = rng.random() >= 0.04
    return client


def fit(rng: random.Random, v: VacancyTruth, pool: str, plan: str = "fit") -> ClientTruth:
    """A job-ready client who meets every hard rule and has every must-have skill."""
    client = _client(rng, v.occupation, pool, plan)
    client.skills.update(v.required)
    client.certs = close_certs(client.certs | v.certs)
    client.hours = rng.choice([h for h in HOURS_CLIENT if _comfortably(h, v.hours)])
    if v.remote:
        return client  # anywhere in the country: a remote job ignores distance
    reach = client.max_travel or 15.0
    client.lat, client.lon = offset(v.lat, v.lon, rng.uniform(0.2, 0.85 * reach),
                                    rng.uniform(0, 360))
    client.town = v.town
    return client


def _comfortably(h: tuple[float, float] | None, v: tuple[float, float] | None) -> bool:
    # Overlapping by more than a touching endpoint, so the label never hinges on < vs <=.
    if h is None or v is None:
        return True
    return max(h[0], v[0]) < min(h[1], v[1]) or h[0] <= v[0] == v[1] <= h[1]


def partial(rng: random.Random, v: VacancyTruth, pool: str) -> ClientTruth:
    """Fits in every way but one: a must-have skill is missing. Not a referral."""
    client = fit(rng, v, pool, "partial")
    lacking = rng.choice(v.required)
    client.skills.discard(lacking)
    if not client.skills:
        client.skills.add(rng.choice([s for s in v.occupation.core if s != lacking]
                                     or ["customer_service"]))
    return client


def near_miss(rng: random.Random, v: VacancyTruth, pool: str) -> ClientTruth:
    """Fits the role but breaks exactly one hard rule: referring them is the worst error."""
    rules = ["status", "consent"]
    if not v.remote:
        rules.append("far")
    if v.requires_rtw is not False:
        rules.append("right_to_work")
    if v.hours is not None and any(h and not overlaps(h, v.hours) for h in HOURS_CLIENT):
        rules.append("hours")
    if v.certs:
        rules += ["cert_look_alike", "cert_look_alike", "cert_missing"]
    rule = rng.choice(rules)
    client = fit(rng, v, pool, f"near_miss:{rule}")
    if rule == "far":
        reach = client.max_travel or 15.0
        client.lat, client.lon = offset(v.lat, v.lon, rng.uniform(1.1 * reach, 1.1 * reach + 30),
                                        rng.uniform(0, 360))
    elif rule == "status":
        client.status = rng.choice(_NOT_READY)
    elif rule == "consent":
        client.consent = False
    elif rule == "right_to_work":
        client.rtw = False
    elif rule == "hours":
        client.hours = rng.choice([h for h in HOURS_CLIENT if h and not overlaps(h, v.hours)])
    else:
        _break_cert(rng, client, v, look_alike=rule == "cert_look_alike")
    return client


def _break_cert(rng: random.Random, client: ClientTruth, v: VacancyTruth,
                look_alike: bool) -> None:
    target = rng.choice(sorted(v.certs))
    implying = {c for c, implied in IMPLIES.items() if target in implied}
    client.certs -= {target, *implying}
    if look_alike:
        candidate = close_certs(client.certs | {rng.choice(LOOK_ALIKES[target])})
        if target not in candidate:
            client.certs = candidate
