"""The contract's hard rules (CONTRACT.md, "Hard rules"), exactly, and nothing else.

A pair that breaks one is never referred, whatever its score. Each function returns ``None``
when the pair is eligible, or a short reason that becomes a withdrawal's ``withdrawal_reason``.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.matcher.engine.features import ClientFeatures, VacancyFeatures
from services.matcher.engine.geo import haversine_km

__all__ = [
    "client_reason",
    "distance_km",
    "ineligibility_reason",
    "is_eligible",
    "london_today",
    "pair_reason",
    "vacancy_reason",
]

_LONDON = ZoneInfo("Europe/London")


def london_today(now: datetime) -> date:
    """Closing dates are UK calendar dates: "today" is the date in London at ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(_LONDON).date()


def client_reason(client: ClientFeatures) -> str | None:
    """Rules about the client alone."""
    if client.status != "job_ready":
        return f"client {client.status}"
    if not client.consent_to_share:
        return "client consent withdrawn"
    return None


def vacancy_reason(vacancy: VacancyFeatures, today: date) -> str | None:
    """Rules about the vacancy alone."""
    if vacancy.status != "open":
        return f"vacancy {vacancy.status}"
    if vacancy.closing_date is not None and today > vacancy.closing_date:
        return "vacancy closing date passed"
    return None


def distance_km(client: ClientFeatures, vacancy: VacancyFeatures) -> float:
    return haversine_km(client.lat, client.lon, vacancy.lat, vacancy.lon)


def pair_reason(client: ClientFeatures, vacancy: VacancyFeatures,
                d_km: float | None = None) -> str | None:
    """Rules about the pair, once each side passed its own; ``d_km``: ``distance_km`` of the
    pair when the caller measured it already."""
    if vacancy.requires_right_to_work and not client.right_to_work:
        return "no right to work"
    for text, key in vacancy.required_certs:
        if key not in client.cert_keys:
            return f"missing required certification: {text}"
    if not vacancy.remote and (distance_km(client, vacancy) if d_km is None
                               else d_km) > client.max_travel_km:
        return "beyond travel distance"
    if client.hours is not None and vacancy.hours is not None:
        (c_lo, c_hi), (v_lo, v_hi) = client.hours, vacancy.hours
        if max(c_lo, v_lo) > min(c_hi, v_hi):
            return "hours do not overlap"
    return None


def ineligibility_reason(
    client: ClientFeatures, vacancy: VacancyFeatures, today: date
) -> str | None:
    """``None`` when the pair may be referred, else the first hard rule it breaks."""
    return client_reason(client) or vacancy_reason(vacancy, today) or pair_reason(client, vacancy)


def is_eligible(client: ClientFeatures, vacancy: VacancyFeatures, today: date) -> bool:
    return ineligibility_reason(client, vacancy, today) is None
