"""The streaming matcher's Faust app: topics and tables (wiring only; the agents are in agents.py).

``create_app`` builds everything from settings passed in by the entry point; nothing connects
at import time. Topics (see docs/streaming.md):

- in: ``jobmatch.clients.v1`` and ``jobmatch.vacancies.v1`` (raw JSON bytes, keyed by id);
- internal: ``<app_id>-regional`` (a ``RegionOp`` as JSON, keyed and partitioned by region);
- out: ``jobmatch.referrals.v1`` (keyed by vacancy_id), ``jobmatch.deadletters.v1``;
- tables: ``routes`` (co-partitioned with the input topics) and ``state`` (co-partitioned
  with the regional topic), each with a ``<app_id>-<table>-changelog`` topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import faust

from schemas.topics import CLIENTS, DEADLETTERS, REFERRALS, VACANCIES
from services.matcher.engine.config import MatchConfig
from services.matcher.regional import RegionalMatcher, engine_factory, engine_restorer
from services.matcher.routing import Grid
from services.matcher.state import EngineState, TableMapping
from services.settings import Settings

__all__ = ["MatcherApp", "WorkerSettings", "create_app"]

_RAW: dict[str, Any] = {
    "key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw",
}


@dataclass(frozen=True)
class WorkerSettings:
    """One worker's settings: the entry point builds it from the command line."""

    app_id: str = "jobmatch-matcher"
    worker_id: str = "w1"
    store: Literal["memory", "rocksdb"] = "rocksdb"
    data_dir: Path = Path(".jobmatch/matcher/w1")
    web_port: int | None = None  # None: the web server is disabled
    regional_partitions: int = 8
    tick_interval_s: float = 60.0  # how often closing dates are re-checked
    standby_replicas: int = 0
    commit_interval_s: float = 2.8
    status_file: Path | None = None  # a JSON status written every second, for operators/tests
    grid: Grid = field(default_factory=Grid)

    @property
    def regional_topic(self) -> str:
        return f"{self.app_id}-regional"


@dataclass
class MatcherApp:
    """The Faust app and the handles the agents and tests need."""

    app: Any  # faust.App (untyped)
    settings: WorkerSettings
    config: MatchConfig
    clients: Any
    vacancies: Any
    regional: Any
    referrals: Any
    deadletters: Any
    routes_table: Any
    state_table: Any
    routes: TableMapping
    state: EngineState
    counters: dict[str, int] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # tests move it
    agents: dict[str, Any] = field(default_factory=dict)


def create_app(settings: Settings, config: MatchConfig, worker: WorkerSettings,
               *, make_matcher: Any = None) -> MatcherApp:
    """Build the app, its topics, tables and agents. ``make_matcher`` overrides the engine
    (tests pass a fake); by default each region gets a ``services.matcher.engine.Matcher``."""
    store = "memory://" if worker.store == "memory" else "rocksdb://"
    app = faust.App(
        worker.app_id,
        broker=[f"kafka://{s}" for s in settings.bootstrap_list],
        store=store,
        datadir=str(worker.data_dir),
        autodiscover=False,
        web_enabled=worker.web_port is not None,
        web_port=worker.web_port or 6066,
        web_host="127.0.0.1",
        topic_partitions=worker.regional_partitions,
        topic_replication_factor=1,
        table_standby_replicas=worker.standby_replicas,
        broker_commit_interval=worker.commit_interval_s,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
    )
    clients = app.topic(CLIENTS.name, **_RAW)
    vacancies = app.topic(VACANCIES.name, **_RAW)
    regional = app.topic(worker.regional_topic, partitions=worker.regional_partitions,
                         internal=True, **_RAW)
    referrals = app.topic(REFERRALS.name, **_RAW)
    deadletters = app.topic(DEADLETTERS.name, **_RAW)
    # The routes table follows the input topics' partitions (a write goes to the changelog
    # partition of the event being processed), the state table the regional topic's.
    # key_type/value_type bytes make Faust use the raw codec for the tables too.
    routes_table = app.Table("routes", default=None, partitions=CLIENTS.partitions,
                             key_type=bytes, value_type=bytes)
    state_table = app.Table("state", default=None, partitions=worker.regional_partitions,
                            key_type=bytes, value_type=bytes)
    if make_matcher is None:
        factory, restore = engine_factory(config), engine_restorer(config)

        def make_matcher() -> RegionalMatcher:
            return RegionalMatcher(factory, restore)

    state = EngineState(make_matcher, TableMapping(state_table), worker.regional_partitions)
    matcher_app = MatcherApp(app, worker, config, clients, vacancies, regional, referrals,
                             deadletters, routes_table, state_table, TableMapping(routes_table),
                             state)
    from services.matcher.agents import register

    register(matcher_app)
    return matcher_app
