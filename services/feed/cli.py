"""`jobmatch feed ...`: serve the employer API, run the consumer and dispatcher, manage keys
and webhooks, rebuild the store."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import click

from services.settings import Settings

__all__ = ["feed"]

_META = "jobmatch.feed"


def _open(ctx: click.Context) -> tuple[Any, Any]:
    """The store and the config, built here at the entry point (heavy imports are lazy)."""
    from services.feed.config import feed_config
    from services.feed.store import Store

    settings: Settings = ctx.find_root().obj
    opts = ctx.meta[_META]
    config = feed_config(settings, opts["database_url"], opts["allow_private"])
    store = Store(config.database_url)
    store.create_schema()
    return store, config


@click.group()
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host:5432/db "
                   "(default: SQLite at $JOBMATCH_HOME/feed.db).")
@click.option("--allow-private-webhooks", is_flag=True, default=None,
              help="Development only: allow http:// and loopback/private webhook URLs "
                   "(or JOBMATCH_FEED_ALLOW_PRIVATE_WEBHOOKS=1).")
@click.pass_context
def feed(ctx: click.Context, database_url: str | None,
         allow_private_webhooks: bool | None) -> None:
    """Employer referral feed: API, webhooks, consumer, keys."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ctx.meta[_META] = {"database_url": database_url, "allow_private": allow_private_webhooks}


@feed.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8082, show_default=True, type=int)
@click.option("--consumer/--no-consumer", default=True, show_default=True,
              help="Run the topic consumer in this process.")
@click.option("--dispatcher/--no-dispatcher", default=True, show_default=True,
              help="Run the webhook dispatcher in this process.")
@click.option("--outcomes/--no-outcomes", default=True, show_default=True,
              help="Accept outcomes (needs Kafka for the producer).")
@click.pass_context
def serve(ctx: click.Context, *, host: str, port: int, consumer: bool, dispatcher: bool,
          outcomes: bool) -> None:
    """Run the employer API (docs at /docs), with the consumer and dispatcher by default."""
    from services.feed.runner import serve as run

    store, config = _open(ctx)
    run(store, config, host, port, consumer=consumer, dispatcher=dispatcher, outcomes=outcomes)


@feed.command()
@click.option("--idle-timeout", type=float, default=None,
              help="Stop after this many seconds without a record (tests, batch runs).")
@click.pass_context
def consume(ctx: click.Context, idle_timeout: float | None) -> None:
    """Consume referrals and client erasures into the store (offsets kept in the store)."""
    from services.feed.consumer import FeedConsumer

    store, config = _open(ctx)
    stats = FeedConsumer(store, config).run(stop=threading.Event(), idle_timeout_s=idle_timeout)
    click.echo(json.dumps(stats.__dict__))


@feed.command()
@click.option("--idle-timeout", type=float, default=None,
              help="Stop after this many seconds with nothing due.")
@click.pass_context
def dispatch(ctx: click.Context, idle_timeout: float | None) -> None:
    """Send due webhook deliveries, with retries."""
    from services.feed.webhooks_dispatch import Dispatcher

    store, config = _open(ctx)
    sent = Dispatcher(store, config).run(idle_timeout_s=idle_timeout)
    click.echo(json.dumps({"attempts": sent}))


@feed.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Rebuild the referral store from the referral topic (stop the consumer first)."""
    from services.feed.rebuild import rebuild as run

    store, config = _open(ctx)
    click.echo(json.dumps(run(store, config).__dict__))


@feed.command()
@click.pass_context
def dump(ctx: click.Context) -> None:
    """Print the referral store as canonical JSON (to compare stores)."""
    from services.feed.rebuild import canonical_dump

    store, _ = _open(ctx)
    click.echo(json.dumps(canonical_dump(store), sort_keys=True, indent=1))


@feed.group()
def keys() -> None:
    """Employers' API keys (stored hashed; a new key is printed once)."""


@keys.command("create")
@click.argument("employer_id")
@click.pass_context
def keys_create(ctx: click.Context, employer_id: str) -> None:
    from services.feed.keys import create_key

    store, _ = _open(ctx)
    key_id, full = create_key(store, employer_id)
    click.echo(f"key_id {key_id}\n{full}\n(shown once: store it now)")


@keys.command("revoke")
@click.argument("employer_id")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx: click.Context, employer_id: str, key_id: str) -> None:
    from services.feed.keys import revoke_key

    store, _ = _open(ctx)
    if not revoke_key(store, employer_id, key_id):
        raise click.ClickException(f"no active key {key_id} for {employer_id}")
    click.echo(f"revoked {key_id}")


@keys.command("list")
@click.argument("employer_id")
@click.pass_context
def keys_list(ctx: click.Context, employer_id: str) -> None:
    from services.feed.keys import list_keys

    store, _ = _open(ctx)
    for k in list_keys(store, employer_id):
        click.echo(f"{k.key_id}\t{'revoked' if k.revoked_at else 'active'}")


@feed.group()
def webhooks() -> None:
    """Employers' webhook endpoints."""


@webhooks.command("add")
@click.argument("employer_id")
@click.argument("url")
@click.pass_context
def webhooks_add(ctx: click.Context, employer_id: str, url: str) -> None:
    from services.feed.ssrf import UnsafeUrl
    from services.feed.webhooks_store import add_endpoint

    store, config = _open(ctx)
    try:
        endpoint, secret = add_endpoint(store, employer_id, url, config)
    except UnsafeUrl as exc:
        raise click.ClickException(f"url refused: {exc}") from exc
    click.echo(f"{endpoint.endpoint_id}\nsecret {secret}\n(shown once: store it now)")


@webhooks.command("list")
@click.argument("employer_id")
@click.pass_context
def webhooks_list(ctx: click.Context, employer_id: str) -> None:
    from services.feed.webhooks_store import list_endpoints

    store, _ = _open(ctx)
    for e in list_endpoints(store, employer_id):
        state = "enabled" if e.enabled else f"disabled ({e.disabled_reason})"
        click.echo(f"{e.endpoint_id}\t{e.url}\t{state}")


@webhooks.command("remove")
@click.argument("employer_id")
@click.argument("endpoint_id")
@click.pass_context
def webhooks_remove(ctx: click.Context, employer_id: str, endpoint_id: str) -> None:
    from services.feed.webhooks_store import remove_endpoint

    store, _ = _open(ctx)
    if not remove_endpoint(store, employer_id, endpoint_id):
        raise click.ClickException(f"no endpoint {endpoint_id} for {employer_id}")
    click.echo(f"removed {endpoint_id}")
