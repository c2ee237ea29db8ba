"""Load and soak: hold a steady rate through ingest (HTTP) and the feed consumer, sample the
memory of each service process and the consumer lag, then check memory is flat and lag drains.

    .venv/bin/jobmatch kafka start
    .venv/bin/python bench/bench_pipeline_load.py [--rate 1000] [--duration 150] \
        [--drain 60] [--sample 3] [--with-matcher]

- ingest: `jobmatch ingest serve` (subprocess); the load generator POSTs batches of clients at
  --rate records/s (half a second's worth per request) to /v1/clients.
- feed: `jobmatch feed consume` (subprocess) on its own referral topic, fed at the same rate by
  the generator (standing in for the matcher until it lands); its lag = end offsets - the
  offsets it stored (feed_consumer_offsets).
- --with-matcher also starts `jobmatch matcher` (if the command exists) and samples its RSS;
  its lag is not measured yet (hook for the matcher's own soak).
Memory is flat when the median RSS of the last third of the load phase is within 10 % (and
20 MiB) of the first third's. Lag must return to 0 within --drain seconds after load stops.
Every process started here is stopped here (by pid). Targets 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine, text

from schemas.referral import referral_id_for
from services.ingest.synthetic import client_record
from services.settings import load_settings

JOBMATCH = str(Path(sys.executable).with_name("jobmatch"))


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def referral(i: int, tag: str) -> bytes:
    vid, cid = f"v-{tag}-{i % 5000}", f"c-{tag}-{i}"
    return json.dumps({
        "referral_id": referral_id_for(vid, cid), "kind": "referral", "vacancy_id": vid,
        "employer_id": f"emp-{i % 50}", "client_id": cid, "score": 0.7,
        "explanation": {"matched_skills": [{"vacancy_skill": "forklift", "client_skill":
                                            "forklift", "similarity": 1.0}],
                        "missing_required_skills": [], "distance_km": 3.0,
                        "components": {"skills": 0.7}},
        "created_at": "2026-11-20T10:00:00Z", "matcher_version": "bench"}).encode()


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:
        return subprocess.Popen([JOBMATCH, *args], env=env, stdout=fh,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def print_memory_table(names: list[str], load: list[Any]) -> None:
    """Median RSS (``sample[2][name]``, KiB; ``sample[0]``: seconds) of the first and last
    third of the load samples, flat when the growth is within 10 % and 20 MiB; and the slope
    of the last third (least squares, MB per minute), which still says whether memory levels
    off when the first third holds a warm-up (state filling, caches)."""
    third = max(1, len(load) // 3)
    print("| process | RSS first third (MiB, median) | last third | change | flat? "
          "| last third's slope (MB/min) |")
    print("|---|---|---|---|---|---|")
    for name in names:
        first = [s[2][name] for s in load[:third] if s[2][name]]
        last = [(s[0], s[2][name]) for s in load[-third:] if s[2][name]]
        if not first or not last:
            print(f"| {name} | - | - | - | process gone | - |")
            continue
        a = statistics.median(first) / 1024
        b = statistics.median(rss for _, rss in last) / 1024
        flat = b - a <= max(0.10 * a, 20)
        print(f"| {name} | {a:.0f} | {b:.0f} | {b - a:+.0f} | {'yes' if flat else 'NO'} "
              f"| {_slope_mb_per_min(last):+.2f} |")


def _slope_mb_per_min(points: list[tuple[float, int]]) -> float:
    """Least-squares slope of (seconds, KiB) points, in MB per minute (0 for one point)."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_m = statistics.fmean(m for _, m in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (m - mean_m) for t, m in points)
    return cov / var * 1024 / 1e6 * 60


class Lag:
    """Feed consumer lag: the topic's end offsets minus the offsets the store holds."""

    def __init__(self, bootstrap: str, topic: str, db_url: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        parts = self.consumer.partitions_for_topic(topic) or set()
        self.tps = [TopicPartition(topic, p) for p in sorted(parts)]
        self.engine = create_engine(db_url)
        self.topic = topic

    def __call__(self) -> int:
        ends = self.consumer.end_offsets(self.tps)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT partition, next_offset FROM feed_consumer_offsets WHERE topic=:t"),
                    {"t": self.topic}).all()
        except Exception:  # the consumer has not created its tables yet
            rows = []
        done = {int(p): int(o) for p, o in rows}
        return sum(int(end) - done.get(tp.partition, 0) for tp, end in ends.items())

    def close(self) -> None:
        self.consumer.close()
        self.engine.dispose()


def generate(args: argparse.Namespace, base: str, token: str, topic: str, tag: str,  # noqa: PLR0917 - a thread target takes positional args
             stop_at: float, counts: dict[str, int]) -> None:
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=10)
    batch = max(1, int(args.rate / 2))
    i = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=30, trust_env=False) as http:
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            body = [client_record(f"load-{tag}-{i + k}") for k in range(batch)]
            r = http.post("/v1/clients", json=body)
            counts["http_ok" if r.status_code == 200 else "http_err"] += batch
            for k in range(batch):
                producer.send(topic, key=f"v-{(i + k) % 5000}".encode(),
                              value=referral(i + k, tag))
            counts["referrals"] += batch
            i += batch
            next_at += 0.5
            time.sleep(max(0.0, next_at - time.monotonic()))
    producer.flush(timeout=60)
    producer.close()


