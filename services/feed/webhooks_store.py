"""Webhook endpoints and their deliveries, in the store.

A delivery row is one event for one endpoint. Its ``event_id`` is the ``webhook-id`` of every
attempt. Dispatchers claim due rows with a compare-and-set on ``next_attempt_at`` (a lease), so
several dispatchers never send the same attempt, and a crashed one's claim expires into a retry.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from services.feed.config import FeedConfig
from services.feed.ssrf import Resolver, resolve_safe
from services.feed.store import Store
from services.feed.tables import deliveries, delivery_attempts, feed_events, webhook_endpoints
from services.feed.webhooks_sign import new_secret

__all__ = [
    "Due",
    "Endpoint",
    "add_endpoint",
    "claim_due",
    "delivery_log",
    "list_endpoints",
    "record_attempt",
    "remove_endpoint",
]


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    employer_id: str
    url: str
    enabled: bool
    disabled_reason: str | None
    created_at: float


@dataclass(frozen=True)
class Due:
    delivery_id: int
    endpoint_id: str
    event_id: str
    attempts: int
    url: str
    secret: str
    body: bytes


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(row["endpoint_id"], row["employer_id"], row["url"], bool(row["enabled"]),
                    row["disabled_reason"], row["created_at"])


def add_endpoint(store: Store, employer_id: str, url: str, config: FeedConfig,
                 resolver: Resolver = socket.getaddrinfo) -> tuple[Endpoint, str]:
    """Register an endpoint after the SSRF check; returns it and its secret (shown once)."""
    resolve_safe(url, config.allow_private_webhooks, resolver)
    secret = new_secret()
    values = {"endpoint_id": "ep_" + secrets.token_hex(12), "employer_id": employer_id,
              "url": url, "secret": secret, "enabled": True, "disabled_reason": None,
              "created_at": time.time()}
    with store.write() as conn:
        conn.execute(insert(webhook_endpoints).values(**values))
    return _endpoint(values), secret


def list_endpoints(store: Store, employer_id: str) -> list[Endpoint]:
    w = webhook_endpoints.c
    with store.read() as conn:
        rows = conn.execute(select(webhook_endpoints).where(w.employer_id == employer_id)
                            .order_by(w.created_at)).mappings().all()
    return [_endpoint(r) for r in rows]


def remove_endpoint(store: Store, employer_id: str, endpoint_id: str) -> bool:
    w = webhook_endpoints.c
    with store.write() as conn:
        ids = select(deliveries.c.delivery_id).where(deliveries.c.endpoint_id == endpoint_id)
        owned = conn.execute(select(w.endpoint_id).where(
            w.endpoint_id == endpoint_id, w.employer_id == employer_id)).first()
        if owned is None:
            return False
        # Explicit, because SQLite only cascades with foreign_keys on.
        conn.execute(delete(delivery_attempts).where(delivery_attempts.c.delivery_id.in_(ids)))
        conn.execute(delete(deliveries).where(deliveries.c.endpoint_id == endpoint_id))
        conn.execute(delete(webhook_endpoints).where(w.endpoint_id == endpoint_id))
    return True


def _body(payload: str) -> bytes:
    data = json.loads(payload)
    kind = "referral.withdrawn" if data.get("kind") == "withdrawal" else "referral.created"
    envelope = {"type": kind, "timestamp": data.get("created_at"), "data": data}
    # Deterministic bytes, so every retry carries the same body.
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def claim_due(store: Store, now: float, lease_s: float, limit: int = 32) -> list[Due]:
    d, w, e = deliveries.c, webhook_endpoints.c, feed_events.c
    query = (select(d.delivery_id, d.endpoint_id, d.event_id, d.attempts, d.next_attempt_at,
                    w.url, w.secret, e.payload)
             .join(webhook_endpoints, w.endpoint_id == d.endpoint_id)
             .outerjoin(feed_events, e.event_id == d.event_id)
             .where(d.status == "pending", d.next_attempt_at <= now, w.enabled.is_(True))
             .order_by(d.next_attempt_at).limit(limit))
    claimed: list[Due] = []
    with store.write() as conn:
        for row in conn.execute(query).all():
            if row.payload is None:  # the event was erased after it was queued
                conn.execute(update(deliveries).where(d.delivery_id == row.delivery_id).values(
                    status="cancelled", last_error="event erased", completed_at=now))
                continue
            won = conn.execute(update(deliveries).where(
                d.delivery_id == row.delivery_id, d.status == "pending",
                d.next_attempt_at == row.next_attempt_at).values(
                next_attempt_at=now + lease_s)).rowcount
            if won:
                claimed.append(Due(int(row.delivery_id), row.endpoint_id, row.event_id,
                                   int(row.attempts), row.url, row.secret, _body(row.payload)))
    return claimed


def record_attempt(store: Store, due: Due, *, outcome: str, status_code: int | None,
                   error: str | None, duration_ms: float, next_at: float, now: float) -> None:
    """Log one attempt and move the delivery on: ``succeeded``, ``retry``, ``failed`` or
    ``disabled`` (the receiver answered 410: the endpoint is switched off)."""
    d = deliveries.c
    attempt = due.attempts + 1
    with store.write() as conn:
        conn.execute(insert(delivery_attempts).values(
            delivery_id=due.delivery_id, attempt=attempt, attempted_at=now,
            status_code=status_code, error=error, duration_ms=duration_ms))
        values: dict[str, Any] = {"attempts": attempt, "last_status": status_code,
                                  "last_error": error}
        if outcome == "retry":
            values["next_attempt_at"] = next_at
        else:
            values.update(status=outcome, completed_at=now)
        conn.execute(update(deliveries).where(d.delivery_id == due.delivery_id).values(**values))
        if outcome == "disabled":
            _disable(conn, due.endpoint_id, "receiver answered 410 Gone", now)


def _disable(conn: Connection, endpoint_id: str, reason: str, now: float) -> None:
    conn.execute(update(webhook_endpoints).where(
        webhook_endpoints.c.endpoint_id == endpoint_id).values(
        enabled=False, disabled_reason=reason))
    conn.execute(update(deliveries).where(
        deliveries.c.endpoint_id == endpoint_id, deliveries.c.status == "pending").values(
        status="disabled", last_error=reason, completed_at=now))


def delivery_log(store: Store, employer_id: str, endpoint_id: str) -> list[dict[str, Any]]:
    """Attempts for one endpoint of this employer, newest first (ids and codes, no bodies)."""
    d, a, w = deliveries.c, delivery_attempts.c, webhook_endpoints.c
    query = (select(d.event_id, d.status, a.attempt, a.attempted_at, a.status_code, a.error,
                    a.duration_ms)
             .select_from(delivery_attempts)
             .join(deliveries, d.delivery_id == a.delivery_id)
             .join(webhook_endpoints, w.endpoint_id == d.endpoint_id)
             .where(w.endpoint_id == endpoint_id, w.employer_id == employer_id)
             .order_by(a.attempt_id.desc()).limit(500))
    with store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings().all()]
