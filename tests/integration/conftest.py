"""Shared fixtures for integration tests: they run against the real local Kafka broker.

The broker is started once, outside pytest (`jobmatch kafka start`, as .ci/run does), so that
every test session shares it and no test pays its start-up time.
"""

from __future__ import annotations

import pytest

from services.kafka_local.broker import bootstrap_for
from services.kafka_local.topics_admin import is_up
from services.settings import load_settings


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap address of a reachable Kafka broker; fails (never skips) when there is none."""
    bootstrap, _ = bootstrap_for(load_settings())
    if not is_up(bootstrap, timeout_s=10.0):
        # A skip would turn a missing broker into a green CI run that tested nothing.
        pytest.fail(
            f"Kafka is not reachable at {bootstrap}. Start it with `jobmatch kafka start` "
            "before running integration tests.",
            pytrace=False,
        )
    return bootstrap
