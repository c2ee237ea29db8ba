"""Which regions a record belongs to: the partitioning scheme of the streaming matcher.

Pure functions, no Faust or Kafka. A *region* is a cell of a coarse latitude/longitude grid
(by default 1 degree of latitude by 2 degrees of longitude, about 111 km by 136 km in
Britain: coarse, so that most clients fall in one cell; see docs/streaming.md for the trade-off),
plus one ``national`` region for remote vacancies.

- A non-remote vacancy belongs to the one cell that holds its location (its home region).
- A client belongs to every cell that may hold a point within its ``max_travel_km`` (a bounding
  box of the circle, so a superset), and to ``national``.

So for every pair (vacancy, client) the contract allows -- distance within the client's reach,
or a remote vacancy -- the vacancy's region is among the client's regions: a matcher that holds
only one region's records still sees every pair it may refer. ``national`` holds a copy of every
client; that is the memory price of remote vacancies (see docs/streaming.md).

Regions map to partitions of the internal regional topic by a stable hash (CRC-32) that we
compute ourselves, so the router and the timer agree on it without asking the producer.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

__all__ = [
    "NATIONAL",
    "Grid",
    "partition_for_region",
]

NATIONAL = "national"

# The smallest radius of the Earth (polar). Any great-circle distance the engine measures with
# a larger radius is longer, so a box drawn with this radius can only be too big, never too
# small. The margin absorbs floating-point error at cell edges.
_EARTH_RADIUS_MIN_KM = 6356.75
_MARGIN = 1.01
_EPS_DEG = 1e-6


@dataclass(frozen=True)
class Grid:
    """A latitude/longitude grid of regions. Both sizes must divide 180 and 360 evenly."""

    lat_deg: float = 1.0
    lon_deg: float = 2.0

    def __post_init__(self) -> None:
        for size, span in ((self.lat_deg, 180.0), (self.lon_deg, 360.0)):
            if size <= 0 or abs(span / size - round(span / size)) > 1e-9:
                raise ValueError(f"cell size {size} must divide {span:.0f} degrees evenly")

    @property
    def _n_lon(self) -> int:
        return round(360.0 / self.lon_deg)

    def _wrap(self, lon_cell: int) -> int:
        half = self._n_lon // 2
        return ((lon_cell + half) % self._n_lon) - half

    def _name(self, lat_cell: int, lon_cell: int) -> str:
        return f"g{lat_cell}:{lon_cell}"

    def home_region(self, lat: float, lon: float) -> str:
        """The cell holding a point."""
        lon_cell = self._wrap(math.floor(lon / self.lon_deg))
        return self._name(math.floor(lat / self.lat_deg), lon_cell)

    def regions_within(self, lat: float, lon: float, radius_km: float) -> list[str]:
        """Every cell that may hold a point within ``radius_km`` of (lat, lon), sorted."""
        angle = min(math.pi, radius_km * _MARGIN / _EARTH_RADIUS_MIN_KM)  # radians
        dlat = math.degrees(angle) + _EPS_DEG
        lat_lo, lat_hi = max(-90.0, lat - dlat), min(90.0, lat + dlat)
        ratio = math.sin(angle) / max(1e-12, math.cos(math.radians(lat)))
        if lat_hi >= 90.0 or lat_lo <= -90.0 or ratio >= 1.0 or angle >= math.pi / 2:
            dlon = 180.0  # a pole, or a circle wider than the meridians: every longitude
        else:
            dlon = math.degrees(math.asin(ratio)) + _EPS_DEG
        rows = range(math.floor(lat_lo / self.lat_deg), math.floor(lat_hi / self.lat_deg) + 1)
        lon0 = math.floor((lon - dlon) / self.lon_deg)
        lon1 = math.floor((lon + dlon) / self.lon_deg)
        cols = {self._wrap(c) for c in range(lon0, min(lon1, lon0 + self._n_lon - 1) + 1)}
        return sorted(self._name(r, c) for r in rows for c in cols)

    def client_regions(self, lat: float, lon: float, max_travel_km: float) -> list[str]:
        """A client's regions: every cell within reach, and ``national``."""
        return [*self.regions_within(lat, lon, max_travel_km), NATIONAL]

    def vacancy_region(self, lat: float, lon: float, remote: bool) -> str:
        """A vacancy's one region: ``national`` when remote, else its home cell."""
        return NATIONAL if remote else self.home_region(lat, lon)


def partition_for_region(region: str, partitions: int) -> int:
    """The regional-topic partition of a region: a stable hash, the same in every process."""
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    return zlib.crc32(region.encode("utf-8")) % partitions
