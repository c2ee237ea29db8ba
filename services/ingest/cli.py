"""``jobmatch ingest``: files, the HTTP API, the raw-topic relay, erasure and tokens.

Exit codes: 0 every valid record was published; 1 some were not acknowledged by Kafka (the
summary names them); 2 bad usage; 3 Kafka unreachable at start (nothing was published).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from schemas import RAW_CLIENTS, RAW_VACANCIES
from schemas.validation import RecordKind
from services.errors import BrokerUnavailable, ConfigurationError
from services.settings import Settings

if TYPE_CHECKING:
    from services.ingest.publisher import KafkaPublisher

__all__ = ["ingest"]

log = logging.getLogger("jobmatch.ingest")

EXIT_NOT_PUBLISHED = 1
EXIT_BROKER_UNAVAILABLE = 3


def _publisher(settings: Settings, delivery_timeout_s: float | None = None) -> KafkaPublisher:
    from services.ingest.publisher import KafkaPublisher, ProducerConfig

    config = ProducerConfig(settings.bootstrap_servers)
    if delivery_timeout_s is not None:
        config = ProducerConfig(settings.bootstrap_servers,
                                delivery_timeout_ms=int(delivery_timeout_s * 1000))
    try:
        return KafkaPublisher(config)
    except BrokerUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BROKER_UNAVAILABLE)


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.group()
def ingest() -> None:
    """Bring clients and vacancies into jobmatch: files, HTTP, raw topics."""


def _file_command(kind: RecordKind, name: str) -> click.Command:
    @click.command(name=name)
    @click.argument("files", nargs=-1, required=True,
                    type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True,
                  help='Print a JSON summary as the last line: {"read","published","rejected"}.')
    @click.option("--delivery-timeout", type=float, default=120.0, show_default=True,
                  help="Seconds the producer keeps retrying a record before giving up.")
    @click.option("-v", "--verbose", is_flag=True, help="Log each rejection (no values).")
    @click.pass_obj
    def command(settings: Settings, files: tuple[Path, ...], as_json: bool,
                delivery_timeout: float, verbose: bool) -> None:
        from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type information

        from services.ingest.files import ingest_files

        _logging(verbose)
        publisher = _publisher(settings, delivery_timeout)
        started = time.monotonic()
        bar = tqdm(unit=" rec", desc=f"{name}", disable=not sys.stderr.isatty(),
                   file=sys.stderr, mininterval=0.5)
        try:
            accounting = ingest_files(files, kind, publisher, progress=bar.update)
        finally:
            bar.close()
            publisher.close()
        elapsed = time.monotonic() - started
        for failure in accounting.failures:
            click.echo(f"not published: {failure.position} id={failure.record_id} "
                       f"({failure.error})", err=True)
        rate = accounting.read / elapsed if elapsed > 0 else 0.0
        line = (f"{name}: read {accounting.read}, published {accounting.published}, "
                f"rejected {accounting.rejected} (dead-letter topic)")
        if accounting.failed:
            line += f", NOT PUBLISHED {accounting.failed} (listed above; send them again)"
        click.echo(f"{line}; {elapsed:.1f}s, {rate:,.0f} records/s",
                   err=as_json)
        if as_json:
            click.echo(json.dumps(accounting.as_json()))
        if accounting.failed:
            sys.exit(EXIT_NOT_PUBLISHED)

    command.help = (f"Publish {name} from JSON Lines or CSV FILES (docs/csv-format.md). "
                    "Invalid records go to the dead-letter topic; the rest on.")
    return command


ingest.add_command(_file_command("client", "clients"))
ingest.add_command(_file_command("vacancy", "vacancies"))


@ingest.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option("--max-body-bytes", default=8 * 1024 * 1024, show_default=True, type=int)
@click.option("--max-batch", default=2000, show_default=True, type=int)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, max_body_bytes: int, max_batch: int) -> None:
    """Run the HTTP ingest API (OpenAPI docs at /docs)."""
    import uvicorn

    from services.ingest.api import ApiLimits, create_app
    from services.ingest.tokens import TokenStore, default_token_path

    _logging(True)
    publisher = _publisher(settings)
    tokens = TokenStore(default_token_path(settings.home))
    app = create_app(publisher, tokens,
                     ApiLimits(max_body_bytes=max_body_bytes, max_batch_records=max_batch))
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        publisher.close()


@ingest.command()
@click.option("--idle-timeout", type=float, default=None,
              help="Exit after this many seconds without a record while holding partitions "
                   "(default: run until stopped).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on exit.")
@click.pass_obj
def relay(settings: Settings, idle_timeout: float | None, as_json: bool) -> None:
    """Validate the raw topics into the canonical ones (group jobmatch-ingest-relay)."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    from services.ingest.relay import GROUP_ID, run_relay

    _logging(True)
    publisher = _publisher(settings)
    try:
        consumer = KafkaConsumer(
            RAW_CLIENTS.name, RAW_VACANCIES.name,
            bootstrap_servers=settings.bootstrap_list, group_id=GROUP_ID,
            enable_auto_commit=False, auto_offset_reset="earliest",
            client_id="jobmatch-ingest-relay",
        )
    except KafkaError as exc:
        click.echo(f"error: Kafka is not reachable: {exc}", err=True)
        publisher.close()
        sys.exit(EXIT_BROKER_UNAVAILABLE)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        stats = run_relay(consumer, publisher, idle_timeout_s=idle_timeout,
                          stop=stop)
    finally:
        consumer.close()
        publisher.close()
    summary = {"read": stats.read, "published": stats.published, "rejected": stats.rejected}
    click.echo(json.dumps(summary) if as_json else
               f"relay: read {stats.read}, published {stats.published}, "
               f"rejected {stats.rejected}")


