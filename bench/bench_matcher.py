"""Benchmark one streaming matcher worker against the real local broker.

    .venv/bin/python bench/bench_matcher.py [--clients 100000] [--latency-vacancies 200]
        [--mixed-events 20000] [--mix moves|updates] [--worker-args "--batch-within 0.01"]
        [--workers 1] [--shared-topics]

Measures, with N active clients loaded: the load rate; latency from a vacancy produced to its
referral events consumed (p50/p99); sustained events/s on a mixed stream of client and vacancy
updates (``--mix``: see bench/mixed_streams.py), and the CPU each event cost the worker, the
broker and this script (the machine is shared, so CPU per event compares runs better than
wall time does); the worker's RSS; recovery time after a restart (SIGTERM, start, state
rebuilt, first referral out). With ``--workers N`` the group has N workers and the figures
are summed over them. Prints a markdown table. Needs `jobmatch kafka start` first.

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
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

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


def start_all(workers: list[Any], timeout: float) -> None:
    for each in workers:
        each.start()
    for each in workers:
        each.wait_ready(timeout)
    if len(workers) > 1:
        time.sleep(3)  # let the group settle on its last assignment


def stop_all(workers: list[Any]) -> None:
    for each in workers:
        each.stop()


def summed(workers: list[Any], field: str) -> Any:
    """A status field summed over the workers: a number, or a dict of numbers by key."""
    values = [each.status().get(field) for each in workers]
    if all(isinstance(v, dict) for v in values):
        keys = {k for v in values for k in v}
        return {k: sum(v.get(k, 0) for v in values) for k in sorted(keys)}
    return sum(v for v in values if isinstance(v, (int, float)))


def broker_pid() -> int | None:
    """The local broker's pid when this machine runs it (``jobmatch kafka start``)."""
    from services.kafka_local.layout import KafkaLayout
    from services.kafka_local.pidfile import live_pid
    from services.settings import load_settings

    return live_pid(KafkaLayout.from_settings(load_settings()).pid_file)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process, all threads (Linux /proc). The machine is shared, so
    CPU per event compares runs better than wall time does."""
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:  # noqa: PLR0915  (one linear scenario reads best as one function)
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--latency-vacancies", type=int, default=200)
    ap.add_argument("--mixed-events", type=int, default=20_000)
    ap.add_argument("--mix", choices=MIXES, default="moves",
                    help="shape of the mixed stream (bench/mixed_streams.py)")
    ap.add_argument("--worker-args", default="", help="extra `jobmatch matcher` options")
    ap.add_argument("--workers", type=int, default=1,
                    help="workers in the group (figures are summed over them)")
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
    # Further workers join w's group, each with its own state directory, log and status file.
    ws = [w, *(replace(w, worker_id=f"w{i}", data_dir=tmp / w.app_id / f"data{i}",
                       log=tmp / f"{w.app_id}.w{i}.log") for i in range(2, args.workers + 1))]
    rows: list[tuple[str, str]] = []
    try:
        start_all(ws, 120)
        producer, reader = Producer(BOOTSTRAP), OutputReader(BOOTSTRAP)
        idle_rss = summed(ws, "rss_kb")
        cs = clients(prefix, args.clients, seed=31)
        t0 = time.monotonic()
        for c in cs:
            producer.send(c_topic, c["client_id"], c)
        producer.flush()
        w.wait_consumed(timeout=3600)
        load_s = time.monotonic() - t0
        st = w.status()
        rss_kb = summed(ws, "rss_kb")
        rows += [("clients loaded", f"{args.clients:,} in {load_s:.1f} s "
                  f"({args.clients / load_s:,.0f} clients/s)"),
                 ("regional client copies", f"{summed(ws, 'state')['clients']:,} in "
                  f"{summed(ws, 'state')['regions']} regions")]
        rss_mb = rss_kb / 1024
        rows.append(("worker RSS with clients", f"{rss_mb:,.0f} MB (idle {idle_rss / 1024:.0f} MB)"
                     f"; {(rss_kb - idle_rss) / 1024 / args.clients * 100_000:,.0f} MB "
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
        before_mix, before_counts = summed(ws, "timings_s"), summed(ws, "counters")
        pids, kafka_pid = [each.proc.pid if each.proc else None for each in ws], broker_pid()
        cpu0 = sum(cpu_seconds(pid) for pid in pids)
        kafka0, own0 = cpu_seconds(kafka_pid), sum(os.times()[:2])
        t0 = time.monotonic()
        for kind, key, record in stream:
            producer.send(c_topic if kind == "client" else v_topic, key, record)
        producer.flush()
        w.wait_consumed(timeout=3600)
        mix_s = time.monotonic() - t0
        cpu_s = sum(cpu_seconds(pid) for pid in pids) - cpu0
        rows.append((f"mixed stream ({args.mix})",
                     f"{args.mixed_events:,} events in {mix_s:.1f} s "
                     f"= {args.mixed_events / mix_s:,.0f} events/s ({args.workers} worker(s))"))
        # Where the machine's CPU went: 1,000 events/s needs (these ms per event) x 1,000 / 1,000
        # cores, whatever the wall clock of a shared machine says.
        per_event = {"worker(s)": cpu_s, "broker": cpu_seconds(kafka_pid) - kafka0,
                     "this load generator and reader": sum(os.times()[:2]) - own0}
        rows.append(("mixed stream, CPU per event", ", ".join(
            f"{name} {spent * 1000 / args.mixed_events:.2f} ms"
            for name, spent in per_event.items())))
        # Where the worker's time went in that phase (agents' own timers, seconds; the
        # agents overlap, so the stages need not add up to the wall time).
        time.sleep(1.2)  # the status file is rewritten every second
        after_mix = summed(ws, "timings_s")
        spent = {k: after_mix[k] - before_mix.get(k, 0.0) for k in after_mix}
        after_counts = summed(ws, "counters")
        rows.append(("mixed stream, worker counts", ", ".join(
            f"{k} {after_counts[k] - before_counts.get(k, 0):,}" for k in sorted(after_counts))))
        rows.append(("mixed stream, worker stages (s)",
                     ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items()))))

        # Recovery: clean stop, start again, time until a new vacancy gets its referrals.
        stop_all(ws)
        t0 = time.monotonic()
        start_all(ws, 600)
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
                     f"{summed(ws, 'restored_items'):,} table items in "
                     f"{st.get('last_restore_s', 0):.1f} s)"))
        rows.append(("worker RSS after recovery", f"{summed(ws, 'rss_kb') / 1024:,.0f} MB"))
        producer.close()
        reader.close()
    finally:
        stop_all(ws)
    print(f"\n## Streaming matcher, one worker ({platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.platform()})\n")
    print("Command: `.venv/bin/python bench/bench_matcher.py " + " ".join(sys.argv[1:]) + "`\n")
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    (tmp / "result.json").write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
