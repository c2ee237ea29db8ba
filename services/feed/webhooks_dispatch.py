"""Sending webhook deliveries: Standard Webhooks headers, retries with backoff and jitter.

Only a 2xx is a success. 410 disables the endpoint. 429/502/503/504 honour Retry-After (as a
lower bound on the next wait, capped). Timeouts and connection errors are retried. Every attempt
of one delivery carries the same ``webhook-id``, a fresh timestamp and a fresh signature.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.feed.config import FeedConfig
from services.feed.ssrf import Resolver, UnsafeUrl, resolve_safe
from services.feed.store import Store
from services.feed.webhooks_sign import sign
from services.feed.webhooks_store import Due, claim_due, record_attempt

__all__ = ["Dispatcher", "next_step", "parse_retry_after"]

log = logging.getLogger("jobmatch.feed.webhooks")
_THROTTLED = {429, 502, 503, 504}


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def next_step(attempt: int, status: int | None, retry_after: float | None,
              config: FeedConfig, rng: Callable[[], float] = random.random) -> tuple[str, float]:
    """After attempt number ``attempt`` (1 = the first), what next: ``(outcome, delay_s)``."""
    if status is not None and 200 <= status < 300:
        return "succeeded", 0.0
    if status == 410:
        return "disabled", 0.0
    schedule = config.retry_schedule_s
    if attempt > len(schedule):
        return "failed", 0.0
    base = schedule[attempt - 1]
    delay = base * (1 + config.jitter_ratio * (2 * rng() - 1))
    if status in _THROTTLED and retry_after is not None:
        delay = max(delay, min(retry_after, config.max_retry_after_s))
    return "retry", delay


@dataclass
class Dispatcher:
    store: Store
    config: FeedConfig
    resolver: Resolver = socket.getaddrinfo
    clock: Callable[[], float] = time.time
    workers: int = 8
    sent: int = field(default=0)

    def run(self, stop: threading.Event | None = None,
            idle_timeout_s: float | None = None) -> int:
        stop = stop or threading.Event()
        last_work = time.monotonic()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="feed-webhook") as pool:
            while not stop.is_set():
                due = claim_due(self.store, self.clock(), self.config.dispatch_lease_s)
                if due:
                    last_work = time.monotonic()
                    list(pool.map(self.deliver, due))
                    continue
                if idle_timeout_s is not None and time.monotonic() - last_work >= idle_timeout_s:
                    break
                stop.wait(self.config.dispatch_poll_s)
        return self.sent

    def deliver(self, due: Due) -> None:
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        retry_after: float | None = None
        try:
            response = self._send(due)
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("retry-after"), self.clock())
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except UnsafeUrl as exc:
            error = f"refused: {exc}"
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}"
        attempt = due.attempts + 1
        outcome, delay = next_step(attempt, status, retry_after, self.config)
        now = self.clock()
        record_attempt(self.store, due, outcome=outcome, status_code=status, error=error,
                       duration_ms=(time.monotonic() - started) * 1000, next_at=now + delay,
                       now=now)
        self.sent += 1
        log.info("delivery %s to %s attempt %d: %s (%s)", due.event_id, due.endpoint_id,
                 attempt, outcome, error or status)

    def _send(self, due: Due) -> httpx.Response:
        # Resolve and check again at send time, then connect to that very address.
        ip = resolve_safe(due.url, self.config.allow_private_webhooks, self.resolver)[0]
        parts = urlsplit(due.url)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        netloc = f"{host}:{parts.port}" if parts.port else host
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        timestamp = int(self.clock())
        headers = {
            "host": parts.netloc.rsplit("@", 1)[-1],
            "content-type": "application/json",
            "user-agent": "jobmatch-feed/1",
            "webhook-id": due.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(due.secret, due.event_id, timestamp, due.body),
        }
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        # A client per attempt: no pooled connection is ever reused for another host name.
        with httpx.Client(timeout=self.config.webhook_timeout_s, follow_redirects=False,
                          trust_env=False) as client:
            request = client.build_request("POST", pinned, content=due.body, headers=headers,
                                           extensions=extensions)
            return client.send(request)
