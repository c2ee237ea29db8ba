"""docker-compose.yml cannot run here (no Docker engine), so check what can be checked:
every service's command is a real `jobmatch` subcommand with options it accepts."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import yaml

from services.cli import main

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _services() -> dict[str, dict[str, object]]:
    data = yaml.safe_load(COMPOSE.read_text())
    services: dict[str, dict[str, object]] = data["services"]
    return services


def _resolve(argv: list[str]) -> click.Command:
    """Walk the click tree along argv and parse the leaf's options, as the CLI would."""
    command: click.Command = main
    args = list(argv)
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        name = args.pop(0)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"no such jobmatch subcommand: {name!r} in {argv}"
        command = sub
    assert not isinstance(command, click.Group), f"{argv} names a group, not a command"
    command.make_context(command.name or "", args, resilient_parsing=False)
    return command


def test_kafka_uses_the_official_image_in_kraft_mode() -> None:
    kafka = _services()["kafka"]
    assert str(kafka["image"]).startswith("apache/kafka:3.9")
    env = kafka["environment"]
    assert isinstance(env, dict) and env["KAFKA_PROCESS_ROLES"] == "broker,controller"


@pytest.mark.parametrize("name", [n for n, s in yaml.safe_load(COMPOSE.read_text())["services"]
                                  .items() if "command" in s])
def test_every_service_command_exists_in_the_cli(name: str) -> None:
    command = _services()[name]["command"]
    assert isinstance(command, list)
    _resolve([str(part) for part in command])


def test_the_resolver_rejects_a_command_that_does_not_exist() -> None:
    with pytest.raises(AssertionError):
        _resolve(["no-such-command"])
    with pytest.raises(click.UsageError):
        _resolve(["kafka", "status", "--no-such-option"])
