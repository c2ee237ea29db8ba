"""The worker's `/metrics`, `/healthz` and `/readyz`, on Faust's own web server.

Served when the worker runs with ``--web-port``, like every jobmatch service's
(``services/observability.py`` does the same for the FastAPI services). The counters are the
agents' own, read at scrape time, so nothing here runs on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from services.observability import make_registry

__all__ = ["register_pages"]

_CONTENT_TYPE = CONTENT_TYPE_LATEST.split(";", 1)[0] + "; version=0.0.4"


class _WorkerCollector(Collector):
    def __init__(self, counters: Mapping[str, int], stats: Callable[[], Mapping[str, int]],
                 assigned: Callable[[], frozenset[int]]) -> None:
        self._counters, self._stats, self._assigned = counters, stats, assigned

    def collect(self) -> Iterator[Any]:
        events = CounterMetricFamily("jobmatch_matcher_events", "Worker events by kind",
                                     labels=["kind"])
        for kind, value in sorted(self._counters.items()):
            events.add_metric([kind], value)
        yield events
        held = GaugeMetricFamily("jobmatch_matcher_state", "Items the worker holds",
                                 labels=["item"])
        for item, value in sorted(self._stats().items()):
            held.add_metric([item], value)
        yield held
        yield GaugeMetricFamily("jobmatch_matcher_assigned_partitions",
                                "Regional partitions assigned to this worker",
                                value=len(self._assigned()))


def register_pages(app: Any, counters: Mapping[str, int], stats: Callable[[], Mapping[str, int]],
                   assigned: Callable[[], frozenset[int]]) -> None:
    """Add the three pages to a Faust app. Ready means: partitions assigned, so it is working."""
    registry = make_registry()
    registry.register(_WorkerCollector(counters, stats, assigned))

    @app.page("/metrics")  # type: ignore[untyped-decorator]  # faust is untyped
    async def metrics(web: Any, _request: Any) -> Any:
        # aiohttp refuses a charset inside content_type, and the exposition format is ASCII.
        return web.bytes(generate_latest(registry), content_type=_CONTENT_TYPE)

    @app.page("/healthz")  # type: ignore[untyped-decorator]
    async def healthz(web: Any, _request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")  # type: ignore[untyped-decorator]
    async def readyz(web: Any, _request: Any) -> Any:
        ready = bool(assigned())
        return web.json({"status": "ready" if ready else "not ready"},
                        status=200 if ready else 503)
