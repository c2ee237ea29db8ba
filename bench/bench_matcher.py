"""Benchmark one streaming matcher worker against the real local broker.

    .venv/bin/python bench/bench_matcher.py [--clients 100000] [--latency-vacancies 200]
        [--mixed-events 20000] [--mix moves|updates] [--worker-args "--batch-within 0.01"]
        [--shared-topics]

Measures, with N active clients loaded: the load rate; latency from a vacancy produced to its
referral events consumed (p50/p99); sustained events/s on a mixed stream of client and vacancy
updates (``--mix``: see bench/mixed_streams.py); the worker's RSS; recovery time after a
restart (SIGTERM, start, state rebuilt, first referral out). Prints a markdown table. Needs
`jobmatch kafka start` first.

By default the run publishes to input topics of its own (``bench-<time>-clients`` and
``-vacancies``, passed to the worker with ``--clients-topic``/``--vacancies-topic``), so that
records other tests publish on the canonical topics never reach the worker being measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mixed_streams import MIXES, mixed_stream

from tests.integration.matcher.conftest import (
    OutputReader,
    Producer,
    new_worker,
    private_topics,
)
from tests.integration.matcher.data import BASE, clients, vacancies

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


def main() -> None:  # noqa: PLR0915  (one linear scenario reads best as one function)
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--latency-vacancies", type=int, default=200)
    ap.add_argument("--mixed-events", type=int, default=20_000)
    ap.add_argument("--mix", choices=MIXES, default="moves",
                    help="shape of the mixed stream (bench/mixed_streams.py)")
    ap.add_argument("--worker-args", default="", help="extra `jobmatch matcher` options")
    ap.add_argument("--shared-topics", action="store_true",
                    help="publish to the canonical input topics (shared with other tests)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-matcher-"))
    prefix = f"b{int(time.time())}-"
    if args.shared_topics:
        c_topic, v_topic = "jobmatch.clients.v1", "jobmatch.vacancies.v1"
    else:
        c_topic, v_topic = private_topics(BOOTSTRAP, f"bench-{prefix}")
    w = new_worker(BOOTSTRAP, tmp, args.worker_args.split(), clients_topic=c_topic,
                   vacancies_topic=v_topic)
    w.start()
    rows: list[tuple[str, str]] = []
    try:
        w.wait_ready(120)
        producer, reader = Producer(BOOTSTRAP), OutputReader(BOOTSTRAP)
        idle_rss = w.status().get("rss_kb", 0)
        cs = clients(prefix, args.clients, seed=31)
        t0 = time.monotonic()
        for c in cs:
            producer.send(c_topic, c["client_id"], c)
        producer.flush()
        w.wait_consumed(timeout=3600)
        load_s = time.monotonic() - t0
        st = w.status()
        rows += [("clients loaded", f"{args.clients:,} in {load_s:.1f} s "
                  f"({args.clients / load_s:,.0f} clients/s)"),
                 ("regional client copies", f"{st['state']['clients']:,} in "
                  f"{st['state']['regions']} regions")]
        rss_mb = st["rss_kb"] / 1024
        rows.append(("worker RSS with clients", f"{rss_mb:,.0f} MB (idle {idle_rss / 1024:.0f} MB)"
                     f"; {(st['rss_kb'] - idle_rss) / 1024 / args.clients * 100_000:,.0f} MB "
                     "per 100,000 clients"))

        # Latency: one vacancy at a time, produced -> its referral events consumed.
        lat: list[float] = []
        lat_vacancies = vacancies(prefix + "lat", args.latency_vacancies, seed=32)
        for v in lat_vacancies:
            before = len(reader.records)
            sent = time.monotonic()
            producer.send(v_topic, v["vacancy_id"], v)
            producer.flush()
            deadline = sent + 5.0
            got_at = None
            while time.monotonic() < deadline:
                reader.poll(0.02)
                if any(r["vacancy_id"] == v["vacancy_id"] for r in reader.records[before:]):
                    got_at = time.monotonic()
                    break
            if got_at is not None:
                lat.append((got_at - sent) * 1000)
        lat.sort()
        p50 = statistics.median(lat) if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
        rows.append(("vacancy -> referral latency", f"p50 {p50:.0f} ms, p99 {p99:.0f} ms "
                     f"({len(lat)} vacancies with referrals)"))

        # Throughput: a mixed stream of client and vacancy updates, all at once.
        stream = mixed_stream(args.mix, prefix, args.mixed_events, loaded=cs,
                              open_vacancies=lat_vacancies,
                              base=BASE + timedelta(seconds=args.clients, hours=1))
        before_mix = w.status().get("timings_s", {})
        before_counts = w.status().get("counters", {})
        t0 = time.monotonic()
        for kind, key, record in stream:
            producer.send(c_topic if kind == "client" else v_topic, key, record)
        producer.flush()
        w.wait_consumed(timeout=3600)
        mix_s = time.monotonic() - t0
        rows.append((f"mixed stream ({args.mix}), one worker",
                     f"{args.mixed_events:,} events in {mix_s:.1f} s "
                     f"= {args.mixed_events / mix_s:,.0f} events/s"))
        # Where the worker's time went in that phase (agents' own timers, seconds; the
        # agents overlap, so the stages need not add up to the wall time).
        time.sleep(1.2)  # the status file is rewritten every second
        after_mix = w.status().get("timings_s", {})
        spent = {k: after_mix[k] - before_mix.get(k, 0.0) for k in after_mix}
        after_counts = w.status().get("counters", {})
        rows.append(("mixed stream, worker counts", ", ".join(
            f"{k} {after_counts[k] - before_counts.get(k, 0):,}" for k in sorted(after_counts))))
        rows.append(("mixed stream, worker stages (s)",
                     ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items()))))

        # Recovery: clean stop, start again, time until a new vacancy gets its referrals.
        w.stop()
        t0 = time.monotonic()
        w.start()
        w.wait_ready(600)
        ready_s = time.monotonic() - t0
        v = vacancies(prefix + "rec", 1, seed=35)[0]
        before = len(reader.records)
        producer.send(v_topic, v["vacancy_id"], v)
        producer.flush()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            reader.poll(0.1)
            if any(r["vacancy_id"] == v["vacancy_id"] for r in reader.records[before:]):
                break
        rec_s = time.monotonic() - t0
        st = w.status()
        rows.append(("recovery after restart", f"{rec_s:.1f} s to first referral (group joined "
                     f"and changelogs restored {ready_s:.1f} s; engines rebuilt from "
                     f"{st.get('restored_items', 0):,} table items in "
                     f"{st.get('last_restore_s', 0):.1f} s)"))
        rows.append(("worker RSS after recovery", f"{st.get('rss_kb', 0) / 1024:,.0f} MB"))
        producer.close()
        reader.close()
    finally:
        w.stop()
    print(f"\n## Streaming matcher, one worker ({platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.platform()})\n")
    print("Command: `.venv/bin/python bench/bench_matcher.py " + " ".join(sys.argv[1:]) + "`\n")
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    (tmp / "result.json").write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
