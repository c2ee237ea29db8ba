"""A ClientProfile published with kafka-python comes back from the real broker intact."""

from __future__ import annotations

import json
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from schemas import CLIENTS, ClientProfile, Valid, validate
from tests.fixtures import make_client

pytestmark = pytest.mark.integration


def test_client_profile_round_trips_through_kafka(kafka_bootstrap: str) -> None:
    client_id = f"it-{uuid.uuid4().hex[:12]}"
    record = make_client(client_id=client_id)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        meta = producer.send(CLIENTS.name, key=client_id.encode(),
                             value=json.dumps(record).encode()).get(timeout=30)
    finally:
        producer.close()

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=10_000)
    try:
        tp = TopicPartition(CLIENTS.name, meta.partition)
        consumer.assign([tp])
        consumer.seek(tp, meta.offset)
        message = next(iter(consumer))
    finally:
        consumer.close()

    assert message.key == client_id.encode()
    result = validate("client", message.value)
    assert isinstance(result, Valid)
    assert result.record == ClientProfile.model_validate(record)
