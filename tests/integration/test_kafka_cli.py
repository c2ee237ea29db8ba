"""`jobmatch kafka` against the real, shared local broker. Nothing here stops or resets it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from schemas.topics import TOPICS
from services.cli import main
from services.kafka_local.topics_admin import describe_topics

pytestmark = pytest.mark.integration


def test_status_reports_up(kafka_bootstrap: str) -> None:
    result = CliRunner().invoke(main, ["kafka", "status"])
    assert result.exit_code == 0, result.output
    assert "up" in result.output
    assert kafka_bootstrap in result.output


def test_start_is_idempotent_when_up(kafka_bootstrap: str) -> None:
    result = CliRunner().invoke(main, ["kafka", "start"])
    assert result.exit_code == 0, result.output
    assert "already up" in result.output or "external" in result.output.lower()
    assert f"{len(TOPICS)} project topics present" in result.output


def test_create_topics_leaves_existing_topics_alone(kafka_bootstrap: str) -> None:
    result = CliRunner().invoke(main, ["kafka", "create-topics"])
    assert result.exit_code == 0, result.output
    for spec in TOPICS:
        assert f"exists   {spec.name}" in result.output


def test_topics_exist_with_partitions_and_configs(kafka_bootstrap: str) -> None:
    state = describe_topics(kafka_bootstrap, [spec.name for spec in TOPICS])
    for spec in TOPICS:
        assert spec.name in state, f"topic {spec.name} missing"
        topic = state[spec.name]
        assert topic.partitions == spec.partitions, spec.name
        # "delete" is the broker default, so it only shows up as a modified config if set.
        expected_policy = spec.config.get("cleanup.policy", "delete")
        assert topic.configs.get("cleanup.policy", "delete") == expected_policy, spec.name
        for key, value in spec.config.items():
            assert topic.configs.get(key) == value, f"{spec.name} {key}"
