"""UK towns, postcodes and great-circle geometry for the synthetic data.

Pairs of neighbouring towns (Birmingham and Solihull, Leeds and Bradford, ...) are included on
purpose: real travel-to-work areas cross town boundaries, so distance must be computed, not
guessed from the town name.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["EARTH_RADIUS_KM", "TOWNS", "Town", "haversine_km", "offset", "postcode"]

# The IUGG mean radius; the contract says great-circle distance, so a sphere it is.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lon: float
    outward: tuple[str, ...]  # postcode districts, so addresses look like the town's


TOWNS: tuple[Town, ...] = (
    Town("Birmingham", 52.4862, -1.8904, ("B1", "B5", "B12", "B23", "B33", "B44")),
    Town("Solihull", 52.4118, -1.7776, ("B90", "B91", "B92", "B37")),
    Town("Wolverhampton", 52.5862, -2.1288, ("WV1", "WV2", "WV10", "WV14")),
    Town("Coventry", 52.4068, -1.5197, ("CV1", "CV2", "CV6")),
    Town("Manchester", 53.4808, -2.2426, ("M1", "M4", "M8", "M14", "M22")),
    Town("Salford", 53.4875, -2.2901, ("M5", "M6", "M7")),
    Town("Liverpool", 53.4084, -2.9916, ("L1", "L4", "L8", "L13")),
    Town("Leeds", 53.8008, -1.5491, ("LS1", "LS6", "LS9", "LS11")),
    Town("Bradford", 53.7950, -1.7594, ("BD1", "BD3", "BD8")),
    Town("Sheffield", 53.3811, -1.4701, ("S1", "S2", "S9")),
    Town("Newcastle upon Tyne", 54.9783, -1.6178, ("NE1", "NE4", "NE6", "NE15")),
    Town("Sunderland", 54.9069, -1.3838, ("SR1", "SR4", "SR5")),
    Town("Glasgow", 55.8642, -4.2518, ("G1", "G4", "G21", "G31", "G51")),
    Town("Paisley", 55.8456, -4.4239, ("PA1", "PA2", "PA3")),
    Town("Edinburgh", 55.9533, -3.1883, ("EH1", "EH6", "EH11")),
    Town("Cardiff", 51.4816, -3.1791, ("CF10", "CF11", "CF24", "CF5")),
    Town("Newport", 51.5842, -2.9977, ("NP19", "NP20")),
    Town("Swansea", 51.6214, -3.9436, ("SA1", "SA5")),
    Town("Bristol", 51.4545, -2.5879, ("BS1", "BS2", "BS5", "BS13")),
    Town("London", 51.5072, -0.1276, ("E1", "N7", "SE15", "SW9", "NW10")),
    Town("Luton", 51.8787, -0.4200, ("LU1", "LU2", "LU4")),
    Town("Nottingham", 52.9548, -1.1581, ("NG1", "NG5", "NG7")),
    Town("Leicester", 52.6369, -1.1398, ("LE1", "LE2", "LE4")),
    Town("Stoke-on-Trent", 53.0027, -2.1794, ("ST1", "ST4", "ST6")),
    Town("Hull", 53.7676, -0.3274, ("HU1", "HU3", "HU9")),
    Town("Middlesbrough", 54.5742, -1.2350, ("TS1", "TS3", "TS5")),
    Town("Blackpool", 53.8175, -3.0357, ("FY1", "FY3", "FY4")),
    Town("Plymouth", 50.3755, -4.1427, ("PL1", "PL4", "PL5")),
    Town("Belfast", 54.5973, -5.9301, ("BT1", "BT5", "BT12")),
    Town("Aberdeen", 57.1497, -2.0943, ("AB10", "AB16", "AB24")),
)

# Inward-code letters the Royal Mail allows (no C, I, K, M, O, V).
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def offset(lat: float, lon: float, distance_km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``distance_km`` away along ``bearing_deg`` on the sphere."""
    d = distance_km / EARTH_RADIUS_KM
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return round(math.degrees(p2), 6), round(math.degrees(l2), 6)


def postcode(rng: random.Random, town: Town) -> str:
    letters = rng.choice(_INWARD_LETTERS) + rng.choice(_INWARD_LETTERS)
    return f"{rng.choice(town.outward)} {rng.randint(1, 9)}{letters}"
