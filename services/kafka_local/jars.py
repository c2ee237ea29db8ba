"""Resolving the Kafka broker's jars from Maven Central, once, into a local cache.

Maven is used instead of the Kafka tarball because it is already a prerequisite, goes through
whatever mirror/proxy ``~/.m2/settings.xml`` configures, and verifies checksums.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "KAFKA_VERSIONS",
    "JarResolutionError",
    "cached_version",
    "ensure_jars",
    "marker_path",
    "pom_path",
]

# Preferred first; the fallback only matters if a mirror lags behind Maven Central.
KAFKA_VERSIONS: tuple[str, ...] = ("3.9.1", "3.9.0")
_MARKER_PREFIX = ".complete-kafka-"


class JarResolutionError(RuntimeError):
    pass


def pom_path() -> Path:
    return Path(__file__).with_name("pom.xml")


def marker_path(jars_dir: Path, version: str) -> Path:
    return jars_dir / f"{_MARKER_PREFIX}{version}"


def cached_version(jars_dir: Path) -> str | None:
    """The pinned version whose jars are completely in the cache, if any.

    The marker is written only after Maven succeeded, so an interrupted download is never
    mistaken for a usable cache.
    """
    for version in KAFKA_VERSIONS:
        if marker_path(jars_dir, version).is_file() and any(jars_dir.glob(f"kafka_*{version}.jar")):
            return version
    return None


def _resolve(jars_dir: Path, version: str) -> subprocess.CompletedProcess[str]:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise JarResolutionError("`mvn` not found on PATH; Maven is needed once to fetch Kafka")
    return subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom_path()),
            "dependency:copy-dependencies",
            f"-Dkafka.version={version}",
            f"-DoutputDirectory={jars_dir}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def ensure_jars(jars_dir: Path, log: Callable[[str], None] | None = None) -> str:
    """Make sure the broker's jars are in ``jars_dir``; return the Kafka version they are."""
    version = cached_version(jars_dir)
    if version is not None:
        return version
    failures: list[str] = []
    for version in KAFKA_VERSIONS:
        # A half-filled dir from an earlier attempt could mix versions on the classpath.
        if jars_dir.exists():
            shutil.rmtree(jars_dir)
        jars_dir.mkdir(parents=True)
        if log is not None:
            log(f"Fetching Apache Kafka {version} jars from Maven Central (first start only)...")
        result = _resolve(jars_dir, version)
        if result.returncode == 0:
            marker_path(jars_dir, version).write_text(f"{version}\n", encoding="utf-8")
            return version
        failures.append(f"--- Kafka {version} ---\n{(result.stdout + result.stderr)[-2000:]}")
    raise JarResolutionError("Could not resolve the Kafka jars with Maven:\n" + "\n".join(failures))
