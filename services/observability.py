"""Shared `/metrics`, `/healthz` and `/readyz` for every jobmatch HTTP service.

Usage, in a service's app factory::

    from services.observability import health_router, make_registry

    registry = make_registry()                       # or leave it out: the global registry
    handled = Counter("jobmatch_ingest_records_total", "...", ["outcome"], registry=registry)
    app.include_router(health_router(lambda: consumer_ready.is_set(), registry=registry))

- ``/metrics``: Prometheus text exposition format of ``registry``.
- ``/healthz``: liveness. 200 while the process can answer (and ``live_check``, if given, holds);
  an orchestrator restarts the process on 503.
- ``/readyz``: readiness. 200 when ``ready_check()`` is true, else 503; a check that raises counts
  as not ready. The exception's text is logged, never returned: it may name hosts or records.

Liveness and readiness are separate on purpose: a worker waiting for Kafka is alive (do not
restart it) but not ready (do not send it traffic).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = ["CheckFn", "health_router", "make_registry"]

log = logging.getLogger("jobmatch.observability")

CheckFn = Callable[[], bool]


def make_registry(*, process_metrics: bool = True) -> CollectorRegistry:
    """A fresh registry, so two apps in one process (tests) never collide on metric names.

    With ``process_metrics`` it also carries the standard process, platform and GC collectors
    that the global registry has by default (CPU, memory, open fds, Python version).
    """
    registry = CollectorRegistry(auto_describe=True)
    if process_metrics:
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    return registry


def _safe(check: CheckFn, name: str) -> bool:
    try:
        return bool(check())
    except Exception:  # a failing check means "no", whatever it raised
        log.warning("%s check raised; answering 503", name, exc_info=True)
        return False


def health_router(
    ready_check: CheckFn,
    *,
    registry: CollectorRegistry | None = None,
    live_check: CheckFn | None = None,
) -> APIRouter:
    """Router with ``/metrics``, ``/healthz`` and ``/readyz``; include it at the app's root.

    ``registry`` defaults to prometheus_client's global ``REGISTRY``, where metrics created
    without a ``registry=`` argument land.
    """
    reg = REGISTRY if registry is None else registry
    router = APIRouter(tags=["observability"])

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(reg), media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz")
    def healthz() -> JSONResponse:
        ok = live_check is None or _safe(live_check, "liveness")
        return JSONResponse({"status": "ok" if ok else "failing"}, status_code=200 if ok else 503)

    @router.get("/readyz")
    def readyz() -> JSONResponse:
        ok = _safe(ready_check, "readiness")
        return JSONResponse({"status": "ready" if ok else "not ready"},
                            status_code=200 if ok else 503)

    return router

