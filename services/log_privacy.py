"""Keep record payloads out of the logs, whatever level a service runs at.

At DEBUG, the Kafka clients underneath log every record they send, value included
(``send: topic=... v=...``, ``Sending (key=... value=...)``): a client profile's postcode,
free-text skills and equality-monitoring answers would land in the log. Found by the log scan in
``tests/reliability/test_security.py``. These loggers are held at INFO even when a service runs
with ``--loglevel debug``; jobmatch's own debug lines name ids and counts only.
"""

from __future__ import annotations

import logging

__all__ = ["PAYLOAD_LOGGERS", "quiet_payload_loggers"]

# Each logs record keys and values at DEBUG (checked against the pinned versions' sources).
PAYLOAD_LOGGERS = (
    "faust.topics",                       # faust/topics.py: "send: topic=%r k=%r v=%r ..."
    "faust.transport.drivers.aiokafka",   # the same line in faust's aiokafka driver
    "aiokafka.producer.producer",         # "Sending (key=%s value=%s) to %s"
    "kafka.producer.kafka",               # kafka-python: "Sending (key=%r value=%r ...)"
)


class _BelowInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


_FILTER = _BelowInfo()


def quiet_payload_loggers() -> None:
    """Drop these loggers' DEBUG records. A filter rather than a level alone, because a later
    ``logging.config.dictConfig`` (faust's worker runs one) resets child loggers' levels but
    leaves their filters."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
