"""Distances on the Earth, and the grid cells the candidate index is built on."""

from __future__ import annotations

import math

__all__ = ["CELL_DEGREES", "EARTH_RADIUS_KM", "cell_of", "cells_within", "haversine_km"]

# IUGG mean Earth radius, the figure the contract's great-circle rule is measured with.
EARTH_RADIUS_KM = 6371.0088
# 0.25 degrees is ~28 km north-south: a 15 km radius touches at most a few cells.
CELL_DEGREES = 0.25
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0

Cell = tuple[int, int]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_N_LON = round(360 / CELL_DEGREES)
_HALF = _N_LON // 2


def _wrap(lon_cell: int) -> int:
    return ((lon_cell + _HALF) % _N_LON) - _HALF


def cell_of(lat: float, lon: float) -> Cell:
    return math.floor(lat / CELL_DEGREES), _wrap(math.floor(lon / CELL_DEGREES))


def cells_within(lat: float, lon: float, radius_km: float) -> list[Cell]:
    """Every cell that may hold a point within ``radius_km`` (a superset: a bounding box)."""
    dlat = radius_km / _KM_PER_DEGREE
    # Longitude degrees shrink towards the poles; take the widest latitude in the box.
    widest = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, radius_km / (_KM_PER_DEGREE * math.cos(math.radians(widest))))
    lat0 = math.floor(max(-90.0, lat - dlat) / CELL_DEGREES)
    lat1 = math.floor(min(90.0, lat + dlat) / CELL_DEGREES)
    lon0 = math.floor((lon - dlon) / CELL_DEGREES)
    lon1 = math.floor((lon + dlon) / CELL_DEGREES)
    # Wrap across the antimeridian so cells keep their canonical index.
    lons = sorted({_wrap(c) for c in range(lon0, min(lon1, lon0 + _N_LON - 1) + 1)})
    return [(a, b) for a in range(lat0, lat1 + 1) for b in lons]
