"""Settings shared by every service: one frozen object, read at the entry point.

Precedence: environment variables, then a ``jobmatch.toml`` settings file (path in
``JOBMATCH_SETTINGS``, else ``./jobmatch.toml`` if present), then the local defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "load_settings"]

DEFAULT_BOOTSTRAP = "127.0.0.1:19092"


@dataclass(frozen=True)
class Settings:
    bootstrap_servers: str = DEFAULT_BOOTSTRAP
    # Where local state lives: the broker's data and jars, tokens, stores.
    home: Path = Path(".jobmatch")

    @property
    def bootstrap_list(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]


def _file_values(path: Path | None) -> dict[str, str]:
    if path is None:
        env_path = os.environ.get("JOBMATCH_SETTINGS")
        path = Path(env_path) if env_path else Path("jobmatch.toml")
        if not path.exists():
            return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {str(k): str(v) for k, v in data.items()}


def load_settings(path: Path | None = None) -> Settings:
    values = _file_values(path)
    bootstrap = os.environ.get(
        "KAFKA_BOOTSTRAP_SERVERS", values.get("kafka_bootstrap_servers", DEFAULT_BOOTSTRAP)
    )
    home = Path(os.environ.get("JOBMATCH_HOME", values.get("home", ".jobmatch")))
    return Settings(bootstrap_servers=bootstrap, home=home)
