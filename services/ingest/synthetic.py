"""Synthetic, valid contract records for tests and benchmarks (no real people)."""

from __future__ import annotations

import json
import random
from typing import Any

__all__ = ["BAD_KINDS", "bad_client_line", "client_record", "vacancy_record"]

_SKILLS = ["forklift", "customer service", "warehouse picking", "food hygiene", "cash handling",
           "stock control", "cleaning", "driving", "care work", "Excel", "data entry"]
_CERTS = ["CSCS card", "Level 2 food safety", "SIA door supervisor licence", "HGV Class 1"]
_ROLES = ["warehouse operative", "picker", "cleaner", "care assistant", "retail assistant"]


def client_record(client_id: str, rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or random.Random(client_id)
    lo = float(rng.choice([0, 8, 16]))
    return {
        "client_id": client_id,
        "updated_at": "2026-11-20T09:30:00Z",
        "status": rng.choice(["job_ready", "job_ready", "paused"]),
        "skills": rng.sample(_SKILLS, 4),
        "certifications": rng.sample(_CERTS, 2),
        "desired_roles": rng.sample(_ROLES, 2),
        "location": {"lat": round(rng.uniform(50.5, 55.0), 4),
                     "lon": round(rng.uniform(-3.5, 0.5), 4), "postcode": "B1 1AA"},
        "max_travel_km": 20.0,
        "hours_per_week": {"min": lo, "max": 37.5},
        "right_to_work": True,
        "consent_to_share": rng.random() > 0.1,
        "languages": ["English"],
    }


def vacancy_record(vacancy_id: str, rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or random.Random(vacancy_id)
    return {
        "vacancy_id": vacancy_id,
        "employer_id": "emp-1",
        "employer_name": "Acme Logistics",
        "updated_at": "2026-11-20T09:30:00Z",
        "status": "open",
        "title": rng.choice(_ROLES),
        "description": "Shifts across the week.",
        "required_skills": rng.sample(_SKILLS, 2),
        "location": {"lat": 52.48, "lon": -1.89},
        "positions": 2,
    }


# Ten kinds of invalid client record, each with a fragment its dead letter's reason contains.
BAD_KINDS: dict[str, str] = {
    "bad_json": "invalid JSON",
    "unknown_field": "unknown field",
    "wrong_type": "right_to_work",
    "lat_range": "location.lat",
    "bad_id": "client_id",
    "missing_field": "consent_to_share",
    "bad_enum": "status",
    "naive_time": "offset",
    "oversized": "record too large",
    "too_many_skills": "skills",
}


def bad_client_line(kind: str, client_id: str) -> str:
    """One invalid JSON Lines line of the given kind (see ``BAD_KINDS``)."""
    rec = client_record(client_id)
    if kind == "bad_json":
        return json.dumps(rec)[:-5]
    if kind == "unknown_field":
        rec["skils"] = ["typo"]
    elif kind == "wrong_type":
        rec["right_to_work"] = "yes"
    elif kind == "lat_range":
        rec["location"]["lat"] = 95.0
    elif kind == "bad_id":
        rec["client_id"] = client_id + "/x y"
    elif kind == "missing_field":
        del rec["consent_to_share"]
    elif kind == "bad_enum":
        rec["status"] = "ready"
    elif kind == "naive_time":
        rec["updated_at"] = "2026-11-20T09:30:00"
    elif kind == "oversized":
        rec["programme"] = "x" * (300 * 1024)
    elif kind == "too_many_skills":
        rec["skills"] = [f"skill {i}" for i in range(101)]
    else:
        raise KeyError(kind)
    return json.dumps(rec)
