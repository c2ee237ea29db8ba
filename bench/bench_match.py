"""Speed benchmark: `jobmatch match` end to end against a naive pairwise peer.

    .venv/bin/python bench/bench_match.py                 # 10,000 clients x 1,000 vacancies
    .venv/bin/python bench/bench_match.py --big           # also 100,000 x 10,000 (long)
    .venv/bin/python bench/bench_match.py --sample 100    # naive peer on 100 vacancies

The naive peer is timed on a sample of vacancies and extrapolated linearly to all of them
(its cost is exactly proportional to the number of vacancies: each one scans every client).
Prints a markdown table, the machine and the exact command.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from naive_peer import naive_match  # noqa: E402

from services.evaluation.dataset import build  # noqa: E402
from services.evaluation.generator import generate  # noqa: E402
from services.evaluation.labels import latest  # noqa: E402


def _write(directory: Path, n_clients: int, n_vacancies: int, seed: int) -> tuple[Path, Path]:
    gen = generate(n_clients, n_vacancies, seed)
    paths = directory / f"clients-{n_clients}.jsonl", directory / f"vacancies-{n_vacancies}.jsonl"
    for path, rows in zip(paths, (gen.clients, gen.vacancies), strict=True):
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return paths


def _cli(clients: Path, vacancies: Path, out: Path, now: str) -> tuple[float, int]:
    jobmatch = Path(sys.executable).parent / "jobmatch"
    argv = [str(jobmatch), "match", "--clients", str(clients), "--vacancies", str(vacancies),
            "--output", str(out), "--now", now, "--quiet"]
    began = time.perf_counter()
    subprocess.run(argv, check=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    with out.open(encoding="utf-8") as fh:
        return seconds, sum(1 for _ in fh)


def _memory_per_client(n: int, seed: int) -> tuple[float, float]:
    """(tracemalloc bytes, RSS bytes) per client added to a Matcher's index."""
    from services.matcher.engine import Matcher

    gen = generate(n, 1, seed)
    data = build(gen, with_labels=False)
    now = data.now
    matcher = Matcher()
    matcher.upsert_client(data.clients[0], now)  # taxonomy and models loaded before measuring
    gc.collect()
    rss0 = _rss()
    tracemalloc.start()
    t0 = tracemalloc.get_traced_memory()[0]
    for c in data.clients[1:]:
        matcher.upsert_client(c, now)
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - t0
    tracemalloc.stop()
    added = len(data.clients) - 1
    return traced / added, (_rss() - rss0) / added


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def _machine() -> str:
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"nproc {os.cpu_count()}, CPU {model}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=10_000)
    p.add_argument("--vacancies", type=int, default=1_000)
    p.add_argument("--sample", type=int, default=100,
                   help="vacancies the prefiltering peer runs on")
    p.add_argument("--naive-sample", type=int, default=20,
                   help="vacancies the naive peer (scores every pair) runs on")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--memory-clients", type=int, default=10_000)
    p.add_argument("--big", action="store_true", help="also time 100,000 x 10,000")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="jobmatch-bench-") as tmp:
        d = Path(tmp)
        now = "2026-11-20T09:00:00Z"
        cpath, vpath = _write(d, args.clients, args.vacancies, args.seed)
        cli_s, made = _cli(cpath, vpath, d / "out.jsonl", now)

        gen = generate(args.clients, args.vacancies, args.seed)
        data = build(gen, with_labels=False)
        clients = list(latest(data.clients, "client_id").values())
        vacancies = list(latest(data.vacancies, "vacancy_id").values())
        size = f"{args.clients:,} x {args.vacancies:,}"
        rows.append(("`jobmatch match` (CLI, end to end)", size, f"{cli_s:.1f} s", f"{made:,}"))
        peer_s: dict[bool, float] = {}
        for prefilter, n in ((False, args.naive_sample), (True, args.sample)):
            sample = vacancies[:n]
            began = time.perf_counter()
            found = naive_match(clients, sample, data.now.date(), prefilter=prefilter)
            scale = len(vacancies) / max(1, len(sample))
            peer_s[prefilter] = (time.perf_counter() - began) * scale
            name = "peer with hard-rule prefilter" if prefilter else "naive peer (every pair)"
            rows.append((f"{name}, timed on {len(sample)} vacancies, x{scale:g}", size,
                         f"{peer_s[prefilter]:.1f} s (extrapolated)",
                         f"{len(found):,} on the sample"))
        if args.big:
            cbig, vbig = _write(d, 100_000, 10_000, args.seed)
            big_s, big_made = _cli(cbig, vbig, d / "big.jsonl", now)
            rows.append(("`jobmatch match` (CLI, end to end)", "100,000 x 10,000",
                         f"{big_s:.1f} s", f"{big_made:,}"))
    traced, rss = _memory_per_client(args.memory_clients, args.seed)

    print("| run | clients x vacancies | time | referrals |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\nspeed-up of `jobmatch match` over the naive peer: {peer_s[False] / cli_s:.1f}x "
          "(target >= 20x)")
    print(f"speed-up over the prefiltering peer: {peer_s[True] / cli_s:.1f}x")
    print(f"memory per client in the Matcher index ({args.memory_clients:,} clients): "
          f"{traced / 1024:.1f} KiB traced by tracemalloc, {rss / 1024:.1f} KiB RSS")
    print(f"\nmachine: {_machine()}")
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
