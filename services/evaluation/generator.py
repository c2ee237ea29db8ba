"""Generate a labelled evaluation set: clients, vacancies, and the truth behind them.

Deterministic for a seed. Per vacancy it plants fitting clients (0-8, so some vacancies have
more than max_referrals and recall must be capped), near misses that break one hard rule, and
partial fits lacking one must-have skill; background clients fill the rest. About 3% of
records also appear in an older version (sometimes later in the file) to exercise
"latest updated_at wins".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.evaluation import clients as draw
from services.evaluation.records import client_record, older, vacancy_record
from services.evaluation.render import HELD_OUT, SEEN
from services.evaluation.truth import ClientTruth, VacancyTruth, draw_vacancy

__all__ = ["DEFAULT_NOW", "Generated", "generate"]

DEFAULT_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_FIT_COUNTS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8)
_PREFIXES = ("Midland", "Northern", "Crown", "Evergreen", "Riverside", "Apex", "Harbour", "Oak",
             "Summit", "Meadow", "Brightway", "Castle", "Unity", "Kingfisher")
_NOUNS = {"retail_assistant": "Retail", "warehouse_operative": "Logistics",
          "forklift_driver": "Distribution", "care_assistant": "Care Homes",
          "kitchen_assistant": "Catering", "front_of_house": "Hospitality",
          "security_officer": "Security Services", "construction_labourer": "Construction",
          "hgv_driver": "Haulage", "delivery_driver": "Couriers",
          "admin_assistant": "Business Services", "cleaner": "Cleaning Services",
          "contact_centre": "Contact Solutions", "production_operative": "Foods"}
_SUFFIXES = ("Ltd", "Limited", "plc", "Group", "CIC")


@dataclass
class Generated:
    clients: list[dict[str, Any]]  # records in file order, older versions included
    vacancies: list[dict[str, Any]]
    truth: dict[str, Any]  # {"clients": {id: ...}, "vacancies": {id: ...}}
    now: datetime
    seed: int


def _pool(rng: random.Random, held_out_rate: float) -> str:
    return HELD_OUT if rng.random() < held_out_rate else SEEN


def _plan_clients(rng: random.Random, vacancies: list[VacancyTruth], n: int,
                  held_out_rate: float) -> list[ClientTruth]:
    budget = int(0.6 * n)  # the rest are background, as in a real caseload
    planned: list[ClientTruth] = []
    for v in vacancies:
        wanted = [draw.fit] * rng.choice(_FIT_COUNTS) + [draw.near_miss] * rng.randint(1, 2)
        wanted += [draw.partial] * rng.randint(0, 1)
        for make in wanted:
            if len(planned) >= budget:
                break
            planned.append(make(rng, v, _pool(rng, held_out_rate)))
    planned += [draw.background(rng, _pool(rng, held_out_rate)) for _ in range(n - len(planned))]
    rng.shuffle(planned)  # ids must not reveal how a client was planned
    for i, client in enumerate(planned):
        client.id = f"cl-{i:06d}"
        if rng.random() < 0.03:
            client.stale_status = ("job_ready" if client.status != "job_ready"
                                   else rng.choice(("paused", "placed", "withdrawn")))
    return planned


def _with_stale(rng: random.Random, current: dict[str, Any], stale: dict[str, Any] | None,
                out: list[dict[str, Any]]) -> None:
    if stale is None:
        out.append(current)
    elif rng.random() < 0.5:
        out += [stale, current]
    else:
        out += [current, stale]  # out of order: the older one arrives last and must lose


def _employer(rng: random.Random, v: VacancyTruth, known: dict[str, str]) -> tuple[str, str]:
    name = (f"{rng.choice(_PREFIXES)} {_NOUNS[v.occupation.id]} "
            f"{rng.choice(_SUFFIXES)}")
    eid = known.setdefault(name, f"emp-{len(known):05d}")
    return eid, name


def generate(n_clients: int, n_vacancies: int, seed: int, held_out_rate: float = 0.3,
             now: datetime = DEFAULT_NOW) -> Generated:
    rng = random.Random(seed)
    today = now.date()
    vacancies = [draw_vacancy(rng, f"vac-{i:05d}", _pool(rng, held_out_rate), today)
                 for i in range(n_vacancies)]
    planned = _plan_clients(rng, vacancies, n_clients, held_out_rate)

    client_rows: list[dict[str, Any]] = []
    for c in planned:
        updated = now - timedelta(days=rng.randint(0, 90), seconds=rng.randint(60, 86_000))
        stale = None
        if c.stale_status:  # rendered first so `rendered` keeps the current version's text
            stale = client_record(rng, c, older(updated, rng), c.stale_status)
        _with_stale(rng, client_record(rng, c, updated), stale, client_rows)

    vacancy_rows: list[dict[str, Any]] = []
    employers: dict[str, str] = {}
    for v in vacancies:
        employer = _employer(rng, v, employers)
        updated = now - timedelta(days=rng.randint(0, 30), seconds=rng.randint(60, 86_000))
        stale = None
        if v.stale_status:
            stale = vacancy_record(rng, v, employer, older(updated, rng), v.stale_status)
        _with_stale(rng, vacancy_record(rng, v, employer, updated), stale, vacancy_rows)

    truth = {
        "clients": {c.id: {"pool": c.pool, "occupation": c.occupation.id, "plan": c.plan,
                           "skills": sorted(c.skills), "certs": sorted(c.certs),
                           "rendered": c.rendered} for c in planned},
        "vacancies": {v.id: {"pool": v.pool, "occupation": v.occupation.id,
                             "required_skills": list(v.required),
                             "desired_skills": list(v.desired),
                             "required_certs": sorted(v.certs),
                             "rendered": v.rendered} for v in vacancies},
    }
    return Generated(client_rows, vacancy_rows, truth, now, seed)
