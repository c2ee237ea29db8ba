"""The matcher's agents: thin. Decode, call the pure code, send.

- ``route``: canonical clients/vacancies -> validate (invalid -> dead letter) -> ``Router`` ->
  ``RegionOp``s on the regional topic, each to its region's partition.
- ``match``: regional topic -> ``RegionalMatcher`` -> referrals/withdrawals. The outputs are
  sent and acknowledged by the broker *before* the state changes are written to the state
  table: after a crash, an event whose changes did not reach the changelog is replayed and
  its outputs sent again (a duplicate with the same referral_id), but an output is never lost.
- a leader timer sends a ``tick`` to every regional partition; ``match`` then re-checks the
  closing dates of that partition's regions (a closing date passes without an event, and
  tables can only be written while processing an event).

Concurrency is 1 everywhere (faust-streaming #606).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from schemas import DeadLetter, Referral, validate
from schemas.validation import RecordKind
from services.matcher.regional import RegionOp, Router
from services.matcher.routing import partition_for_region

if TYPE_CHECKING:
    from services.matcher.app import MatcherApp

__all__ = ["register"]

log = logging.getLogger(__name__)


def _position(event: Any) -> str:
    msg = event.message
    return f"{msg.topic}/{msg.partition}/{msg.offset}"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8")


def register(m: MatcherApp) -> None:  # noqa: PLR0915  (one closure per agent, kept together)
    app, worker = m.app, m.settings
    router = Router(worker.grid, m.routes)
    counters = m.counters
    for name in ("routed", "matched", "referrals", "withdrawals", "deadletters", "ticks"):
        counters[name] = 0

    async def dead_letter(position: str, record_type: str, reason: str, raw: bytes) -> None:
        letter = DeadLetter.build(source="matcher", position=position,
                                  record_type=record_type,  # type: ignore[arg-type]
                                  reason=reason, raw=raw)
        await m.deadletters.send(key=position.encode(), value=letter.model_dump_json().encode())
        counters["deadletters"] += 1

    async def forward(ops: list[RegionOp]) -> list[Any]:
        futures = []
        for op in ops:
            futures.append(await m.regional.send(
                key=op.region.encode(), value=op.to_bytes(),
                partition=partition_for_region(op.region, worker.regional_partitions)))
        return futures

    async def route_event(event: Any, is_client: bool) -> None:
        position = _position(event)
        key = event.key.decode("utf-8", "replace") if event.key else ""
        if event.value is None:  # a tombstone: an erasure (clients) or a deletion (vacancies)
            ops = (router.route_erasure(key, position) if is_client
                   else router.route_vacancy_deletion(key, position))
            # Forget the route only once the erase ops are acknowledged: a crash before that
            # replays the tombstone, which must still find the regions.
            for fut in await forward(ops):
                await fut
            router.forget(("c|" if is_client else "v|") + key)
            counters["routed"] += 1
            return
        kind: RecordKind = "client" if is_client else "vacancy"
        verdict = validate(kind, event.value)
        record = getattr(verdict, "record", None)
        if record is None:
            await dead_letter(position, kind, getattr(verdict, "reason", "rejected"), event.value)
            return
        raw = _text(event.value)
        ops = (router.route_client(record, raw, position) if is_client
               else router.route_vacancy(record, raw, position))
        await forward(ops)
        counters["routed"] += 1

    # Two thin agents share one routes table: the input topics have the same partition count
    # and Faust assigns partition p of both to the same worker (co-partitioning).
    @app.agent(m.clients, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def route_clients(stream: Any) -> None:
        async for event in stream.events():
            await route_event(event, is_client=True)

    @app.agent(m.vacancies, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def route_vacancies(stream: Any) -> None:
        async for event in stream.events():
            await route_event(event, is_client=False)

    async def send_outputs(outputs: list[Referral]) -> None:
        futures = []
        for ref in outputs:
            futures.append(await m.referrals.send(key=ref.vacancy_id.encode(),
                                                  value=ref.model_dump_json().encode()))
            counters["referrals" if ref.kind == "referral" else "withdrawals"] += 1
        for fut in futures:  # acknowledged before the state that records them is written
            await fut

    @app.agent(m.regional, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def match(stream: Any) -> None:
        state = m.state
        async for event in stream.events():
            partition = event.message.partition
            if partition not in state.assigned:
                state.on_assigned(state.assigned | {partition})
            try:
                op = RegionOp.from_bytes(event.value)
            except (ValueError, KeyError, TypeError) as exc:
                await dead_letter(_position(event), "unknown", f"bad regional message: {exc}",
                                  event.value or b"")
                continue
            state.ensure_loaded()
            now = m.clock()
            try:
                if op.op == "tick":
                    counters["ticks"] += 1
                    mine = _in_partition(partition, worker.regional_partitions)
                    step = state.matcher.expire(now, mine)
                else:
                    step = state.matcher.apply(op, now)
                if step.rejected is not None:
                    await dead_letter(op.position or _position(event), op.op, step.rejected,
                                      op.raw.encode())
                    continue
                await send_outputs(step.outputs)
            except BaseException:
                state.invalidate()  # the engines may be ahead of the table now
                raise
            for key, value in step.changes:
                if value is None:
                    if key in state.table:
                        del state.table[key]
                else:
                    state.table[key] = value
            counters["matched"] += 1

    @app.timer(worker.tick_interval_s, on_leader=True)  # type: ignore[untyped-decorator]
    async def closing_dates() -> None:
        tick = RegionOp("tick", "").to_bytes()
        for partition in range(worker.regional_partitions):
            await m.regional.send(key=b"tick", value=tick, partition=partition)

    @app.on_partitions_assigned.connect  # type: ignore[untyped-decorator]  # faust is untyped
    async def on_assigned(sender: Any, assigned: Any, **_kw: Any) -> None:
        mine = frozenset(tp.partition for tp in assigned if tp.topic == worker.regional_topic)
        m.state.on_assigned(mine)

    if worker.status_file is not None:
        status_path = worker.status_file

        @app.timer(1.0)  # type: ignore[untyped-decorator]  # faust is untyped
        async def write_status() -> None:
            status = {
                "worker_id": worker.worker_id, "pid": os.getpid(), "time": time.time(),
                "assigned": sorted(m.state.assigned), "counters": dict(counters),
                "state": m.state.matcher.stats(), "restored_items": m.state.restored_items,
                "last_restore_s": m.state.last_restore_s,
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "rss_kb": _rss_kb(),
            }
            tmp = status_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(status))
            tmp.replace(status_path)

    m.agents.update(route_clients=route_clients, route_vacancies=route_vacancies, match=match)


def _in_partition(partition: int, partitions: int) -> Callable[[str], bool]:
    return lambda region: partition_for_region(region, partitions) == partition


def _rss_kb() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
