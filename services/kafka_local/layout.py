"""Where the local broker keeps its files, and which ports it listens on.

Everything lives under ``<home>/kafka`` so that ``jobmatch kafka reset`` can drop the data
while keeping the (slow to download) jar cache next to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from services.settings import DEFAULT_BOOTSTRAP, Settings

__all__ = ["DEFAULT_PORT", "PORT_ENV", "KafkaLayout", "is_local", "kafka_port", "local_bootstrap"]

DEFAULT_PORT = 19092
PORT_ENV = "JOBMATCH_KAFKA_PORT"
# Only loopback: the local broker has no authentication, so it must not be reachable from outside.
HOST = "127.0.0.1"


def kafka_port(env: dict[str, str] | None = None) -> int:
    """The PLAINTEXT port of the local broker; the controller listens on the next one."""
    raw = (os.environ if env is None else env).get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{PORT_ENV} must be a port number, got {raw!r}") from None
    if not 1024 <= port <= 65534:  # the controller needs port + 1 too
        raise ValueError(f"{PORT_ENV} must be between 1024 and 65534, got {port}")
    return port


def local_bootstrap(port: int) -> str:
    return f"{HOST}:{port}"


def is_local(settings: Settings, port: int) -> bool:
    """True when the configured bootstrap is the broker this package runs itself.

    An explicit KAFKA_BOOTSTRAP_SERVERS elsewhere means someone else runs Kafka, and we must
    not start a second broker that nobody would talk to.
    """
    ours = {DEFAULT_BOOTSTRAP, local_bootstrap(port), f"localhost:{port}"}
    return settings.bootstrap_servers.strip() in ours


@dataclass(frozen=True)
class KafkaLayout:
    root: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaLayout:
        # Absolute, because the broker runs with its own working directory.
        return cls(settings.home.expanduser().resolve() / "kafka")

    @property
    def jars_dir(self) -> Path:
        return self.root / "jars"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def pid_file(self) -> Path:
        return self.root / "broker.pid"

    @property
    def console_log(self) -> Path:
        """The JVM's own stdout/stderr: where a crash before log4j starts shows up."""
        return self.logs_dir / "console.log"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def server_properties(self) -> Path:
        return self.root / "server.properties"
