"""End-to-end load: HTTP ingest -> matcher -> feed, on a broker of its own, at a steady rate.

    .venv/bin/python bench/bench_e2e_load.py [--rate 1000] [--duration 180] [--drain 120] \
        [--clients-share 0.75] [--clients 20000] [--vacancies 2000] [--sample 3]

Unlike bench_pipeline_load.py (which feeds the referral topic directly), every record here
takes the production path: the generator POSTs clients and vacancies to `jobmatch ingest
serve`, which validates and publishes them to the canonical topics; `jobmatch matcher` (one
worker, default RocksDB store) matches them and publishes referrals; `jobmatch feed consume`
stores them for employers. The run starts its own broker (a temporary home and a free port), so
every topic starts empty and nothing else competes for the consumer groups; it is stopped and
deleted at the end.

Measured every --sample seconds: RSS of each service, the matcher's lag (records on its input
and internal regional topics not yet committed by its group) and the feed's lag (referral-topic
records not yet in its store). Memory is flat when the median RSS of the last third of the load
phase is within 10 % (and 20 MiB) of the first third's; the run passes when both lags return to
0 within --drain seconds after the load stops.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from bench_pipeline_load import JOBMATCH, Lag, print_memory_table, rss_kb, start, stop

from schemas.topics import CLIENTS, REFERRALS, VACANCIES
from services.ingest.synthetic import client_record, vacancy_record
from services.offsets import group_lag

APP_ID = "jobmatch-matcher"  # the worker's default: this broker is ours alone


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair() -> int:
    """A port whose successor is free too: the broker's controller listens there."""
    while True:
        port = free_port()
        with socket.socket() as s:
            if port < 65534 and s.connect_ex(("127.0.0.1", port + 1)) != 0:
                return port


def _stamp(tick: int) -> str:
    """updated_at for records sent in this tick: later ticks are later, so updates win."""
    sec = tick // 2
    return f"2026-11-{20 + sec // 86400:02d}T{sec // 3600 % 24:02d}:{sec // 60 % 60:02d}:" \
           f"{sec % 60:02d}.{tick % 2 * 5}Z"


def _client(i: int, tick: int, rng: random.Random) -> dict[str, Any]:
    rec = client_record(f"c-{i}", random.Random(rng.random()))
    rec["updated_at"] = _stamp(tick)
    return rec


def _vacancy(i: int, tick: int, rng: random.Random) -> dict[str, Any]:
    rec = vacancy_record(f"v-{i}", random.Random(rng.random()))
    # Spread across the same area as the synthetic clients, so matching has real work to do;
    # one update in ten closes the vacancy (withdrawals), the next may reopen it.
    rec["location"] = {"lat": round(rng.uniform(50.5, 55.0), 4),
                       "lon": round(rng.uniform(-3.5, 0.5), 4)}
    rec["status"] = "closed" if rng.random() < 0.1 else "open"
    rec["updated_at"] = _stamp(tick)
    return rec


def generate(base: str, token: str, *, args: argparse.Namespace, stop_at: float,
             counts: dict[str, int]) -> None:
    """Half a second's worth of records per tick: new clients and vacancies until the
    populations (--clients, --vacancies) are full, then updates of random ones, so the
    matcher's state stops growing and its memory can be judged flat."""
    rng = random.Random(7)
    per_tick = max(2, args.rate // 2)
    seen = {"c": 0, "v": 0}

    def pick(kind: str, population: int) -> int:
        if seen[kind] < population:
            seen[kind] += 1
            return seen[kind] - 1
        return rng.randrange(population)

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=30, trust_env=False) as http:
        next_at, tick = time.monotonic(), 0
        while time.monotonic() < stop_at:
            k_clients = round(per_tick * args.clients_share)
            clients = {}
            for _ in range(k_clients):  # one record per id per request: a batch is one tick
                i = pick("c", args.clients)
                clients[i] = _client(i, tick, rng)
            vacancies = {}
            for _ in range(per_tick - k_clients):
                i = pick("v", args.vacancies)
                vacancies[i] = _vacancy(i, tick, rng)
            for path, body in (("/v1/clients", list(clients.values())),
                               ("/v1/vacancies", list(vacancies.values()))):
                if not body:
                    continue
                r = http.post(path, json=body)
                ok = r.status_code == 200 and r.json().get("rejected", 0) == 0
                counts["accepted" if ok else "refused"] += len(body)
                counts["sent"] += len(body)
            tick += 1
            next_at += 0.5
            time.sleep(max(0.0, next_at - time.monotonic()))


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def _report(args: argparse.Namespace, procs: dict[str, Any], samples: list[Any], *,
            counts: dict[str, int], drained_at: float | None, referrals: int) -> None:
    load = [s for s in samples if s[1] == "load"]
    print(f"\n## End-to-end load: {args.rate} records/s for {args.duration:.0f} s "
          f"({args.clients_share:.0%} clients, the rest vacancies; populations "
          f"{args.clients:,} clients, {args.vacancies:,} vacancies)\n")
    print(f"Command: `.venv/bin/python bench/bench_e2e_load.py {shlex.join(sys.argv[1:])}`")
    print(f"Sent {counts['sent']:,} records ({counts['sent'] / args.duration:,.0f}/s): "
          f"{counts['accepted']:,} accepted, {counts['refused']:,} in refused answers; "
          f"{referrals:,} referral events reached the feed's topic.\n")
    print_memory_table(list(procs), load)
    for i, who in ((3, "matcher"), (4, "feed")):
        peak = max((s[i] for s in samples), default=0)
        print(f"\n{who} lag: peak {peak:,} records during the run.", end="")
    print("\n\n" + (f"Both lags back to 0 {drained_at:.1f} s after the load stopped."
                    if drained_at is not None else
                    f"Lags NOT back to 0 within {args.drain:.0f} s "
                    f"(last: matcher {samples[-1][3]:,}, feed {samples[-1][4]:,})."))
    print("\n| t (s) | phase | matcher lag | feed lag | "
          + " | ".join(f"{n} MiB" for n in procs) + " |")
    print("|---|---|---|---|" + "---|" * len(procs))
    for t, phase, rss, m_lag, f_lag in samples:
        cells = " | ".join(f"{(v or 0) / 1024:.0f}" for v in rss.values())
        print(f"| {t:.0f} | {phase} | {m_lag} | {f_lag} | {cells} |")


