"""Deterministic synthetic clients and vacancies around UK cities, for the integration tests
and the benchmark (bench/bench_matcher.py imports this)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["CITIES", "clients", "vacancies"]

CITIES = [  # name, lat, lon
    ("birmingham", 52.4862, -1.8904), ("manchester", 53.4808, -2.2426),
    ("leeds", 53.8008, -1.5491), ("glasgow", 55.8642, -4.2518),
    ("london", 51.5072, -0.1276), ("bristol", 51.4545, -2.5879),
    ("cardiff", 51.4816, -3.1791), ("newcastle", 54.9783, -1.6178),
]
SKILLS = [
    "customer service", "cash handling", "stock replenishment", "forklift driving",
    "food hygiene", "data entry", "microsoft excel", "cleaning", "warehouse picking",
    "team leadership", "telephone sales", "care of older people", "cooking", "driving",
    "bookkeeping", "carpentry", "painting and decorating", "plumbing", "security",
    "first aid",
]
ROLES = ["retail assistant", "warehouse operative", "care assistant", "cleaner",
         "administrator", "kitchen assistant", "sales advisor", "security officer"]
BASE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _where(rng: random.Random, spread: float = 0.12) -> tuple[float, float]:
    _name, lat, lon = rng.choice(CITIES)
    dlat, dlon = rng.uniform(-spread, spread), rng.uniform(-spread, spread)
    return round(lat + dlat, 5), round(lon + dlon, 5)


def clients(prefix: str, n: int, seed: int = 1, *, minutes: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lat, lon = _where(rng)
        out.append({
            "client_id": f"{prefix}c{i}",
            "updated_at": (BASE + timedelta(minutes=minutes, seconds=i)).isoformat(),
            "status": "job_ready",
            "skills": rng.sample(SKILLS, rng.randint(2, 6)),
            "certifications": [],
            "desired_roles": rng.sample(ROLES, 2),
            "location": {"lat": lat, "lon": lon},
            "max_travel_km": float(rng.choice([5, 10, 15, 25, 40])),
            "right_to_work": True,
            "consent_to_share": True,
        })
    return out


def vacancies(prefix: str, n: int, seed: int = 2, *, minutes: int = 0,
              remote_every: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lat, lon = _where(rng)
        role = rng.choice(ROLES)
        out.append({
            "vacancy_id": f"{prefix}v{i}",
            "employer_id": f"emp-{i % 50}",
            "employer_name": f"Employer {i % 50}",
            "updated_at": (BASE + timedelta(minutes=minutes, seconds=i)).isoformat(),
            "status": "open",
            "title": role.title(),
            "required_skills": rng.sample(SKILLS, 2),
            "desired_skills": rng.sample(SKILLS, 2),
            "location": {"lat": lat, "lon": lon},
            "remote": bool(remote_every) and i % remote_every == 0,
            "positions": rng.randint(1, 2),
            "closing_date": "2099-12-31",
        })
    return out