@ingest.command()
@click.argument("client_id")
@click.pass_obj
def erase(settings: Settings, client_id: str) -> None:
    """Erase a client: publish a tombstone for CLIENT_ID on the clients topic."""
    from services.ingest.pipeline import Ingestor, is_valid_id

    _logging(True)
    if not is_valid_id(client_id):
        raise click.BadParameter("must be 1-64 characters of A-Z a-z 0-9 . _ -")
    publisher = _publisher(settings)
    ingestor = Ingestor(publisher, "client", "file")
    ingestor.submit_tombstone("cli", client_id)
    try:
        accounting = ingestor.finish(30.0)
    finally:
        publisher.close()
    if accounting.published != 1:
        click.echo(f"error: erasure of {client_id} not acknowledged; run it again", err=True)
        sys.exit(EXIT_NOT_PUBLISHED)
    log.info("erasure published for client_id=%s", client_id)
    click.echo(f"erased {client_id} (tombstone published)")


@ingest.group()
def tokens() -> None:
    """Manage the HTTP API's publisher tokens (stored hashed)."""


@tokens.command("create")
@click.argument("publisher")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice(["clients", "vacancies", "erase"]))
@click.pass_obj
def tokens_create(settings: Settings, publisher: str, scopes: tuple[str, ...]) -> None:
    """Create a token for PUBLISHER; it is printed once and never stored."""
    from services.ingest.tokens import TokenStore, default_token_path

    try:
        token, info = TokenStore(default_token_path(settings.home)).create(publisher, list(scopes))
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"token id {info.token_id} for {info.publisher}, scopes {','.join(info.scopes)}"
               " (shown once; keep it secret):", err=True)
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id_or_publisher")
@click.pass_obj
def tokens_revoke(settings: Settings, token_id_or_publisher: str) -> None:
    """Revoke a token by its id, or every token of a publisher."""
    from services.ingest.tokens import TokenStore, default_token_path

    revoked = TokenStore(default_token_path(settings.home)).revoke(token_id_or_publisher)
    if not revoked:
        click.echo(f"no active token matches {token_id_or_publisher}", err=True)
        sys.exit(1)
    for info in revoked:
        click.echo(f"revoked {info.token_id} ({info.publisher})")


@tokens.command("list")
@click.pass_obj
def tokens_list(settings: Settings) -> None:
    """List tokens (ids, publishers, scopes, state; never the tokens)."""
    from services.ingest.tokens import TokenStore, default_token_path

    for info in TokenStore(default_token_path(settings.home)).all():
        state = "active" if info.active else f"revoked {info.revoked_at}"
        click.echo(f"{info.token_id}  {info.publisher}  {','.join(info.scopes)}  "
                   f"created {info.created_at}  {state}")
