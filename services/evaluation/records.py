"""Render true clients and vacancies as contract records (plain dicts, JSON-ready).

Only contract fields go into a record: the pool tag and the truth stay in ``labels.json``,
because the contract refuses unknown fields.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from services.evaluation.certifications import CERTS
from services.evaluation.geography import postcode
from services.evaluation.render import Noise, phrase
from services.evaluation.truth import ClientTruth, VacancyTruth
from services.evaluation.vocabulary import SKILLS, SOFT_SKILLS, Phrasings

__all__ = ["client_record", "vacancy_record"]

_CLIENT_NOISE = Noise(typo_rate=0.12, lower_rate=0.4, upper_rate=0.05)
_CLIENT_CERT_NOISE = Noise(typo_rate=0.05, lower_rate=0.3, upper_rate=0.05)
_EMPLOYER_NOISE = Noise(typo_rate=0.03, lower_rate=0.3, upper_rate=0.0)
_JOINERS = (", ", " and ", " & ", " / ")
_CERT_SUFFIXES = (" (in date)", " - current", " (valid until 2027)", " - held 3 yrs")
_LANGUAGES = ("Polish", "Urdu", "Punjabi", "Welsh", "Arabic", "Romanian", "Somali", "Bengali",
              "Gaelic", "Portuguese", "Tigrinya")
_PROGRAMMES = ("Sector-based work academy (warehousing)", "Sector-based work academy (care)",
               "Restart Scheme", "Youth Guarantee", "Movement to Work", "WorkWell")
_ETHNIC = ("White British", "White Other", "Asian or Asian British - Pakistani",
           "Asian or Asian British - Indian", "Black or Black British - African",
           "Black or Black British - Caribbean", "Mixed", "Chinese", "Arab",
           "Prefer not to say")
_AGE = ("16-17", "18-24", "25-34", "35-49", "50-64", "65+")
_SEX = ("Female", "Male", "Prefer not to say")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _location(rng: random.Random, lat: float, lon: float, town: Any, p: float) -> dict[str, Any]:
    loc: dict[str, Any] = {"lat": lat, "lon": lon}
    if rng.random() < p:
        loc["postcode"] = postcode(rng, town)
    return loc


def _hours(h: tuple[float, float]) -> dict[str, float]:
    return {"min": float(h[0]), "max": float(h[1])}


def _client_skills(rng: random.Random, c: ClientTruth) -> list[str]:
    concepts = sorted(c.skills)
    rng.shuffle(concepts)
    items: list[str] = []
    for concept in concepts:
        text = _CLIENT_NOISE.apply(rng, phrase(rng, SKILLS[concept], c.pool))
        c.rendered[concept] = text
        # People often type two skills in one box; the matcher has to split them.
        if items and rng.random() < 0.08:
            items[-1] = items[-1] + rng.choice(_JOINERS) + text
        else:
            items.append(text)
    items += rng.sample(SOFT_SKILLS, rng.randint(0, 3))
    rng.shuffle(items)
    return items


def _client_certs(rng: random.Random, c: ClientTruth) -> list[str]:
    items = []
    for cert in sorted(c.certs):
        text = _CLIENT_CERT_NOISE.apply(rng, phrase(rng, CERTS[cert], c.pool))
        if rng.random() < 0.08:
            text += rng.choice(_CERT_SUFFIXES)
        c.rendered[cert] = text
        items.append(text)
    rng.shuffle(items)
    return items


def _monitoring(rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.3:
        return None
    full = {"ethnic_group": rng.choice(_ETHNIC), "disability": rng.random() < 0.25,
            "age_band": rng.choice(_AGE), "sex": rng.choice(_SEX)}
    return {k: v for k, v in full.items() if rng.random() < 0.85}


def client_record(rng: random.Random, c: ClientTruth, updated: datetime,
                  status: str | None = None) -> dict[str, Any]:
    roles = [c.occupation.titles[0], rng.choice(c.occupation.titles)]
    if c.secondary is not None:
        roles.append(rng.choice(c.secondary.titles))
    record: dict[str, Any] = {
        "client_id": c.id, "updated_at": _stamp(updated), "status": status or c.status,
        "skills": _client_skills(rng, c), "certifications": _client_certs(rng, c),
        "desired_roles": [_CLIENT_NOISE.apply(rng, r) for r in dict.fromkeys(roles)],
        "location": _location(rng, c.lat, c.lon, c.town, 0.5),
        "right_to_work": c.rtw, "consent_to_share": c.consent,
    }
    if c.max_travel is not None:
        record["max_travel_km"] = c.max_travel
    if c.hours is not None:
        record["hours_per_week"] = _hours(c.hours)
    if rng.random() < 0.7:
        record["languages"] = ["English", *rng.sample(_LANGUAGES, rng.choice((0, 0, 1, 2)))]
    if rng.random() < 0.2:
        record["programme"] = rng.choice(_PROGRAMMES)
    monitoring = _monitoring(rng)
    if monitoring is not None:
        record["monitoring"] = monitoring
    return record


def _description(v: VacancyTruth, skills: list[str], employer: str) -> str:
    where = "working from home" if v.remote else f"based in {v.town.name}"
    article = "an" if v.title[0] in "AEIOU" else "a"
    return (f"{employer} is recruiting {article} {v.title}, {where}. "
            f"You will need: {'; '.join(skills)}. Full training and uniform provided; "
            "we welcome applicants returning to work and those with no formal qualifications.")


def vacancy_record(rng: random.Random, v: VacancyTruth, employer: tuple[str, str],
                   updated: datetime, status: str | None = None) -> dict[str, Any]:
    def text(table: dict[str, Phrasings], concept: str, noise: bool = True) -> str:
        out = phrase(rng, table[concept], v.pool, 0.5)
        v.rendered[concept] = out = _EMPLOYER_NOISE.apply(rng, out) if noise else out
        return out

    req = [text(SKILLS, s) for s in v.required]
    des = [text(SKILLS, s) for s in v.desired]
    certs = [text(CERTS, c, noise=False) for c in sorted(v.certs)]
    record: dict[str, Any] = {
        "vacancy_id": v.id, "employer_id": employer[0], "employer_name": employer[1],
        "updated_at": _stamp(updated), "status": status or v.status, "title": v.title,
        "description": _description(v, req, employer[1]), "required_skills": req,
        "desired_skills": des, "required_certifications": certs,
        "location": _location(rng, v.lat, v.lon, v.town, 0.6),
    }
    if v.remote or rng.random() < 0.2:
        record["remote"] = v.remote
    if v.hours is not None:
        record["hours_per_week"] = _hours(v.hours)
    if v.positions > 1 or rng.random() < 0.5:
        record["positions"] = v.positions
    if v.max_referrals is not None:
        record["max_referrals"] = v.max_referrals
    if v.closing_date is not None:
        record["closing_date"] = v.closing_date.isoformat()
    if v.requires_rtw is not None:
        record["requires_right_to_work"] = v.requires_rtw
    return record


def older(moment: datetime, rng: random.Random) -> datetime:
    return moment - timedelta(days=rng.randint(1, 30), seconds=rng.randint(1, 3600))
