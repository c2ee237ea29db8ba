"""Talking to a running broker: is it up, and does it have our topics."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas.topics import TopicSpec

__all__ = [
    "TopicReport",
    "TopicState",
    "describe_topics",
    "ensure_topics",
    "is_up",
    "wait_until_up",
]


def _admin(bootstrap: str, timeout_s: float) -> Any:
    # Imported lazily: kafka-python takes ~150 ms to import, paid by every `jobmatch` command.
    from kafka.admin import KafkaAdminClient

    ms = max(int(timeout_s * 1000), 500)
    return KafkaAdminClient(
        bootstrap_servers=[s.strip() for s in bootstrap.split(",") if s.strip()],
        client_id="jobmatch-kafka-admin",
        bootstrap_timeout_ms=ms,
        request_timeout_ms=max(ms, 5000),
        reconnect_backoff_max_ms=1000,
    )


def is_up(bootstrap: str, timeout_s: float = 3.0) -> bool:
    """True when a broker answers a metadata request and reports at least one live broker."""
    try:
        admin = _admin(bootstrap, timeout_s)
    except Exception:  # any failure to connect means "not up"
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except Exception:
        return False
    finally:
        admin.close()


def wait_until_up(
    bootstrap: str, timeout_s: float, alive: Callable[[], bool] | None = None
) -> bool:
    """Poll until the broker is up; ``alive()`` returning False aborts early (process died)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            return False
        if is_up(bootstrap, timeout_s=2.0):
            return True
        time.sleep(0.5)
    return False


@dataclass(frozen=True)
class TopicState:
    partitions: int
    configs: dict[str, str]


@dataclass
class TopicReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def ensure_topics(
    bootstrap: str, specs: Iterable[TopicSpec], timeout_s: float = 30.0
) -> TopicReport:
    """Create the topics that do not exist yet, with their partition counts and configs.

    Existing topics are left as they are: changing partition counts of a keyed topic would
    break per-key ordering, so that has to be a deliberate migration, not a side effect.
    """
    from kafka import errors

    wanted = {spec.name: spec for spec in specs}
    report = TopicReport()
    admin = _admin(bootstrap, timeout_s)
    try:
        present = set(admin.list_topics())
        report.existing = sorted(name for name in wanted if name in present)
        replicas = _replication(admin)
        missing = {
            name: {
                "num_partitions": spec.partitions,
                "replication_factor": replicas,
                "configs": dict(spec.config),
            }
            for name, spec in wanted.items()
            if name not in present
        }
        if not missing:
            return report
        response = admin.create_topics(
            missing, timeout_ms=int(timeout_s * 1000), raise_errors=False, wait_for_metadata=True
        )
        problems: list[str] = []
        for topic in response["topics"]:
            error = errors.for_code(topic["error_code"])
            if error is errors.NoError:
                report.created.append(topic["name"])
            elif error is errors.TopicAlreadyExistsError:
                # Someone (a Faust worker, a parallel start) won the race; that is fine.
                report.existing.append(topic["name"])
            else:
                detail = topic.get("error_message") or ""
                problems.append(f"{topic['name']}: {error.__name__} {detail}")
        if problems:
            raise RuntimeError("Could not create topics:\n  " + "\n  ".join(problems))
    finally:
        admin.close()
    report.created.sort()
    report.existing.sort()
    return report


def _replication(admin: Any) -> int:
    # One replica per broker at most; never more than 3, the usual production setting.
    brokers = admin.describe_cluster().get("brokers") or [None]
    return min(len(brokers), 3)


def describe_topics(
    bootstrap: str, names: list[str], timeout_s: float = 10.0
) -> dict[str, TopicState]:
    """Partition count and non-default configs of each of ``names`` that exists."""
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = _admin(bootstrap, timeout_s)
    try:
        meta = {t["name"]: t for t in admin.describe_topics(names) if t.get("error_code", 0) == 0}
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in meta]
        configs = admin.describe_configs(resources).get("topic", {}) if resources else {}
    finally:
        admin.close()
    return {
        name: TopicState(
            partitions=len(topic["partitions"]),
            configs={k: str(v.get("value")) for k, v in configs.get(name, {}).items()},
        )
        for name, topic in meta.items()
    }
