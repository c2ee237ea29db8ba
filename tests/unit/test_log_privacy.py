"""Payload-logging loggers of the Kafka clients stay quiet at DEBUG, even after a later
dictConfig (which faust's worker runs) resets their levels."""

from __future__ import annotations

import logging

import pytest

from services.log_privacy import PAYLOAD_LOGGERS, quiet_payload_loggers


@pytest.mark.parametrize("name", PAYLOAD_LOGGERS)
def test_debug_payload_lines_are_dropped_info_kept(name: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    quiet_payload_loggers()
    logger = logging.getLogger(name)
    # What faust's worker's dictConfig does to existing child loggers after we ran.
    logger.setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    logger.debug("send: v=%r", b"postcode ZE2 9QP")
    logger.info("connected")
    messages = [r.getMessage() for r in caplog.records if r.name == name]
    assert messages == ["connected"]
