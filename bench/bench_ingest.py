"""Ingest throughput: a JSON Lines file of clients -> acknowledged by the real broker.

    .venv/bin/jobmatch kafka start
    .venv/bin/python bench/bench_ingest.py [--records 100000] [--compression none|gzip]

Three figures from the same file, in the same run:
- validation only: read + ``schemas.validate`` + canonical re-serialisation, no Kafka;
- raw produce only: the already-serialised values through the same publisher, no validation;
- end to end: ``ingest_files`` (read, validate, publish, wait for every acknowledgement).
Records go to a benchmark topic (``jobmatch.bench.ingest``, 8 partitions), never to the
canonical clients topic.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from schemas import Valid
from services.ingest.files import ingest_files
from services.ingest.pipeline import record_id
from services.ingest.publisher import KafkaPublisher, ProducerConfig
from services.ingest.readers import check, read_jsonl
from services.ingest.synthetic import client_record
from services.settings import load_settings

TOPIC = "jobmatch.bench.ingest"


def make_file(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(client_record(f"bench-{i:07d}")) + "\n")


def ensure_topic(bootstrap: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(TOPIC, 8, 1, topic_configs={"retention.ms": "3600000"})])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--compression", default="none", choices=["none", "gzip"])
    args = parser.parse_args()
    compression = None if args.compression == "none" else args.compression
    settings = load_settings()
    ensure_topic(settings.bootstrap_servers)
    config = ProducerConfig(settings.bootstrap_servers, compression_type=compression)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clients.jsonl"
        make_file(path, args.records)
        size_mb = path.stat().st_size / 1e6

        t0 = time.perf_counter()
        values: list[tuple[bytes, bytes]] = []
        for _, raw in read_jsonl(path):
            verdict = check("client", raw)
            assert isinstance(verdict, Valid)
            values.append((record_id(verdict.record).encode(),
                           verdict.record.model_dump_json().encode()))
        validate_s = time.perf_counter() - t0

        publisher = KafkaPublisher(config)
        acked = [0]

        def done(error: BaseException | None) -> None:
            if error is None:
                acked[0] += 1

        t0 = time.perf_counter()
        for key, value in values:
            publisher.send(TOPIC, key, value, done)
        publisher.flush()
        produce_s = time.perf_counter() - t0
        assert acked[0] == args.records, acked
        del values

        t0 = time.perf_counter()
        accounting = ingest_files([path], "client", publisher, topic=TOPIC)
        e2e_s = time.perf_counter() - t0
        publisher.close()
        assert accounting.published == args.records, accounting.as_json()

    n = args.records
    print(f"ingest benchmark: {n:,} client records, {size_mb:.1f} MB JSON Lines, "
          f"compression={args.compression}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"{'stage':<38}{'seconds':>10}{'records/s':>12}")
    for stage, secs in [("validation only (read+validate+dump)", validate_s),
                        ("raw produce only (acknowledged)", produce_s),
                        ("end to end (file -> acknowledged)", e2e_s)]:
        print(f"{stage:<38}{secs:>10.2f}{n / secs:>12,.0f}")
    print("command: .venv/bin/python bench/bench_ingest.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
