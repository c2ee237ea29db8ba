"""The local-broker helpers that need no broker: config rendering, jar cache, pid handling."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.kafka_local import broker, jars, pidfile
from services.kafka_local.layout import DEFAULT_PORT, KafkaLayout, is_local, kafka_port
from services.kafka_local.server_config import render_server_properties
from services.settings import Settings


def _props(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


# --- server.properties ------------------------------------------------------------------------


def test_server_properties_single_node_kraft(tmp_path: Path) -> None:
    props = _props(render_server_properties(tmp_path / "data", 19092))
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.quorum.voters"] == f"{props['node.id']}@127.0.0.1:19093"
    assert props["log.dirs"] == str(tmp_path / "data")
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["num.partitions"] == "8"


def test_server_properties_binds_loopback_only(tmp_path: Path) -> None:
    text = render_server_properties(tmp_path, 19092)
    assert "0.0.0.0" not in text
    assert "localhost" not in text


def test_server_properties_follow_port_override(tmp_path: Path) -> None:
    port = kafka_port({"JOBMATCH_KAFKA_PORT": "29092"})
    props = _props(render_server_properties(tmp_path, port))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"


# --- ports and which broker is ours ------------------------------------------------------------


def test_kafka_port_default_and_override() -> None:
    assert kafka_port({}) == DEFAULT_PORT == 19092
    assert kafka_port({"JOBMATCH_KAFKA_PORT": " 29092 "}) == 29092


@pytest.mark.parametrize("raw", ["abc", "80", "65535"])
def test_kafka_port_rejects_bad_values(raw: str) -> None:
    with pytest.raises(ValueError, match="JOBMATCH_KAFKA_PORT"):
        kafka_port({"JOBMATCH_KAFKA_PORT": raw})


def test_is_local_only_for_the_default_or_our_port() -> None:
    assert is_local(Settings(), 19092)
    assert is_local(Settings(bootstrap_servers="127.0.0.1:29092"), 29092)
    assert not is_local(Settings(bootstrap_servers="kafka.example.org:9092"), 19092)
    assert not is_local(Settings(bootstrap_servers="127.0.0.1:9092"), 19092)


def test_layout_is_absolute_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    layout = KafkaLayout.from_settings(Settings(home=Path(".jobmatch")))
    assert layout.root == tmp_path.resolve() / ".jobmatch" / "kafka"
    assert layout.jars_dir.parent == layout.data_dir.parent == layout.root


# --- jar cache ---------------------------------------------------------------------------------


def _fake_download(version: str) -> object:
    def resolve(jars_dir: Path, wanted: str) -> subprocess.CompletedProcess[str]:
        if wanted != version:
            return subprocess.CompletedProcess([], 1, "", f"{wanted} not found")
        (jars_dir / f"kafka_2.13-{wanted}.jar").write_bytes(b"jar")
        return subprocess.CompletedProcess([], 0, "", "")

    return resolve


def test_cache_needs_marker_and_jar(tmp_path: Path) -> None:
    assert jars.cached_version(tmp_path) is None
    (tmp_path / "kafka_2.13-3.9.1.jar").write_bytes(b"jar")
    assert jars.cached_version(tmp_path) is None  # an interrupted download has no marker
    jars.marker_path(tmp_path, "3.9.1").write_text("3.9.1\n")
    assert jars.cached_version(tmp_path) == "3.9.1"


def test_cached_jars_skip_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kafka_2.13-3.9.1.jar").write_bytes(b"jar")
    jars.marker_path(tmp_path, "3.9.1").write_text("3.9.1\n")

    def no_network(*_: object) -> None:
        raise AssertionError("Maven must not run when the cache is complete")

    monkeypatch.setattr(jars, "_resolve", no_network)
    assert jars.ensure_jars(tmp_path) == "3.9.1"


def test_download_writes_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jars, "_resolve", _fake_download("3.9.1"))
    jars_dir = tmp_path / "jars"
    assert jars.ensure_jars(jars_dir) == "3.9.1"
    assert jars.marker_path(jars_dir, "3.9.1").is_file()


def test_falls_back_to_390_and_clears_partial_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jars_dir = tmp_path / "jars"
    jars_dir.mkdir()
    (jars_dir / "leftover-from-interrupted-run.jar").write_bytes(b"x")
    monkeypatch.setattr(jars, "_resolve", _fake_download("3.9.0"))
    assert jars.ensure_jars(jars_dir) == "3.9.0"
    assert not (jars_dir / "leftover-from-interrupted-run.jar").exists()
    assert jars.cached_version(jars_dir) == "3.9.0"


def test_download_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jars, "_resolve", _fake_download("9.9.9"))
    with pytest.raises(jars.JarResolutionError, match=r"3\.9\.1 not found"):
        jars.ensure_jars(tmp_path / "jars")


# --- pid file ----------------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def fake_broker() -> Iterator[subprocess.Popen[bytes]]:
    """A harmless process whose command line names Kafka's main class, like the real JVM."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", pidfile.BROKER_MAIN_CLASS]
    )
    yield proc
    proc.kill()
    proc.wait()


def test_missing_or_garbage_pid_file(tmp_path: Path) -> None:
    pid_file = tmp_path / "broker.pid"
    assert pidfile.live_pid(pid_file) is None
    pid_file.write_text("not a pid")
    assert pidfile.live_pid(pid_file) is None
    assert not pid_file.exists()


def test_stale_pid_of_dead_process_is_removed(tmp_path: Path) -> None:
    pid_file = tmp_path / "broker.pid"
    pidfile.write(pid_file, _dead_pid())
    assert pidfile.live_pid(pid_file) is None
    assert not pid_file.exists()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to read command lines")
def test_reused_pid_of_other_process_is_stale(tmp_path: Path) -> None:
    pid_file = tmp_path / "broker.pid"
    pidfile.write(pid_file, os.getpid())  # alive, but pytest is no Kafka broker
    assert pidfile.live_pid(pid_file) is None
    assert not pid_file.exists()


def test_live_broker_pid_is_kept(tmp_path: Path, fake_broker: subprocess.Popen[bytes]) -> None:
    pid_file = tmp_path / "broker.pid"
    pidfile.write(pid_file, fake_broker.pid)
    assert pidfile.live_pid(pid_file) == fake_broker.pid
    assert pid_file.exists()


def test_stop_and_reset(tmp_path: Path, fake_broker: subprocess.Popen[bytes]) -> None:
    settings = Settings(home=tmp_path)
    layout = KafkaLayout.from_settings(settings)
    layout.data_dir.mkdir(parents=True)
    pidfile.write(layout.pid_file, fake_broker.pid)
    with pytest.raises(broker.BrokerError, match="running"):
        broker.reset(settings)
    assert layout.data_dir.exists()
    assert broker.stop(settings, timeout_s=5) is True
    assert not layout.pid_file.exists()
    assert broker.stop(settings) is None  # not running: still fine
    broker.reset(settings)
    assert not layout.data_dir.exists()
