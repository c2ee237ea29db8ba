"""``jobmatch matcher``: run a streaming matcher worker (Faust) in the foreground."""

from __future__ import annotations

import os
import socket
from dataclasses import replace
from pathlib import Path

import click

from schemas.topics import CLIENTS, VACANCIES
from services.settings import Settings, load_settings

__all__ = ["matcher"]


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else load_settings()


@click.command()
@click.option("--worker-id", default=None,
              help="Names this worker (default: host-pid); also its default data directory.")
@click.option("--app-id", default=lambda: os.environ.get("JOBMATCH_MATCHER_APP_ID",
                                                         "jobmatch-matcher"),
              show_default="jobmatch-matcher or JOBMATCH_MATCHER_APP_ID",
              help="Consumer group and prefix of the internal topics; workers sharing it share "
                   "the work.")
@click.option("--store", type=click.Choice(["rocksdb", "memory"]), default="rocksdb",
              show_default=True, help="Table store (memory: state is rebuilt from changelogs).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="RocksDB directory (default: <home>/matcher/<worker-id>).")
@click.option("--web-port", type=click.IntRange(1, 65535), default=None,
              help="Serve Faust's web views on 127.0.0.1:PORT (default: disabled).")
@click.option("--partitions", type=click.IntRange(1, 1024), default=8, show_default=True,
              help="Partitions of the regional topic: the most workers that can share the "
                   "matching. Fixed once the topic exists.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Lowest score referred (default: the engine's).")
@click.option("--max-per-client", type=click.IntRange(min=1), default=None,
              help="Most active referrals one client holds at once, per region (default 3).")
@click.option("--tick-interval", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between re-checks of closing dates.")
@click.option("--commit-interval", type=click.FloatRange(min=0.1), default=2.8,
              show_default=True, help="Seconds between offset commits.")
@click.option("--standby-replicas", type=click.IntRange(0, 3), default=0, show_default=True,
              help="Standby copies of each table partition kept by other workers.")
@click.option("--status-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the worker's state sizes and counters as JSON every second.")
@click.option("--clients-topic", default=CLIENTS.name, show_default=True,
              help="Input topic of client records (override only to isolate a benchmark).")
@click.option("--vacancies-topic", default=VACANCIES.name, show_default=True,
              help="Input topic of vacancy records (override only to isolate a benchmark).")
@click.option("--batch-max", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="Most events one agent step handles together.")
@click.option("--batch-within", type=click.FloatRange(0.001, 5.0), default=0.01,
              show_default=True, help="Seconds an agent step waits to fill its batch.")
@click.option("--flush-outputs", type=click.IntRange(1, 1_000_000), default=32,
              show_default=True,
              help="Outputs acknowledged (and their state written) at least this often within "
                   "a batch: what a crash may send twice.")
@click.option("--heap-settle", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Seconds between full garbage collections; between them the long-lived "
                   "state is frozen out of the collector's passes (services/heap.py). 0: "
                   "Python's own policy.")
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
@click.pass_context
def matcher(  # noqa: PLR0917  (click passes one argument per option)
    ctx: click.Context, worker_id: str | None, app_id: str, store: str,
    data_dir: Path | None, web_port: int | None, partitions: int,
    threshold: float | None, max_per_client: int | None, tick_interval: float,
    commit_interval: float, standby_replicas: int, status_file: Path | None,
    clients_topic: str, vacancies_topic: str, batch_max: int, batch_within: float,
    flush_outputs: int, heap_settle: float, loglevel: str,
) -> None:
    """Run a streaming matcher worker until SIGTERM or Ctrl-C.

    Start several with the same --app-id (and distinct --worker-id) to share the partitions.
    See docs/streaming.md for the topics, the regional partitioning and the state each
    worker holds.
    """
    from services.matcher.app import WorkerSettings
    from services.matcher.engine.config import MatchConfig
    from services.matcher.worker import run_worker

    settings = _settings(ctx)
    wid = worker_id or f"{socket.gethostname()}-{os.getpid()}"
    config = MatchConfig()
    if threshold is not None:
        config = replace(config, threshold=threshold)
    if max_per_client is not None:
        config = replace(config, max_referrals_per_client=max_per_client)
    worker = WorkerSettings(
        app_id=app_id, worker_id=wid,
        store="memory" if store == "memory" else "rocksdb",
        data_dir=data_dir or settings.home / "matcher" / wid,
        web_port=web_port, regional_partitions=partitions, tick_interval_s=tick_interval,
        standby_replicas=standby_replicas, commit_interval_s=commit_interval,
        status_file=status_file, clients_topic=clients_topic,
        vacancies_topic=vacancies_topic, take_max=batch_max, take_within_s=batch_within,
        flush_outputs=flush_outputs, heap_settle_s=heap_settle or None,
    )
    from services.log_privacy import quiet_payload_loggers

    quiet_payload_loggers()  # even at --loglevel debug: records carry personal data
    run_worker(settings, config, worker, loglevel=loglevel)
