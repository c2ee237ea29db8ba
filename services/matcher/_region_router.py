"""``Router``: which regions a record goes to, remembered per client and vacancy so that a
move or an erasure also reaches the regions the record leaves (see ``regional``)."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any, Literal

from schemas import ClientProfile, Vacancy
from services.matcher._region_ops import _SEP, OpKind, RegionOp
from services.matcher.routing import Grid

__all__ = ["Router"]


def _route_value(updated_at: str, regions: list[str], left: list[str]) -> bytes:
    return json.dumps({"u": updated_at, "r": regions, "left": left},
                      separators=(",", ":")).encode()


class Router:
    """Routes canonical records to regions; ``routes`` persists where each record went.

    ``routes`` is any mutable mapping ``str -> bytes``: a dict for the batch command, a Faust
    table (through an adapter) in the worker. Keys: ``c|<client_id>``, ``v|<vacancy_id>``.

    Latest updated_at wins here too: an older record is dropped. A record with the *same*
    updated_at is forwarded again to the regions recorded for it (never re-routed by its
    content): that is a replay after a crash, and forwarding it again is harmless (the
    engines ignore it) while dropping it could lose a forward that never reached the broker.
    """

    def __init__(self, grid: Grid, routes: MutableMapping[str, bytes]) -> None:
        self.grid = grid
        self.routes = routes

    def _previous(self, key: str) -> dict[str, Any] | None:
        stored = self.routes.get(key)
        return None if stored is None else dict(json.loads(stored))

    def _route(self, key: str, kind: Literal["client", "vacancy"], *, entity_id: str,
               updated_at: datetime, regions: list[str], raw: str, position: str
               ) -> list[RegionOp]:
        prev = self._previous(key)
        stamp = updated_at.isoformat()
        if prev is not None:
            prev_at = datetime.fromisoformat(prev["u"])
            if updated_at < prev_at:
                return []
            if updated_at == prev_at:  # a replay: same regions, same leaves as the first time
                regions, left = list(prev["r"]), list(prev.get("left", []))
            else:
                left = sorted(set(prev["r"]) - set(regions))
        else:
            left = []
        self.routes[key] = _route_value(stamp, regions, left)
        leave: OpKind = "leave_client" if kind == "client" else "leave_vacancy"
        return [RegionOp(leave, r, entity_id, position=position) for r in left] + [
            RegionOp(kind, r, entity_id, raw, position) for r in regions]

    def route_client(self, profile: ClientProfile, raw: str, position: str = ""
                     ) -> list[RegionOp]:
        loc = profile.location
        regions = self.grid.client_regions(loc.lat, loc.lon, profile.max_travel_km)
        return self._route(f"c{_SEP}{profile.client_id}", "client",
                           entity_id=profile.client_id, updated_at=profile.updated_at,
                           regions=regions, raw=raw, position=position)

    def route_vacancy(self, vacancy: Vacancy, raw: str, position: str = "") -> list[RegionOp]:
        loc = vacancy.location
        regions = [self.grid.vacancy_region(loc.lat, loc.lon, vacancy.remote)]
        return self._route(f"v{_SEP}{vacancy.vacancy_id}", "vacancy",
                           entity_id=vacancy.vacancy_id, updated_at=vacancy.updated_at,
                           regions=regions, raw=raw, position=position)

    def route_erasure(self, client_id: str, position: str = "") -> list[RegionOp]:
        """A tombstone: erase the client from every region it was sent to. The caller calls
        ``forget`` once the erase ops are delivered (a replay must still find the regions)."""
        prev = self._previous(f"c{_SEP}{client_id}")
        if prev is None:
            return []
        return [RegionOp("erase", r, client_id, position=position)
                for r in sorted(set(prev["r"]) | set(prev.get("left", [])))]

    def route_vacancy_deletion(self, vacancy_id: str, position: str = "") -> list[RegionOp]:
        prev = self._previous(f"v{_SEP}{vacancy_id}")
        if prev is None:
            return []
        return [RegionOp("leave_vacancy", r, vacancy_id, position=position)
                for r in sorted(set(prev["r"]) | set(prev.get("left", [])))]

    def forget(self, key: str) -> None:
        """Drop a route (``c|<client_id>`` or ``v|<vacancy_id>``) after its erasure."""
        if key in self.routes:
            del self.routes[key]
