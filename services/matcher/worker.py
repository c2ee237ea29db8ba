"""Run one matcher worker in the foreground until SIGTERM or Ctrl-C, then stop cleanly."""

from __future__ import annotations

import logging

from schemas.topics import CLIENTS, TopicSpec
from services.kafka_local.topics_admin import ensure_topics
from services.matcher.app import WorkerSettings, create_app
from services.matcher.engine.config import MatchConfig
from services.settings import Settings

__all__ = ["ensure_regional_topic", "run_worker"]

# The regional topic carries copies of client records (personal data): keep it only as long as
# a worker may be down and still need to catch up, like the raw topics.
_REGIONAL_RETENTION_MS = str(3 * 24 * 3600 * 1000)


def ensure_regional_topic(settings: Settings, worker: WorkerSettings) -> None:
    """Create the regional topic and the tables' changelogs before Faust joins the group.

    Faust creates its internal topics at start-up too, but the consumer may join the group
    before a new topic is in its metadata; the topic is then left unassigned until the next
    metadata refresh (minutes). For a changelog that is worse than a pause: a fresh worker was
    seen joining without ``<app>-state-changelog``, and every state write then raised
    PartitionsMismatch mid-batch. Creating them first (and waiting for metadata) avoids that.
    Faust's own creation then finds them (same partitions, compacted like Faust's).
    """
    compacted = {"cleanup.policy": "compact"}
    specs = [
        TopicSpec("regional", worker.regional_topic, worker.regional_partitions, "region",
                  {"retention.ms": _REGIONAL_RETENTION_MS}),
        TopicSpec("routes", f"{worker.app_id}-routes-changelog", CLIENTS.partitions, "id",
                  compacted),
        TopicSpec("state", f"{worker.app_id}-state-changelog", worker.regional_partitions,
                  "region", compacted),
    ]
    ensure_topics(",".join(settings.bootstrap_list), specs)


def run_worker(settings: Settings, config: MatchConfig, worker: WorkerSettings,
               loglevel: str = "info") -> None:
    """Build the app and hand it to Faust's worker, which owns the event loop and signals.

    Never returns: the worker exits the process (status 0 after a clean stop)."""
    from faust import Worker

    from services.matcher.engine.certifications import default_certifications
    from services.matcher.engine.taxonomy import default_taxonomy
    from services.matcher.engine.text_vectors import text_vector

    worker.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_regional_topic(settings, worker)
    # Loaded now, not on the first event: the taxonomy, and scikit-learn for the text vectors
    # (its import took ~1.4 s of the first event's rebuild under load).
    default_taxonomy(), default_certifications(), text_vector("warm up")
    matcher = create_app(settings, config, worker)
    logging.getLogger(__name__).info(
        "matcher worker %s: app %s, store %s in %s, regional partitions %d",
        worker.worker_id, worker.app_id, worker.store, worker.data_dir,
        worker.regional_partitions)
    Worker(matcher.app, loglevel=loglevel, quiet=True).execute_from_commandline()
