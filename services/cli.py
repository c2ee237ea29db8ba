"""The ``jobmatch`` command: one entry point, one subcommand group per service.

Each service owns its commands in its own ``cli`` module; this file only wires them together,
so importing it stays cheap (heavy imports happen inside the commands).
"""

from __future__ import annotations

import click

from services.settings import load_settings

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jobmatch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """jobmatch: continuous matching of job-ready clients and vacancies over Kafka.

    Settings come from the environment (KAFKA_BOOTSTRAP_SERVERS, JOBMATCH_HOME) or a
    jobmatch.toml file; with none, everything runs on local defaults (127.0.0.1).
    """
    ctx.obj = load_settings()


def _register() -> None:
    from services.demo import demo
    from services.evaluation.cli import evaluate
    from services.feed.cli import feed
    from services.ingest.cli import ingest
    from services.kafka_local.cli import kafka
    from services.matcher.cli import match
    from services.matcher.taxonomy_cli import taxonomy
    from services.matcher.worker_cli import matcher
    from services.monitor.cli import monitor
    from services.status_cli import status
    from services.tail import tail

    for command in (demo, kafka, ingest, match, matcher, taxonomy, tail, evaluate, feed, monitor,
                    status):
        main.add_command(command)


_register()
