"""Two workers with one app id share the partitions: a second one joins while events flow."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.integration.matcher.conftest import (
    OutputReader,
    Producer,
    Worker,
    count_by_id,
    new_worker,
    private_topics,
)
from tests.integration.matcher.data import clients, vacancies
from tests.integration.matcher.test_streaming import MAX_PER_CLIENT, _active, _expected

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_second_worker_joins_mid_stream(kafka_bootstrap: str, tmp_path: Path) -> None:
    prefix = f"two{int(time.time())}-"
    c_topic, v_topic = private_topics(kafka_bootstrap, f"it-{prefix}")
    extra = ["--max-per-client", str(MAX_PER_CLIENT)]
    first = new_worker(kafka_bootstrap, tmp_path, extra, clients_topic=c_topic,
                       vacancies_topic=v_topic)
    second = Worker(kafka_bootstrap, first.app_id, tmp_path / "w2" / "data",
                    tmp_path / "w2.log", extra, clients_topic=c_topic,
                    vacancies_topic=v_topic, worker_id="w2")
    producer, reader = Producer(kafka_bootstrap), OutputReader(kafka_bootstrap)
    try:
        first.start()
        first.wait_ready()
        cs, vs = clients(prefix, 1500, seed=41), vacancies(prefix, 400, seed=42)
        for c in cs:
            producer.send(c_topic, c["client_id"], c)
        producer.flush()
        first.wait_consumed(timeout=120)

        def publish_vacancies() -> None:
            for i, v in enumerate(vs):
                producer.send(v_topic, v["vacancy_id"], v)
                if i % 20 == 0:
                    producer.flush()
                    time.sleep(0.05)
            producer.flush()

        flow = threading.Thread(target=publish_vacancies)
        flow.start()
        time.sleep(0.3)
        second.start()  # joins the group while vacancies flow: a rebalance mid-stream
        flow.join()
        second.wait_ready(timeout=120)
        first.wait_consumed(timeout=120)
        events = reader.settle(prefix, quiet=5.0)
        both = [first.status().get("assigned"), second.status().get("assigned")]
    finally:
        second.stop()
        first.stop()
        producer.close()
        reader.close()
    expected = _expected(cs, vs)
    counts = count_by_id(events)
    duplicates = sum(n - 1 for (_rid, kind), n in counts.items() if kind == "referral")
    print(f"\ntwo workers: assigned {both}; expected {len(expected)}, duplicates {duplicates}")
    assert all(both), both  # each worker holds regional partitions
    assert set(_active(events)) == set(expected)
    assert not any(kind == "withdrawal" for _rid, kind in counts)
    # At-least-once: a rebalance replays what the leaving owner had not committed.
    assert duplicates <= 200, duplicates
