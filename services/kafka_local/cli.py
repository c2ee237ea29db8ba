"""``jobmatch kafka ...``: run a real single-node Kafka broker locally, without Docker."""

from __future__ import annotations

import sys
import time

import click

from schemas.topics import TOPICS
from services.kafka_local import broker
from services.kafka_local.topics_admin import ensure_topics, is_up
from services.settings import Settings, load_settings

__all__ = ["kafka"]

EXIT_DOWN = 3


def _settings(ctx: click.Context) -> Settings:
    # The root `jobmatch` group puts Settings in ctx.obj; fall back so the group works standalone.
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else load_settings()


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.group()
def kafka() -> None:
    """Run a local Apache Kafka 3.9 broker (single node, KRaft, 127.0.0.1 only).

    The broker is a plain Java 17 process: its jars are fetched once from Maven Central with
    `mvn` and cached in <home>/kafka/jars; data, logs and the pid file live next to them in
    <home>/kafka (home: JOBMATCH_HOME, default ./.jobmatch).

    Ports: 19092 for clients and 19093 for the controller; set JOBMATCH_KAFKA_PORT to move
    both (controller = port + 1) and point KAFKA_BOOTSTRAP_SERVERS at 127.0.0.1:<port>.
    """


@kafka.command()
@click.pass_context
def start(ctx: click.Context) -> None:
    """Start the broker (if not up yet) and create the project's topics.

    Idempotent: if the broker is already up, only the topics are checked. Waits up to 90 s
    until the broker accepts connections; on failure prints the tail of its log.

    If KAFKA_BOOTSTRAP_SERVERS points somewhere other than the local broker, no broker is
    started: the command only checks that address is reachable and creates the topics there.
    """
    began = time.monotonic()
    try:
        result = broker.start(_settings(ctx), log=click.echo)
    except (broker.BrokerError, RuntimeError) as exc:
        _fail(f"kafka start failed: {exc}")
        return
    if not result.managed:
        click.echo(f"Using external Kafka at {result.bootstrap} (KAFKA_BOOTSTRAP_SERVERS).")
    elif result.already_running:
        pid = f" (pid {result.pid})" if result.pid else ""
        click.echo(f"Kafka is already up on {result.bootstrap}{pid}.")
    else:
        click.echo(
            f"Kafka {result.kafka_version} is up on {result.bootstrap} (pid {result.pid}) "
            f"after {time.monotonic() - began:.1f} s."
        )
    if result.topics.created:
        click.echo("Created topics: " + ", ".join(result.topics.created))
    present = len(result.topics.created) + len(result.topics.existing)
    click.echo(f"{present} project topics present.")


@kafka.command()
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    help="Seconds to wait for a clean shutdown before SIGKILL.",
)
@click.pass_context
def stop(ctx: click.Context, timeout: float) -> None:
    """Stop the local broker: SIGTERM, wait for a clean shutdown, then SIGKILL.

    Exits 0 when the broker was not running either.
    """
    outcome = broker.stop(_settings(ctx), timeout_s=timeout)
    if outcome is None:
        click.echo("Kafka is not running (no live broker from the pid file).")
    elif outcome:
        click.echo("Kafka stopped.")
    else:
        click.echo(f"Kafka did not stop within {timeout:.0f} s and was killed.", err=True)


@kafka.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Print whether Kafka is up and its bootstrap address. Exit code 0 if up, 3 if down."""
    state = broker.status(_settings(ctx))
    where = "" if state.managed else " (external, KAFKA_BOOTSTRAP_SERVERS)"
    pid = f", pid {state.pid}" if state.pid else ""
    click.echo(f"kafka: {'up' if state.up else 'down'} at {state.bootstrap}{where}{pid}")
    if not state.up:
        sys.exit(EXIT_DOWN)


@kafka.command()
@click.option("--force", is_flag=True, help="Stop the broker first if it is running.")
@click.pass_context
def reset(ctx: click.Context, force: bool) -> None:
    """Delete the local broker's data: all topics, offsets and the cluster id.

    Refuses while the broker is running unless --force. The jar cache is kept, so the next
    start needs no network.
    """
    try:
        data_dir = broker.reset(_settings(ctx), force=force)
    except broker.BrokerError as exc:
        _fail(f"kafka reset refused: {exc}")
        return
    click.echo(f"Deleted {data_dir}.")


@kafka.command("create-topics")
@click.pass_context
def create_topics(ctx: click.Context) -> None:
    """Create the project's topics (schemas/topics.py) on the configured broker.

    Existing topics are left unchanged. Works against the local broker or whatever
    KAFKA_BOOTSTRAP_SERVERS names.
    """
    bootstrap, _ = broker.bootstrap_for(_settings(ctx))
    if not is_up(bootstrap, timeout_s=10.0):
        _fail(f"Kafka at {bootstrap} is not reachable; run `jobmatch kafka start` first.")
    try:
        report = ensure_topics(bootstrap, TOPICS)
    except RuntimeError as exc:
        _fail(str(exc))
        return
    for name in report.created:
        click.echo(f"created  {name}")
    for name in report.existing:
        click.echo(f"exists   {name}")
