"""The employer API (FastAPI). Identity comes only from the bearer key; every query is scoped
by the key's employer, and another employer's object is answered 404, never 403 (OWASP API1).
"""

from __future__ import annotations

import socket

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.feed import api_referrals, api_webhooks
from services.feed.api_deps import FeedContext
from services.feed.config import FeedConfig
from services.feed.outcomes import OutcomePublisher
from services.feed.ratelimit import TokenBuckets
from services.feed.ssrf import Resolver
from services.feed.store import Store
from services.observability import health_router, make_registry

__all__ = ["create_app"]


def create_app(store: Store, config: FeedConfig, publisher: OutcomePublisher | None,
               resolver: Resolver = socket.getaddrinfo) -> FastAPI:
    app = FastAPI(
        title="jobmatch employer referral feed", version="1",
        description="Referrals of job-ready clients to your vacancies: pull them with a cursor, "
        "or receive them as Standard Webhooks. Clients appear only as an organisation-scoped "
        "pseudonym (`client_ref`). Authenticate with `Authorization: Bearer <API key>`.")
    app.state.feed = FeedContext(store, config, publisher,
                                 TokenBuckets(config.rate_per_s, config.burst), resolver)

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Name the field and the rule, never echo the input (it may hold personal data).
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)

    app.include_router(health_router(store.ping, registry=make_registry()))
    app.include_router(api_referrals.router)
    app.include_router(api_webhooks.router)
    return app
