"""Fixtures for the reliability tier. The broker, store, topics, feed server and webhook
receiver are the integration suites' own fixtures, imported (not copied) so both tiers test
the same set-up. The store is SQLite only here: the feed suite already runs every store test
on PostgreSQL too, and this tier's CI budget is a few minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Re-exported fixtures: pytest finds fixtures by name in this module.
from tests.integration.conftest import kafka_bootstrap
from tests.integration.feed.conftest import (
    config,
    employer_keys,
    make_receiver,
    producer,
    send,
    server,
    store,
    topics,
)
from tests.integration.ingest.conftest import dlq_start, run_id

__all__ = [
    "config",
    "dlq_start",
    "employer_keys",
    "kafka_bootstrap",
    "make_receiver",
    "producer",
    "run_id",
    "send",
    "server",
    "store",
    "store_url",
    "topics",
]


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'feed.db'}"


