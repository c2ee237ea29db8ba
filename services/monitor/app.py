"""The monitor's web app: the dashboard (static files) and the JSON it polls. Serves only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from services.monitor.metrics import StateCollector
from services.monitor.state import MonitorState
from services.monitor.views import equality_json, summary_json
from services.observability import health_router, make_registry

__all__ = ["STATIC_DIR", "create_app"]

STATIC_DIR = Path(__file__).parent / "static"

# The dashboard loads nothing from anywhere else; the policy makes the browser enforce that.
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def create_app(state: MonitorState, ready: Callable[[], bool]) -> FastAPI:
    app = FastAPI(title="jobmatch monitor", docs_url="/api/docs", redoc_url=None)
    registry = make_registry()
    registry.register(StateCollector(state))
    app.include_router(health_router(ready, registry=registry))

    @app.middleware("http")
    async def _headers(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        # Figures are live: a cached copy is a wrong copy.
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    @app.get("/api/summary")
    def summary() -> dict[str, Any]:
        """Stream health: throughput, lag, dead letters, referrals, scores, latency, workers."""
        return summary_json(state)

    @app.get("/api/equality")
    def equality() -> dict[str, Any]:
        """Selection rates and impact ratios by monitoring group; groups < 10 hidden."""
        return equality_json(state)

    @app.get("/api/deadletters")
    def dead_letters() -> dict[str, Any]:
        """Dead-letter counts and the latest rejections, redacted, without payloads."""
        result: dict[str, Any] = summary_json(state)["dead_letters"]
        return result

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
