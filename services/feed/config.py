"""The feed's settings: one frozen object, built at the entry point and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from schemas.topics import CLIENTS, OUTCOMES, REFERRALS
from services.settings import Settings

__all__ = ["DEFAULT_RETRY_SCHEDULE_S", "FeedConfig", "feed_config"]

# The Standard Webhooks schedule after the immediate first attempt: 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h, 14 h, 20 h, 24 h. Tests pass a schedule of fractions of a second.
DEFAULT_RETRY_SCHEDULE_S: tuple[float, ...] = (
    5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
)


@dataclass(frozen=True)
class FeedConfig:
    database_url: str
    bootstrap_servers: str = "127.0.0.1:19092"
    referrals_topic: str = REFERRALS.name
    clients_topic: str = CLIENTS.name
    outcomes_topic: str = OUTCOMES.name
    # Token bucket per API key: `rate_per_s` tokens a second, bursts of up to `burst`.
    rate_per_s: float = 10.0
    burst: int = 50
    page_max: int = 100
    page_default: int = 50
    retry_schedule_s: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE_S
    # Jitter spreads retries of many deliveries that failed together (a receiver outage).
    jitter_ratio: float = 0.2
    # A Retry-After larger than this is capped, so a receiver cannot park deliveries forever.
    max_retry_after_s: float = 86400.0
    webhook_timeout_s: float = 10.0
    dispatch_poll_s: float = 1.0
    # A claimed delivery whose dispatcher died is retried after this lease (same webhook-id).
    dispatch_lease_s: float = 60.0
    # Development only: allow http:// and loopback/private webhook addresses (the tests' receivers).
    allow_private_webhooks: bool = False

    def with_(self, **changes: Any) -> FeedConfig:
        return replace(self, **changes)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def feed_config(settings: Settings, database_url: str | None = None,
                allow_private_webhooks: bool | None = None) -> FeedConfig:
    """Build the config from the shared settings and the environment; flags win over both."""
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{(settings.home / 'feed.db').resolve()}"
    allow = (allow_private_webhooks if allow_private_webhooks is not None
             else _truthy(os.environ.get("JOBMATCH_FEED_ALLOW_PRIVATE_WEBHOOKS")))
    env = os.environ.get
    schedule = env("JOBMATCH_FEED_RETRY_SCHEDULE")
    return FeedConfig(
        database_url=url, bootstrap_servers=settings.bootstrap_servers,
        # Topic overrides exist so tests (and staging) can run against their own topics.
        referrals_topic=env("JOBMATCH_FEED_REFERRALS_TOPIC", REFERRALS.name),
        clients_topic=env("JOBMATCH_FEED_CLIENTS_TOPIC", CLIENTS.name),
        outcomes_topic=env("JOBMATCH_FEED_OUTCOMES_TOPIC", OUTCOMES.name),
        rate_per_s=float(env("JOBMATCH_FEED_RATE_PER_S", "10")),
        burst=int(env("JOBMATCH_FEED_BURST", "50")),
        retry_schedule_s=(tuple(float(x) for x in schedule.split(",") if x.strip())
                          if schedule else DEFAULT_RETRY_SCHEDULE_S),
        allow_private_webhooks=allow)
