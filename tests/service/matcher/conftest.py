"""Service tests of the matcher's agents: Faust ``test_context`` with the memory store, and
fake topics that record what the agents send (no broker)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from services.matcher.app import MatcherApp, WorkerSettings, create_app
from services.matcher.engine.config import MatchConfig
from services.settings import Settings


@dataclass
class FakeTopic:
    """Stands in for a Faust topic's ``send``: records (key, value, partition)."""

    sent: list[tuple[bytes | None, bytes | None, int | None]] = field(default_factory=list)

    async def send(self, *, key: bytes | None = None, value: bytes | None = None,
                   partition: int | None = None, **_kw: Any) -> asyncio.Future[None]:
        self.sent.append((key, value, partition))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut

    def values(self) -> list[dict[str, Any]]:
        return [json.loads(v) for _k, v, _p in self.sent if v is not None]


@pytest.fixture
def matcher_app(tmp_path: Any) -> Iterator[MatcherApp]:
    worker = WorkerSettings(app_id=f"test-matcher-{id(tmp_path)}", store="memory",
                            data_dir=tmp_path, regional_partitions=4)
    m = create_app(Settings(), MatchConfig(), worker)
    m.app.finalize()
    m.app.conf.store = "memory://"
    m.app.flow_control.resume()
    m.regional, m.referrals, m.deadletters = FakeTopic(), FakeTopic(), FakeTopic()
    m.clock = lambda: NOW
    yield m


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
