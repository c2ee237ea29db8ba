"""The independent oracle: the contract's hard rules, computed from the TRUE attributes.

It deliberately shares no code with the engine: certifications are compared as the true
category sets the generator drew, not by parsing text, so an engine bug cannot hide behind an
oracle that makes the same mistake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from schemas import ClientProfile, Vacancy
from services.evaluation.geography import haversine_km

__all__ = ["BOUNDARY_KM", "Verdict", "judge"]

# Within this of the client's limit the pair is "ambiguous": spherical vs. ellipsoidal maths or a
# different earth radius could honestly put it either side, so it is neither scored nor blamed.
BOUNDARY_KM = 0.05


@dataclass(frozen=True)
class Verdict:
    violations: tuple[str, ...]
    ambiguous: str | None
    distance_km: float

    @property
    def eligible(self) -> bool:
        return not self.violations and self.ambiguous is None


def _hours(c: ClientProfile, v: Vacancy) -> tuple[bool, bool]:
    """(violates, ambiguous): disjoint ranges violate; ranges that only touch at an endpoint of
    both are ambiguous (closed-interval maths says they overlap, strict maths says not)."""
    if c.hours_per_week is None or v.hours_per_week is None:
        return False, False
    a, b = c.hours_per_week, v.hours_per_week
    lo, hi = max(a.min, b.min), min(a.max, b.max)
    if lo > hi:
        return True, False
    touching = lo == hi and a.min < a.max and b.min < b.max
    return False, touching


def judge(c: ClientProfile, v: Vacancy, c_certs: Iterable[str], v_certs: Iterable[str],
          today: date) -> Verdict:
    reasons = []
    if c.status != "job_ready":
        reasons.append("client_not_job_ready")
    if not c.consent_to_share:
        reasons.append("no_consent")
    # Spelled out rather than Vacancy.is_open_on: the oracle re-derives every rule itself.
    if v.status != "open" or (v.closing_date is not None and today > v.closing_date):
        reasons.append("vacancy_not_open")
    if v.requires_right_to_work and not c.right_to_work:
        reasons.append("no_right_to_work")
    if not set(v_certs) <= set(c_certs):
        reasons.append("missing_certification")
    distance = haversine_km(c.location.lat, c.location.lon, v.location.lat, v.location.lon)
    ambiguous = None
    if not v.remote:
        if distance > c.max_travel_km + BOUNDARY_KM:
            reasons.append("too_far")
        elif distance > c.max_travel_km - BOUNDARY_KM:
            ambiguous = "distance_boundary"
    bad_hours, touching = _hours(c, v)
    if bad_hours:
        reasons.append("hours_do_not_overlap")
    elif touching and ambiguous is None:
        ambiguous = "hours_touch"
    return Verdict(tuple(reasons), ambiguous if not reasons else None, distance)
