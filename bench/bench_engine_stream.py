"""The matching engine alone on the streaming worker's mixed stream: no Kafka, no Faust.

    .venv/bin/python bench/bench_engine_stream.py [--clients 20000] [--vacancies 100]
        [--events 5000] [--mix moves|updates] [--seed 31] [--heap-every S]
        [--profile out.prof]

Builds what one worker holds in bench/bench_matcher.py (N clients routed to their regions, a
few vacancies), then times the mixed phase the same way (``--mix``, bench/mixed_streams.py;
by default ``moves``: 80% client updates that move the client to a random city, so it leaves
regions, withdrawing and refilling, and joins others, and 20% new vacancies). Every record
goes through the
worker's own ``Router`` and ``RegionalMatcher`` (records parsed ahead, as the worker's router
hands its parsed record over). Prints the command, the events/s and regional ops/s of the
mixed phase (wall and process CPU time: on a shared machine compare CPU, runs interleaved),
the peak RSS, and a digest of every output (referral ids, kinds, scores, explanations, order):
two engines that print the same digest made the same outputs.

To compare against another checkout of the engine, run this file with ``PYTHONPATH`` pointing
at that checkout (e.g. a ``git worktree`` of HEAD).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

if not any(Path(p or ".").resolve().joinpath("services/matcher").is_dir() for p in sys.path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mixed_streams import MIXES, mixed_stream

from schemas import ClientProfile, Vacancy
from services.heap import LongLivedHeap
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.features import FeaturesCache
from services.matcher.regional import (
    RecordCache,
    RegionalMatcher,
    RegionOp,
    Router,
    engine_factory,
    engine_restorer,
)
from services.matcher.routing import Grid
from tests.integration.matcher.data import BASE, clients, vacancies

NOW = BASE + timedelta(days=1)


class GcTimer:
    """Time the cyclic garbage collector's passes, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.passes = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._began = 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.passes[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._began

    def since(self, before: tuple[list[int], list[float]]) -> str:
        return ", ".join(f"gen{g} {self.passes[g] - before[0][g]} passes "
                         f"{self.seconds[g] - before[1][g]:.2f} s" for g in range(3))

    def mark(self) -> tuple[list[int], list[float]]:
        return list(self.passes), list(self.seconds)


class Run:
    def __init__(self, heap: LongLivedHeap | None) -> None:
        self.heap = heap
        config = MatchConfig()
        features = FeaturesCache()
        self.records = RecordCache(max_entries=1_000_000)
        self.router = Router(Grid(), {})
        self.matcher = RegionalMatcher(engine_factory(config, features),
                                       engine_restorer(config, features), self.records)
        self.digest = hashlib.sha256()
        self.outputs = 0
        self.ops = 0

    def ops_for(self, kind: str, record: dict[str, Any]) -> list[RegionOp]:
        raw = json.dumps(record, separators=(",", ":"))
        if kind == "client":
            profile = ClientProfile.model_validate_json(raw)
            self.records.put("client", raw, profile)
            return self.router.route_client(profile, raw)
        vacancy = Vacancy.model_validate_json(raw)
        self.records.put("vacancy", raw, vacancy)
        return self.router.route_vacancy(vacancy, raw)

    def apply(self, ops: list[RegionOp]) -> None:
        if self.heap is not None:  # as the worker does after each batch
            self.heap.after_batch()
        for op in ops:
            step = self.matcher.apply(op, NOW)
            self.ops += 1
            for ref in step.outputs:
                self.outputs += 1
                self.digest.update(ref.model_dump_json().encode())
                self.digest.update(b"\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20_000)
    ap.add_argument("--vacancies", type=int, default=100, help="held before the mixed phase")
    ap.add_argument("--events", type=int, default=5_000, help="mixed-phase events")
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--mix", choices=MIXES, default="moves",
                    help="shape of the mixed stream (bench/mixed_streams.py)")
    ap.add_argument("--heap-every", type=float, default=None, metavar="S",
                    help="settle the heap every S seconds, as the worker does "
                         "(services/heap.py); default: Python's own GC policy")
    ap.add_argument("--profile", help="write a cProfile of the mixed phase here")
    args = ap.parse_args()
    print("$ " + " ".join([Path(sys.executable).name, *sys.argv]), flush=True)

    gc_timer = GcTimer()
    run = Run(None if args.heap_every is None else LongLivedHeap(args.heap_every))
    prefix = "b-"
    t0 = time.perf_counter()
    loaded = clients(prefix, args.clients, seed=args.seed)
    held = vacancies(prefix + "lat", args.vacancies, seed=args.seed + 1)
    for c in loaded:
        run.apply(run.ops_for("client", c))
    for v in held:
        run.apply(run.ops_for("vacancy", v))
    load_s = time.perf_counter() - t0

    # The mixed phase, as bench_matcher.py sends it.
    stream = [(kind, record) for kind, _key, record in mixed_stream(
        args.mix, prefix, args.events, loaded=loaded, open_vacancies=held,
        base=BASE + timedelta(seconds=args.clients, hours=1), seed=args.seed + 2)]
    routed = [run.ops_for(kind, record) for kind, record in stream]  # parsing is not timed
    ops_before, outputs_before = run.ops, run.outputs
    gc_before = gc_timer.mark()
    profiler = cProfile.Profile() if args.profile else None
    t0, cpu0 = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    for ops in routed:
        run.apply(ops)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    mix_s, cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    n_ops, n_out = run.ops - ops_before, run.outputs - outputs_before
    stats = run.matcher.stats()
    print(f"load: {args.clients:,} clients + {args.vacancies} vacancies in {load_s:.1f} s; "
          f"{stats['clients']:,} client copies in {stats['regions']} regions")
    print(f"mixed: {len(stream):,} events ({n_ops:,} regional ops, {n_out:,} outputs) in "
          f"{mix_s:.2f} s = {len(stream) / mix_s:,.0f} events/s, {n_ops / mix_s:,.0f} ops/s, "
          f"{mix_s / len(stream) * 1000:.3f} ms/event; CPU {cpu_s:.2f} s = "
          f"{cpu_s / len(stream) * 1000:.3f} ms/event")
    print(f"cyclic GC in the mixed phase: {gc_timer.since(gc_before)}"
          + ("" if run.heap is None else
             f"; heap settled {run.heap.settles}, frozen {run.heap.freezes} times"))
    import services.matcher.engine.matcher as engine_module
    print(f"engine: {Path(engine_module.__file__ or '').parent}")
    memos = [getattr(e, "_memo", None) for e in run.matcher.regions.values()]
    if all(m is not None for m in memos):  # the engine keeps a score memo (score_memo.py)
        print(f"score memo: {sum(m.hits for m in memos):,} hits, "
              f"{sum(m.misses for m in memos):,} misses (load + mixed), "
              f"{sum(len(m) for m in memos):,} tables held")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"outputs digest (load + mixed, {run.outputs:,}): {run.digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
