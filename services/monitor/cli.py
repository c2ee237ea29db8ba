"""`jobmatch monitor serve`: the operators' dashboard over the Kafka topics."""

from __future__ import annotations

import logging
from fractions import Fraction

import click

from services.errors import ConfigurationError
from services.settings import Settings

__all__ = ["monitor", "parse_health_urls"]


def parse_health_urls(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``name=http://host:port/healthz`` pairs; a bare URL is named by its host and port."""
    pairs = []
    for value in values:
        name, sep, url = value.partition("=")
        if not sep:
            name, url = value.split("//", 1)[-1].split("/", 1)[0], value
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"--health-url needs an http(s) URL, got {value!r}")
        pairs.append((name, url))
    return tuple(pairs)


@click.group()
def monitor() -> None:
    """Operator monitoring: stream health and the equality monitor."""


@monitor.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The dashboard has no login: keep it on a private "
                   "network.")
@click.option("--port", default=8090, show_default=True, type=int)
@click.option("--group", "groups", multiple=True, envvar="JOBMATCH_MONITOR_GROUPS",
              help="Consumer group to watch (repeatable). Default: every group.")
@click.option("--health-url", "health_urls", multiple=True, envvar="JOBMATCH_MONITOR_HEALTH_URLS",
              help="name=URL of a service's /healthz to poll (repeatable).")
@click.option("--poll-interval", default=2.0, show_default=True, type=click.FloatRange(0.2, 60),
              help="Seconds between offset and health polls.")
@click.option("--min-group-size", default=10, show_default=True, type=click.IntRange(10),
              help="Equality groups smaller than this are hidden (never below 10).")
@click.pass_obj
def serve(  # noqa: PLR0917 - click passes every option positionally
    settings: Settings, host: str, port: int, groups: tuple[str, ...],
    health_urls: tuple[str, ...], poll_interval: float, min_group_size: int,
) -> None:
    """Serve the dashboard, /api/*, /metrics, /healthz and /readyz."""
    import uvicorn

    from services.monitor.app import create_app
    from services.monitor.collector import Collector
    from services.monitor.config import MonitorConfig
    from services.monitor.state import MonitorState

    try:
        urls = parse_health_urls(health_urls)
    except ConfigurationError as exc:
        raise click.BadParameter(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # One line per poll of every URL and every reconnect attempt drowns what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.WARNING)
    config = MonitorConfig(bootstrap_servers=settings.bootstrap_servers, groups=groups,
                           health_urls=urls, poll_interval_s=poll_interval,
                           min_group_size=min_group_size, impact_threshold=Fraction(4, 5))
    state = MonitorState(config)
    collector = Collector(config, state)
    collector.start()
    try:
        # uvicorn handles SIGINT/SIGTERM and returns; the collector is stopped either way.
        uvicorn.run(create_app(state, collector.ready), host=host, port=port,
                    log_level="warning", access_log=False)
    finally:
        collector.stop()