def _run_load(args: argparse.Namespace, base: str, token: str, bootstrap: str, lag: Lag,  # noqa: PLR0917 - one scenario's parts
              procs: dict[str, Any], samples: list[Any], counts: dict[str, int]
              ) -> float | None:
    """Generate for --duration, sampling; then sample until both lags are 0 (the seconds that
    took) or --drain passed (None)."""
    inputs = [CLIENTS.name, VACANCIES.name]
    t0 = time.monotonic()
    load_end = t0 + args.duration
    gen = threading.Thread(target=generate, args=(base, token),
                           kwargs={"args": args, "stop_at": load_end, "counts": counts},
                           daemon=True)
    gen.start()
    drained_at = None
    while True:
        now = time.monotonic()
        phase = "load" if now < load_end else "drain"
        try:
            m_lag = group_lag(bootstrap, APP_ID, inputs) + \
                group_lag(bootstrap, APP_ID, [f"{APP_ID}-regional"])
        except Exception:  # the group or its topic does not exist yet
            m_lag = -1
        f_lag = lag()
        samples.append((now - t0, phase, {n: rss_kb(p.pid) for n, p in procs.items()},
                        m_lag, f_lag))
        if phase == "drain" and not gen.is_alive() and m_lag == 0 and f_lag == 0:
            drained_at = now - load_end
            break
        if now > load_end + args.drain:
            break
        time.sleep(args.sample)
    gen.join(timeout=60)
    return drained_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=1000, help="records/s into ingest")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds allowed for lag -> 0")
    parser.add_argument("--clients-share", type=float, default=0.75,
                        help="fraction of records that are clients (the rest: vacancies)")
    parser.add_argument("--clients", type=int, default=20_000,
                        help="client population: new ones until reached, then updates")
    parser.add_argument("--vacancies", type=int, default=2_000,
                        help="vacancy population: new ones until reached, then updates")
    parser.add_argument("--sample", type=float, default=3.0, help="seconds between samples")
    parser.add_argument("--matcher-args", default="",
                        help='extra `jobmatch matcher` options, e.g. "--store memory"')
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    port = free_port_pair()
    bootstrap = f"127.0.0.1:{port}"
    env = {**os.environ, "JOBMATCH_HOME": str(tmp / "home"), "JOBMATCH_KAFKA_PORT": str(port),
           "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "DATABASE_URL": f"sqlite:///{tmp / 'feed.db'}"}
    kafka = [JOBMATCH, "kafka"]
    subprocess.run([*kafka, "start"], env=env, check=True, stdout=subprocess.DEVNULL)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    samples: list[Any] = []
    counts = {"sent": 0, "accepted": 0, "refused": 0}
    drained_at, referrals, lag = None, 0, None
    try:
        token = subprocess.run([JOBMATCH, "ingest", "tokens", "create", "bench", "--scope",
                                "clients", "--scope", "vacancies"], env=env, capture_output=True,
                               text=True, check=True).stdout.strip()
        http_port = free_port()
        procs["ingest-http"] = start(["ingest", "serve", "--port", str(http_port)], env,
                                     tmp / "ingest.log")
        procs["matcher"] = start(["matcher", "--worker-id", "bench", "--status-file",
                                  str(tmp / "matcher.status.json"),
                                  *shlex.split(args.matcher_args)], env, tmp / "matcher.log")
        procs["feed-consume"] = start(["feed", "consume"], env, tmp / "feed.log")
        base = f"http://127.0.0.1:{http_port}"
        _wait_http(f"{base}/healthz", 30)
        deadline = time.monotonic() + 90
        while not (tmp / "matcher.status.json").exists() and time.monotonic() < deadline:
            time.sleep(0.5)  # the worker writes its status file once it runs
        lag = Lag(bootstrap, REFERRALS.name, env["DATABASE_URL"])
        drained_at = _run_load(args, base, token, bootstrap, lag, procs, samples, counts)
        referrals = sum(int(o) for o in lag.consumer.end_offsets(lag.tps).values())
    finally:
        for proc in procs.values():
            stop(proc)
        if lag is not None:
            lag.close()
        subprocess.run([*kafka, "stop"], env=env, check=False, stdout=subprocess.DEVNULL)
    _report(args, procs, samples, counts=counts, drained_at=drained_at, referrals=referrals)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if drained_at is not None else 1


if __name__ == "__main__":
    sys.exit(main())
