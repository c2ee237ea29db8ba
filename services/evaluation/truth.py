"""The true, noise-free attributes of each synthetic client and vacancy.

The generator decides these first and renders text from them afterwards, so the labels come
from what a person really can do, not from what their profile happens to say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from services.evaluation.certifications import IMPLIES
from services.evaluation.geography import TOWNS, Town, offset
from services.evaluation.occupations import HOURS_VACANCY, OCCUPATIONS, Occupation

__all__ = ["ClientTruth", "VacancyTruth", "close_certs", "draw_vacancy", "overlaps"]

Hours = tuple[float, float] | None
# Titles that name one certification; a vacancy uses them only when it asks for that one.
TITLE_FOR_CERT = {
    "flt_reach": "Reach Truck Driver", "flt_counterbalance": "Counterbalance Forklift Driver",
    "hgv_c1": "HGV Class 1 Driver", "sia_cctv": "CCTV Operator",
    "sia_door_supervisor": "Door Supervisor",
}
_CERT_TITLES = {*TITLE_FOR_CERT.values(), "HGV Class 2 Driver", "Class 1 Night Trunker"}


@dataclass
class VacancyTruth:
    id: str
    pool: str
    occupation: Occupation
    town: Town
    lat: float
    lon: float
    title: str
    required: tuple[str, ...]
    desired: tuple[str, ...]
    certs: frozenset[str]
    hours: Hours
    remote: bool
    status: str
    closing_date: date | None
    positions: int
    max_referrals: int | None  # None: left out, the contract's default applies
    requires_rtw: bool | None  # None: left out, default true
    stale_status: str | None = None  # an older version of the record, with this status
    rendered: dict[str, str] = field(default_factory=dict)  # concept -> text on the advert


@dataclass
class ClientTruth:
    pool: str
    occupation: Occupation
    plan: str  # fit / near_miss:<rule> / partial / background: for failure analysis only
    skills: set[str]
    certs: set[str]
    lat: float
    lon: float
    town: Town
    max_travel: float | None  # None: left out, default 15 km
    hours: Hours
    status: str = "job_ready"
    consent: bool = True
    rtw: bool = True
    secondary: Occupation | None = None
    stale_status: str | None = None
    id: str = ""
    rendered: dict[str, str] = field(default_factory=dict)  # concept -> text on the profile


def close_certs(certs: set[str]) -> set[str]:
    out = set(certs)
    for cert in certs:
        out.update(IMPLIES.get(cert, ()))
    return out


def overlaps(a: Hours, b: Hours) -> bool:
    return a is None or b is None or max(a[0], b[0]) <= min(a[1], b[1])


def _required_certs(rng: random.Random, occ: Occupation) -> frozenset[str]:
    roll = rng.random()
    for threshold, certs in occ.certs:
        if roll < threshold:
            # Not closed under IMPLIES: an advert asks for "HGV Class 1", not for Class 2 too.
            return frozenset(certs)
    return frozenset()


def _title(rng: random.Random, occ: Occupation, certs: frozenset[str]) -> str:
    for cert, title in TITLE_FOR_CERT.items():
        if cert in certs and title in occ.titles and rng.random() < 0.6:
            return title
    if "hgv_c2" in certs and "hgv_c1" not in certs and rng.random() < 0.6:
        return "HGV Class 2 Driver"
    generic = [t for t in occ.titles if t not in _CERT_TITLES]
    return rng.choice(generic)


def _requires_rtw(roll: float) -> bool | None:
    # Nearly every UK job needs right to work; a few schemes (e.g. volunteering) do not.
    if roll < 0.05:
        return False
    return True if roll < 0.5 else None


def draw_vacancy(rng: random.Random, vid: str, pool: str, today: date) -> VacancyTruth:
    occ = rng.choice(OCCUPATIONS)
    town = rng.choice(TOWNS)
    lat, lon = offset(town.lat, town.lon, rng.uniform(0, 6), rng.uniform(0, 360))
    n_req = min(len(occ.core), rng.choice((2, 2, 3)))
    required = tuple(rng.sample(occ.core, n_req))
    rest = [s for s in (*occ.core, *occ.extra) if s not in required]
    desired = tuple(rng.sample(rest, min(len(rest), rng.randint(0, 2))))
    certs = _required_certs(rng, occ)
    roll = rng.random()
    status, closing = "open", None
    if roll < 0.04:
        status = "closed"
    elif roll < 0.07:
        status = "filled"
    elif roll < 0.10:
        closing = date.fromordinal(today.toordinal() - rng.randint(1, 20))  # passed
    elif roll < 0.13:
        closing = today  # the closing day itself is still open
    elif roll < 0.55:
        closing = date.fromordinal(today.toordinal() + rng.randint(1, 60))
    positions = rng.choice((1, 1, 1, 2, 3))
    return VacancyTruth(
        id=vid, pool=pool, occupation=occ, town=town, lat=lat, lon=lon,
        title=_title(rng, occ, certs), required=required, desired=desired, certs=certs,
        hours=rng.choice(HOURS_VACANCY), remote=occ.remote_ok and rng.random() < 0.15,
        status=status, closing_date=closing, positions=positions,
        max_referrals=rng.randint(1, 6) if rng.random() < 0.3 else None,
        requires_rtw=_requires_rtw(rng.random()),
        stale_status="open" if status != "open" and rng.random() < 0.3 else None,
    )