def main() -> int:  # noqa: PLR0912, PLR0915 - one linear scenario, easier to read in one piece
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=1000, help="records/s on each path")
    parser.add_argument("--duration", type=float, default=150.0, help="seconds of load")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds allowed for lag -> 0")
    parser.add_argument("--sample", type=float, default=3.0, help="seconds between samples")
    parser.add_argument("--with-matcher", action="store_true",
                        help="also run `jobmatch matcher` and sample its RSS")
    args = parser.parse_args()
    args.bootstrap = load_settings().bootstrap_servers
    tag = uuid.uuid4().hex[:8]
    topic = f"bench.load.{tag}.referrals"
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    admin.create_topics([NewTopic(topic, 8, 1), NewTopic(f"bench.load.{tag}.clients", 8, 1)])
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    db_url = f"sqlite:///{tmp / 'feed.db'}"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": args.bootstrap, "JOBMATCH_HOME": str(tmp),
           "DATABASE_URL": db_url, "JOBMATCH_FEED_REFERRALS_TOPIC": topic,
           "JOBMATCH_FEED_CLIENTS_TOPIC": f"bench.load.{tag}.clients"}
    token = subprocess.run([JOBMATCH, "ingest", "tokens", "create", "bench", "--scope",
                            "clients"], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    port = 18000 + os.getpid() % 1000
    procs = {"ingest-http": start(["ingest", "serve", "--port", str(port)], env,
                                  tmp / "ingest.log"),
             "feed-consume": start(["feed", "consume"], env, tmp / "feed.log")}
    if args.with_matcher:
        ok = subprocess.run([JOBMATCH, "matcher", "--help"], env=env, capture_output=True,
                            check=False).returncode == 0
        if ok:
            procs["matcher"] = start(["matcher", "--worker-id", f"bench-{tag}", "--store",
                                      "memory", "--app-id", f"bench-{tag}"], env,
                                     tmp / "matcher.log")
        else:
            print("note: `jobmatch matcher` not available; running without it")
    samples: list[tuple[float, str, dict[str, int | None], int]] = []
    counts = {"http_ok": 0, "http_err": 0, "referrals": 0}
    lag = None
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("ingest server did not start; see " + str(tmp))
            time.sleep(0.3)
        lag = Lag(args.bootstrap, topic, db_url)
        t0 = time.monotonic()
        load_end = t0 + args.duration
        gen = threading.Thread(target=generate, args=(args, base, token, topic, tag, load_end,
                                                      counts), daemon=True)
        gen.start()
        drained_at = None
        while True:
            now = time.monotonic()
            phase = "load" if now < load_end else "drain"
            current = lag()
            samples.append((now - t0, phase, {n: rss_kb(p.pid) for n, p in procs.items()},
                            current))
            if phase == "drain" and not gen.is_alive() and current == 0:
                drained_at = now - load_end
                break
            if now > load_end + args.drain:
                break
            time.sleep(args.sample)
        gen.join(timeout=60)
    finally:
        for proc in procs.values():
            stop(proc)
        if lag is not None:
            lag.close()
        admin.delete_topics([topic, f"bench.load.{tag}.clients"])
        admin.close()

    load = [s for s in samples if s[1] == "load"]
    print(f"\n## Pipeline load: {args.rate} records/s per path for {args.duration:.0f} s\n")
    print(f"Command: `.venv/bin/python bench/bench_pipeline_load.py {shlex.join(sys.argv[1:])}`")
    elapsed = args.duration
    print(f"Sent: {counts['http_ok']} clients over HTTP accepted "
          f"({counts['http_ok'] / elapsed:,.0f}/s), {counts['http_err']} in non-200 answers; "
          f"{counts['referrals']} referrals ({counts['referrals'] / elapsed:,.0f}/s).\n")
    print_memory_table(list(procs), load)
    peak = max((s[3] for s in samples), default=0)
    print(f"\nFeed consumer lag: peak {peak} records during load; "
          + (f"back to 0 {drained_at:.1f} s after load stopped."
             if drained_at is not None else f"NOT back to 0 within {args.drain:.0f} s "
             f"(last {samples[-1][3] if samples else '?'})."))
    print("\n| t (s) | phase | lag | " + " | ".join(f"{n} RSS MiB" for n in procs) + " |")
    print("|---|---|---|" + "---|" * len(procs))
    for t, phase, rss, lg in samples:
        cells = " | ".join(f"{(v or 0) / 1024:.0f}" for v in rss.values())
        print(f"| {t:.0f} | {phase} | {lg} | {cells} |")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if drained_at is not None else 1


if __name__ == "__main__":
    sys.exit(main())
