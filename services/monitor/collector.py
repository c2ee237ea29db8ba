"""The monitor's I/O: two background threads that feed ``MonitorState`` from Kafka.

- The stream thread reads the clients, vacancies, referrals and dead-letter topics from the
  beginning, with no consumer group: the monitor commits nothing and never shows up as lag,
  and every start rebuilds complete state. It is "caught up" once it has read up to the end
  offsets it saw when it started; until then ``/readyz`` says 503.
- The offsets thread polls end offsets, consumer groups (members, committed offsets) and the
  configured ``/healthz`` URLs every ``poll_interval_s``.

Both retry after errors: kafka-python reconnects on its own, and a monitor that gives up when
the broker blips would go dark exactly when it is needed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from services.monitor.config import MonitorConfig
from services.monitor.probes import offsets_sample, probe_services
from services.monitor.state import MonitorState

__all__ = ["Collector", "read_to_end"]

log = logging.getLogger("jobmatch.monitor.collector")

_PARTITION_REFRESH_S = 10.0


def new_consumer(config: MonitorConfig, client_id: str) -> Any:
    from kafka import KafkaConsumer

    return KafkaConsumer(
        bootstrap_servers=config.bootstrap_list,
        group_id=None,  # no group: nothing committed, no lag of our own to confuse operators
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=client_id,
        max_poll_records=5000,
        request_timeout_ms=30_000,
        reconnect_backoff_max_ms=2000,
    )


class _StreamReader:
    """Assigns every partition of the consumed topics and keeps up with new ones."""

    def __init__(self, consumer: Any, config: MonitorConfig, state: MonitorState) -> None:
        self.consumer = consumer
        self.config = config
        self.state = state
        self.assigned: set[Any] = set()
        self.targets: dict[Any, int] = {}
        self.next_refresh = 0.0

    def refresh_partitions(self) -> None:
        from kafka import TopicPartition

        self.next_refresh = time.monotonic() + _PARTITION_REFRESH_S
        found = set()
        for topic in self.config.consumed_topics:
            for partition in self.consumer.partitions_for_topic(topic) or ():
                found.add(TopicPartition(topic, partition))
        new = found - self.assigned
        if not new:
            return
        # assign() replaces the assignment and forgets positions, so keep them by hand.
        kept = {tp: self.consumer.position(tp) for tp in self.assigned}
        self.consumer.assign(list(found))
        for tp, offset in kept.items():
            self.consumer.seek(tp, offset)
        self.consumer.seek_to_beginning(*new)
        self.targets.update(self.consumer.end_offsets(list(new)))
        self.assigned = found

    def poll_once(self, timeout_ms: int) -> int:
        if time.monotonic() >= self.next_refresh:
            self.refresh_partitions()
        if not self.assigned:
            time.sleep(timeout_ms / 1000)
            return 0
        batches = self.consumer.poll(timeout_ms=timeout_ms)
        count = 0
        for records in batches.values():
            for r in records:
                self.state.apply(r.topic, r.key, r.value, r.timestamp)
                count += 1
        return count

    def caught_up(self) -> bool:
        return all(self.consumer.position(tp) >= end for tp, end in self.targets.items())


def read_to_end(config: MonitorConfig, state: MonitorState, timeout_s: float) -> bool:
    """Read the consumed topics from the beginning to their current end (`jobmatch status`)."""
    consumer = new_consumer(config, "jobmatch-status")
    try:
        reader = _StreamReader(consumer, config, state)
        reader.refresh_partitions()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if reader.caught_up():
                state.caught_up = True
                return True
            reader.poll_once(200)
        return False
    finally:
        consumer.close()


class Collector:
    def __init__(self, config: MonitorConfig, state: MonitorState) -> None:
        self.config = config
        self.state = state
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._stream, name="monitor-stream", daemon=True),
            threading.Thread(target=self._offsets, name="monitor-offsets", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)

    def ready(self) -> bool:
        """State is complete and offsets are fresh (a few poll intervals at most)."""
        last = self.state.last_offsets_at
        fresh = last is not None and time.time() - last < 3 * self.config.poll_interval_s + 5
        return self.state.caught_up and fresh

    def _stream(self) -> None:
        consumer = None
        reader = None
        while not self._stop.is_set():
            try:
                if consumer is None:
                    consumer = new_consumer(self.config, "jobmatch-monitor")
                    reader = _StreamReader(consumer, self.config, self.state)
                assert reader is not None
                reader.poll_once(500)
                if not self.state.caught_up and reader.caught_up():
                    with self.state.lock:
                        self.state.caught_up = True
                    log.info("monitor state caught up with the topics")
            except Exception:  # keep going: the broker may be back in a moment
                log.warning("reading topics failed; retrying", exc_info=True)
                self._stop.wait(2.0)
        if consumer is not None:
            consumer.close()

    def _offsets(self) -> None:
        admin = consumer = None
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if admin is None:
                    from kafka.admin import KafkaAdminClient

                    admin = KafkaAdminClient(bootstrap_servers=self.config.bootstrap_list,
                                             client_id="jobmatch-monitor-admin")
                    consumer = new_consumer(self.config, "jobmatch-monitor-offsets")
                self.state.record_offsets(offsets_sample(admin, consumer, self.config))
            except Exception as exc:
                log.warning("polling offsets failed; retrying", exc_info=True)
                self.state.record_offsets_error(type(exc).__name__)
            if self.config.health_urls:
                self.state.record_services(probe_services(self.config.health_urls))
            self._stop.wait(max(0.1, self.config.poll_interval_s - (time.monotonic() - started)))
        for client in (consumer, admin):
            if client is not None:
                client.close()
