"""What every route shares: the feed's context on ``app.state`` and the caller's identity."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.feed.config import FeedConfig
from services.feed.keys import ApiKey, authenticate
from services.feed.outcomes import OutcomePublisher
from services.feed.ratelimit import TokenBuckets
from services.feed.ssrf import Resolver
from services.feed.store import Store

__all__ = ["NOT_FOUND", "Caller", "Ctx", "FeedContext", "context"]

NOT_FOUND = "not found"
_bearer = HTTPBearer(auto_error=False, description="Your API key: `Authorization: Bearer jmk_...`")


@dataclass(frozen=True)
class FeedContext:
    store: Store
    config: FeedConfig
    publisher: OutcomePublisher | None
    buckets: TokenBuckets
    resolver: Resolver = socket.getaddrinfo


def context(request: Request) -> FeedContext:
    ctx: FeedContext = request.app.state.feed
    return ctx


def _employer(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    """The caller, from the credential alone (never from a path or body), rate-limited."""
    ctx = context(request)
    key = authenticate(ctx.store, creds.credentials) if creds is not None else None
    if key is None:
        raise HTTPException(401, "missing, unknown or revoked API key",
                            headers={"WWW-Authenticate": "Bearer"})
    wait = ctx.buckets.take(key.key_id)
    if wait:
        raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": str(int(wait))})
    return key


Caller = Annotated[ApiKey, Depends(_employer)]
Ctx = Annotated[FeedContext, Depends(context)]
