"""Running ``jobmatch feed ...`` as a subprocess against a test's own store and topics."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from services.feed.config import FeedConfig
from services.feed.store import Store
from services.feed.tables import feed_events

__all__ = ["count", "feed_env"]


def feed_env(config: FeedConfig, home: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": config.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": config.bootstrap_servers,
            "JOBMATCH_FEED_REFERRALS_TOPIC": config.referrals_topic,
            "JOBMATCH_FEED_CLIENTS_TOPIC": config.clients_topic,
            "JOBMATCH_FEED_OUTCOMES_TOPIC": config.outcomes_topic,
            "JOBMATCH_FEED_ALLOW_PRIVATE_WEBHOOKS": "1", "JOBMATCH_HOME": str(home)}


def count(store: Store, table: object = feed_events) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
