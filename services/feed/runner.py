"""`jobmatch feed serve`: the API in the foreground, the consumer and the webhook dispatcher in
background threads of the same process (each can be switched off and run on its own).

A background worker that fails is logged and restarted after a pause: it resumes from the
store (the consumer from its offsets, the dispatcher from due deliveries), so a transient
broker or database error never takes the API down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from services.feed.api import create_app
from services.feed.config import FeedConfig
from services.feed.consumer import FeedConsumer
from services.feed.outcomes import KafkaOutcomePublisher, OutcomePublisher, make_producer
from services.feed.store import Store
from services.feed.webhooks_dispatch import Dispatcher

__all__ = ["serve", "start_worker"]

log = logging.getLogger("jobmatch.feed")


def start_worker(name: str, body: Callable[[threading.Event], Any],
                 stop: threading.Event, restart_s: float = 2.0) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                body(stop)
            except Exception:
                log.exception("%s failed; restarting in %.0fs", name, restart_s)
                stop.wait(restart_s)

    thread = threading.Thread(target=loop, name=f"feed-{name}", daemon=True)
    thread.start()
    return thread


def serve(store: Store, config: FeedConfig, host: str, port: int, *, consumer: bool = True,
          dispatcher: bool = True, outcomes: bool = True) -> None:
    import uvicorn

    stop = threading.Event()
    threads = []
    if consumer:
        threads.append(start_worker(
            "consumer", lambda s: FeedConsumer(store, config).run(stop=s), stop))
    if dispatcher:
        threads.append(start_worker(
            "dispatcher", lambda s: Dispatcher(store, config).run(stop=s), stop))
    producer = make_producer(config.bootstrap_servers) if outcomes else None
    publisher: OutcomePublisher | None = (
        KafkaOutcomePublisher(producer, config.outcomes_topic) if producer else None)
    try:
        uvicorn.run(create_app(store, config, publisher), host=host, port=port,
                    log_level="info")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        if producer is not None:
            producer.close()
        store.dispose()
