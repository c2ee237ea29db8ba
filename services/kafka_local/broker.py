"""Starting, stopping and inspecting the local single-node Kafka broker (a plain JVM process).

Python API used by the CLI and by tests: :func:`start`, :func:`stop`, :func:`status`,
:func:`reset`, :func:`is_up`.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemas.topics import TOPICS
from services.kafka_local import pidfile
from services.kafka_local.jars import ensure_jars
from services.kafka_local.layout import HOST, KafkaLayout, is_local, kafka_port, local_bootstrap
from services.kafka_local.server_config import render_server_properties
from services.kafka_local.topics_admin import TopicReport, ensure_topics, is_up, wait_until_up
from services.settings import Settings

__all__ = [
    "BrokerError",
    "StartResult",
    "Status",
    "is_up",
    "reset",
    "start",
    "status",
    "stop",
    "tail",
]

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
JVM_HEAP = ("-Xms512m", "-Xmx768m")

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class BrokerError(RuntimeError):
    pass


@dataclass(frozen=True)
class StartResult:
    bootstrap: str
    already_running: bool
    managed: bool  # False: an external broker from KAFKA_BOOTSTRAP_SERVERS, only checked
    pid: int | None
    kafka_version: str | None
    topics: TopicReport


@dataclass(frozen=True)
class Status:
    up: bool
    bootstrap: str
    managed: bool
    pid: int | None


def bootstrap_for(settings: Settings) -> tuple[str, bool]:
    """The address to use and whether it is the broker this package runs."""
    port = kafka_port()
    if is_local(settings, port):
        return local_bootstrap(port), True
    return settings.bootstrap_servers, False


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"(no {path})"


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise BrokerError("`java` not found: install a Java 17 runtime or set JAVA_HOME")
    return java


def _jvm_prefix(layout: KafkaLayout) -> list[str]:
    log4j = Path(__file__).with_name("log4j.properties")
    return [
        _java(),
        *JVM_HEAP,
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={layout.logs_dir}",
        f"-Dlog4j.configuration=file:{log4j}",
        "-cp",
        f"{layout.jars_dir}/*",
    ]


def _cluster_id() -> str:
    # Kafka's own Uuid.randomUuid() format; ids starting with "-" are rejected by its CLI parser.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _format_storage(layout: KafkaLayout) -> None:
    if (layout.data_dir / "meta.properties").is_file():
        return
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        *_jvm_prefix(layout),
        "kafka.tools.StorageTool",
        "format",
        "--ignore-formatted",
        "-t",
        _cluster_id(),
        "-c",
        str(layout.server_properties),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BrokerError(
            f"Formatting {layout.data_dir} failed:\n{result.stdout}{result.stderr}\n"
            f"{tail(layout.server_log)}"
        )


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _failure(layout: KafkaLayout, why: str) -> BrokerError:
    return BrokerError(
        f"{why}\n--- last lines of {layout.server_log} ---\n{tail(layout.server_log)}\n"
        f"--- last lines of {layout.console_log} ---\n{tail(layout.console_log, 15)}"
    )


def _launch(layout: KafkaLayout, port: int, log: Log) -> tuple[int, str]:
    version = ensure_jars(layout.jars_dir, log=log)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    layout.server_properties.write_text(
        render_server_properties(layout.data_dir, port), encoding="utf-8"
    )
    _format_storage(layout)
    log(f"Starting Kafka {version} on {local_bootstrap(port)} (data in {layout.data_dir})...")
    with layout.console_log.open("ab") as console:
        # Own session: the broker must survive the terminal (and Ctrl-C) of whoever started it.
        proc = subprocess.Popen(
            [*_jvm_prefix(layout), "kafka.Kafka", str(layout.server_properties)],
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            cwd=layout.root,
            start_new_session=True,
        )
    pidfile.write(layout.pid_file, proc.pid)
    if not wait_until_up(local_bootstrap(port), START_TIMEOUT_S, alive=lambda: proc.poll() is None):
        died = proc.poll() is not None
        if not died:
            _terminate(proc.pid, STOP_TIMEOUT_S)
        pidfile.remove(layout.pid_file)
        why = "exited during startup" if died else f"not reachable after {START_TIMEOUT_S:.0f} s"
        hint = " If its data dir is broken or from another setup, `jobmatch kafka reset` clears it."
        raise _failure(layout, f"Kafka broker {why}.{hint}")
    return proc.pid, version


def start(settings: Settings, log: Log = _quiet) -> StartResult:
    """Start the local broker unless it is up, then make sure every topic in TOPICS exists."""
    bootstrap, managed = bootstrap_for(settings)
    if not managed:
        if not is_up(bootstrap, timeout_s=10.0):
            raise BrokerError(f"Kafka at {bootstrap} (KAFKA_BOOTSTRAP_SERVERS) is not reachable")
        return StartResult(bootstrap, True, False, None, None, ensure_topics(bootstrap, TOPICS))
    layout = KafkaLayout.from_settings(settings)
    port = kafka_port()
    pid = pidfile.live_pid(layout.pid_file)
    version: str | None = None
    already = is_up(bootstrap)
    if not already and pid is not None:
        # Started by someone else a moment ago and still booting: wait instead of racing it.
        booting = pid
        log(f"Broker process {booting} exists but is not ready yet; waiting...")
        if not wait_until_up(
            bootstrap, START_TIMEOUT_S, alive=lambda: pidfile.is_broker_process(booting)
        ):
            raise _failure(layout, f"Broker process {booting} did not become ready.")
        already = True
    if not already:
        if _port_taken(port) or _port_taken(port + 1):
            raise BrokerError(
                f"Port {port} or {port + 1} on {HOST} is in use by something that "
                f"is not a Kafka broker; set JOBMATCH_KAFKA_PORT to another port"
            )
        pid, version = _launch(layout, port, log)
    return StartResult(bootstrap, already, True, pid, version, ensure_topics(bootstrap, TOPICS))


def _terminate(pid: int, timeout_s: float) -> bool:
    """SIGTERM, wait, then SIGKILL the process group; True if it exited cleanly."""
    try:
        os.kill(pid, signal.SIGTERM)  # lets Kafka flush and close its logs: no recovery next start
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pidfile.is_broker_process(pid):
            return True
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    while pidfile.is_broker_process(pid):
        time.sleep(0.1)
    return False


def stop(settings: Settings, timeout_s: float = STOP_TIMEOUT_S) -> bool | None:
    """Stop the local broker. None: was not running; True: clean exit; False: had to SIGKILL."""
    layout = KafkaLayout.from_settings(settings)
    pid = pidfile.live_pid(layout.pid_file)
    if pid is None:
        return None
    clean = _terminate(pid, timeout_s)
    pidfile.remove(layout.pid_file)
    return clean


def status(settings: Settings) -> Status:
    bootstrap, managed = bootstrap_for(settings)
    pid = pidfile.live_pid(KafkaLayout.from_settings(settings).pid_file) if managed else None
    return Status(is_up(bootstrap), bootstrap, managed, pid)


def reset(settings: Settings, force: bool = False) -> Path:
    """Delete the broker's data (topics, offsets, cluster id); the jar cache stays."""
    layout = KafkaLayout.from_settings(settings)
    if pidfile.live_pid(layout.pid_file) is not None:
        if not force:
            raise BrokerError("The broker is running; stop it first or use --force")
        stop(settings)
    if layout.data_dir.exists():
        shutil.rmtree(layout.data_dir)
    return layout.data_dir
