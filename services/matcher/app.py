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
from services.matcher.diagnostics import StageTimer
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.features import FeaturesCache
from services.matcher.regional import (
    RecordCache,
    RegionalMatcher,
    engine_factory,
    engine_restorer,
)
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
    clients_topic: str = CLIENTS.name  # input topics: overridable for isolated benchmarks
    vacancies_topic: str = VACANCIES.name
    take_max: int = 500  # events handled together by one agent step (stream.take_events)
    take_within_s: float = 0.01  # how long a step waits to fill its batch
    flush_outputs: int = 32  # outputs acknowledged and state written at least this often
    # Keep the collector off the long-lived state (services/heap.py): a full pass at most
    # this often. None (tests): Python's own policy.
    heap_settle_s: float | None = None
    # Produce requests gather what is sent within this time: without it every send of a
    # batch (ops, referrals, changelog writes) became a request of its own (~20% of the CPU).
    producer_linger_s: float = 0.005
    producer_max_batch_bytes: int = 512 * 1024

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
    timings: StageTimer = field(default_factory=StageTimer)  # seconds per agent stage
    acks: Any = None  # the AckGuard the agents install on Faust's consumer
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # tests move it
    agents: dict[str, Any] = field(default_factory=dict)
    # records parsed by the router, handed to this process's matching side
    records: RecordCache = field(default_factory=RecordCache)


# Faust opens one RocksDB per table partition (16 with the defaults here), each with up to 3
# write buffers of 64 MiB and a 2 GiB block cache: a ceiling of ~35 GB. The worker writes far
# more than it reads (the engines keep their state in memory; tables are read back only on a
# rebuild). In the end-to-end soak (bench/bench_e2e_load.py, bounded population) its RSS grew
# ~1 MB/s with Faust's defaults, ~0.4 MB/s with these, and stayed flat with the memory store
# (RELIABILITY.md, "Load and soak"). These cap RocksDB at ~16 x 24 MiB.
ROCKSDB_OPTIONS: dict[str, int] = {
    "write_buffer_size": 4 * 1024**2,
    "max_write_buffer_number": 2,
    "block_cache_size": 16 * 1024**2,
}


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
        producer_linger=worker.producer_linger_s,
        producer_max_batch_size=worker.producer_max_batch_bytes,
        # Faust's 60 s default keeps a crashed worker's partitions unassigned for a minute
        # after a restart (RELIABILITY.md, M1); 15 s bounds that pause.
        broker_session_timeout=15.0,
        broker_heartbeat_interval=3.0,
    )
    clients = app.topic(worker.clients_topic, **_RAW)
    vacancies = app.topic(worker.vacancies_topic, **_RAW)
    regional = app.topic(worker.regional_topic, partitions=worker.regional_partitions,
                         internal=True, **_RAW)
    referrals = app.topic(REFERRALS.name, **_RAW)
    deadletters = app.topic(DEADLETTERS.name, **_RAW)
    # The routes table follows the input topics' partitions (a write goes to the changelog
    # partition of the event being processed), the state table the regional topic's.
    # key_type/value_type bytes make Faust use the raw codec for the tables too.
    options = ROCKSDB_OPTIONS if worker.store == "rocksdb" else None
    routes_table = app.Table("routes", default=None, partitions=CLIENTS.partitions,
                             key_type=bytes, value_type=bytes, options=options)
    state_table = app.Table("state", default=None, partitions=worker.regional_partitions,
                            key_type=bytes, value_type=bytes, options=options)
    records = RecordCache()
    if make_matcher is None:
        # One features cache for the process: a client's copies in several regions (and
        # after a rebuild) share one features object.
        features = FeaturesCache()
        factory, restore = engine_factory(config, features), engine_restorer(config, features)

        def make_matcher() -> RegionalMatcher:
            return RegionalMatcher(factory, restore, records)

    state = EngineState(make_matcher, TableMapping(state_table), worker.regional_partitions)
    matcher_app = MatcherApp(app, worker, config, clients, vacancies, regional, referrals,
                             deadletters, routes_table, state_table, TableMapping(routes_table),
                             state, records=records)
    from services.matcher.agents import register

    register(matcher_app)
    return matcher_app
