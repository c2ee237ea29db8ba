"""The matcher's agents: thin. Decode, call the pure code, send -- a batch at a time.

- ``route_clients``/``route_vacancies``: canonical clients/vacancies -> validate (invalid ->
  dead letter) -> ``Router`` -> ``RegionOp``s on the regional topic, each to its region's
  partition. The op carries the record's canonical JSON (validated once, here).
- ``match``: regional topic -> ``RegionalMatcher`` -> referrals/withdrawals.
- a leader timer sends a ``tick`` to every regional partition; ``match`` then re-checks the
  closing dates of that partition's regions (a closing date passes without an event, and
  tables can only be written while processing an event).

Every agent takes its events in batches (``stream.take_events``: up to ``take_max`` events,
waiting at most ``take_within_s``). For one batch, ``match`` applies every op to the engines,
sends all the outputs, waits for the broker to acknowledge all of them, and only then writes
the batch's state changes, in the order the ops made them, to the state table. A batch that
makes many outputs does this every ``flush_outputs`` outputs. A batch's events are acked
(their offsets made committable) only after the agent has finished with the whole batch, and
queued records survive the end of a rebalance: faust-streaming gets both wrong on its own
(``faust_guards``). After a crash, everything after the last committed offsets is replayed:
ops whose changes reached the changelog produce nothing, the others send their outputs again
(duplicates with the same referral_id), but an output is never lost.

Tables write to the changelog partition of Faust's *current event*; in a batch that is no
longer the event being handled, so each table access runs under ``handling(event)``, which
makes the event it belongs to current (the routes of a record: its input event; the state of a
region: an event of its regional partition).

Concurrency is 1 everywhere (faust-streaming #606).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from schemas import ClientProfile, DeadLetter, Referral, validate
from schemas.validation import RecordKind
from services.heap import LongLivedHeap
from services.matcher.agent_support import (
    BatchRunner,
    acknowledged,
    handling,
    in_partition,
    position_of,
)
from services.matcher.diagnostics import TRACE, offsets, write_status
from services.matcher.faust_guards import AckGuard, keep_queues_on_resume
from services.matcher.regional import (
    RegionOp,
    Router,
    Step,
    pack_ops,
    unpack_ops,
)
from services.matcher.routing import partition_for_region
from services.matcher.web import register_pages

if TYPE_CHECKING:
    from services.matcher.app import MatcherApp

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(m: MatcherApp) -> None:  # noqa: PLR0915  (one closure per agent, kept together)
    app, worker = m.app, m.settings
    router = Router(worker.grid, m.routes)
    counters = m.counters
    for name in ("routed", "matched", "referrals", "withdrawals", "deadletters", "ticks",
                 "input_events", "regional_events", "batches", "state_writes", "batch_retries"):
        counters[name] = 0
    take_max, within = worker.take_max, worker.take_within_s
    flush_outputs = worker.flush_outputs
    timed = m.timings  # seconds per agent stage: where a batch's time goes (status file)
    guard = m.acks = AckGuard([worker.clients_topic, worker.vacancies_topic,
                               worker.regional_topic])
    keep_queues_on_resume(app.flow_control)  # services/matcher/faust_guards.py
    heap = None if worker.heap_settle_s is None else LongLivedHeap(worker.heap_settle_s)
    handle = BatchRunner(guard, timed, counters, heap)

    async def dead_letter(position: str, record_type: str, reason: str, raw: bytes) -> None:
        letter = DeadLetter.build(source="matcher", position=position,
                                  record_type=record_type,  # type: ignore[arg-type]
                                  reason=reason, raw=raw)
        await m.deadletters.send(key=position.encode(), value=letter.model_dump_json().encode())
        counters["deadletters"] += 1

    async def forward(ops: list[RegionOp], futures: list[Any]) -> None:
        """Send ops as few regional messages as possible: one array of ops per partition
        (a region's ops keep their order: one region, one partition)."""
        by_partition: dict[int, list[RegionOp]] = {}
        for op in ops:
            part = partition_for_region(op.region, worker.regional_partitions)
            by_partition.setdefault(part, []).append(op)
        for part, part_ops in by_partition.items():
            for value in pack_ops(part_ops):
                futures.append(await m.regional.send(
                    key=part_ops[0].region.encode(), value=value, partition=part))

    async def route_batch(events: list[Any], is_client: bool) -> None:
        """Route a batch of input records. The regional sends of the whole batch are awaited
        together at the end, before Faust acks the batch's events."""
        kind: RecordKind = "client" if is_client else "vacancy"
        pending: list[Any] = []
        ops_out: list[RegionOp] = []
        for event in events:
            counters["input_events"] += 1
            position = position_of(event)
            key = event.key.decode("utf-8", "replace") if event.key else ""
            if event.value is None:  # a tombstone: an erasure (clients) or a deletion
                with handling(event):
                    ops = (router.route_erasure(key, position) if is_client
                           else router.route_vacancy_deletion(key, position))
                # Forget the route only once the erase ops (and everything routed before them)
                # are acknowledged: a crash before that replays the tombstone, which must
                # still find the regions.
                await forward([*ops_out, *ops], pending)
                ops_out.clear()
                await acknowledged(pending)
                pending.clear()
                with handling(event):
                    router.forget(("c|" if is_client else "v|") + key)
                counters["routed"] += 1
                continue
            verdict = validate(kind, event.value)
            record = getattr(verdict, "record", None)
            if record is None:
                await dead_letter(position, kind, getattr(verdict, "reason", "rejected"),
                                  event.value)
                continue
            # The canonical JSON travels on: the matching side parses it once per process.
            canonical = record.model_dump_json()
            with handling(event):
                ops = (router.route_client(record, canonical, position)
                       if isinstance(record, ClientProfile)
                       else router.route_vacancy(record, canonical, position))
            if ops:  # hand the parsed record to this process's matching side
                m.records.put(kind, canonical, record)
            ops_out += ops
            counters["routed"] += 1
        await forward(ops_out, pending)
        if TRACE:
            log.info("TRACE route batch %s ops=%d", offsets(events), len(ops_out))
        with timed("route_wait_acks"):
            await acknowledged(pending)
        with timed("route_wait_changelog"):
            await changelog_handed_over()  # the batch's route writes
        counters["batches"] += 1

    # Two thin agents share one routes table: the input topics have the same partition count
    # and Faust assigns partition p of both to the same worker (co-partitioning).
    @app.agent(m.clients, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def route_clients(stream: Any) -> None:
        async for events in stream.take_events(take_max, within=within):
            await handle(events, "route", lambda evs: route_batch(evs, is_client=True))

    @app.agent(m.vacancies, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def route_vacancies(stream: Any) -> None:
        async for events in stream.take_events(take_max, within=within):
            await handle(events, "route", lambda evs: route_batch(evs, is_client=False))

    async def send_outputs(outputs: list[Referral], futures: list[Any]) -> None:
        for ref in outputs:
            futures.append(await m.referrals.send(key=ref.vacancy_id.encode(),
                                                  value=ref.model_dump_json().encode()))
            counters["referrals" if ref.kind == "referral" else "withdrawals"] += 1

    async def changelog_handed_over() -> None:
        """Wait until the table writes left Faust's producer buffer. Faust's commit flushes
        the producer first, but its buffer flush gives up after 0.1 s without progress, so a
        large batch of table writes could otherwise be committed past before it was sent."""
        buffer = app.producer.buffer
        while buffer.size and buffer.state == "running":  # (not in test contexts)
            await buffer.flush_atmost(None)

    def write_state(changes: list[tuple[str, Any, bytes | None]]) -> None:
        """Write every change in the order the ops made them (each op's in ``write_order``),
        never coalesced: a crash part-way then leaves the state after some ops plus part of
        the next, which the batch's replay converges from (tests/unit/test_crash_replay.py).
        Coalescing by key (the last value at the first position) let a prefix hold a later
        op's value without that op's other changes."""
        table = m.state.table
        for key, event, value in changes:
            with handling(event):
                if value is None:
                    if key in table:
                        del table[key]
                        counters["state_writes"] += 1
                else:
                    table[key] = value
                    counters["state_writes"] += 1

    async def match_batch(events: list[Any]) -> None:
        state = m.state
        partitions = {event.message.partition for event in events}
        if not partitions <= state.assigned:
            state.on_assigned(state.assigned | partitions)
        state.ensure_loaded()
        now = m.clock()
        pending: list[Any] = []
        # (key, an event of the key's partition, value), in the order the ops made them
        changes: list[tuple[str, Any, bytes | None]] = []
        try:
            for event in events:
                counters["regional_events"] += 1
                try:
                    ops = unpack_ops(event.value)
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    await dead_letter(position_of(event), "unknown",
                                      f"bad regional message: {exc}", event.value or b"")
                    continue
                for op in ops:
                    step: Step
                    if op.op == "tick":
                        counters["ticks"] += 1
                        step = state.matcher.expire(now, in_partition(
                            event.message.partition, worker.regional_partitions))
                    else:
                        began = time.perf_counter()
                        step = state.matcher.apply(op, now)
                        timed.add("engine", time.perf_counter() - began)
                    if step.rejected is not None:
                        await dead_letter(op.position or position_of(event), op.op,
                                          step.rejected, op.raw.encode())
                        continue
                    await send_outputs(step.outputs, pending)
                    changes += [(key, event, value) for key, value in step.changes]
                    counters["matched"] += 1
                    if len(pending) >= flush_outputs:
                        # Bound what a crash replays (outputs sent, state not yet written).
                        await settle(pending, changes)
            # Every output of the batch is acknowledged before the state recording it.
            with timed("match_wait_acks"):
                await acknowledged(pending)
        except BaseException:
            state.invalidate()  # the engines may be ahead of the table now
            raise
        await settle([], changes)
        counters["batches"] += 1
        if TRACE:
            log.info("TRACE match batch %s outputs=%d", offsets(events), len(pending))

    async def settle(pending: list[Any], changes: list[tuple[str, Any, bytes | None]]) -> None:
        """Outputs acknowledged, then the state recording them written and handed over."""
        with timed("match_wait_acks"):
            await acknowledged(pending)
        with timed("state_write"):
            write_state(changes)
        pending.clear()
        changes.clear()
        with timed("match_wait_changelog"):
            await changelog_handed_over()

    @app.agent(m.regional, concurrency=1)  # type: ignore[untyped-decorator]  # faust is untyped
    async def match(stream: Any) -> None:
        async for events in stream.take_events(take_max, within=within):
            await handle(events, "match", match_batch)

    @app.timer(worker.tick_interval_s, on_leader=True)  # type: ignore[untyped-decorator]
    async def closing_dates() -> None:
        tick = RegionOp("tick", "").to_bytes()
        for partition in range(worker.regional_partitions):
            await m.regional.send(key=b"tick", value=tick, partition=partition)

    @app.on_partitions_assigned.connect  # type: ignore[untyped-decorator]  # faust is untyped
    async def on_assigned(sender: Any, assigned: Any, **_kw: Any) -> None:
        guard.install(app.consumer)  # before any event of this assignment is handled
        mine = frozenset(tp.partition for tp in assigned if tp.topic == worker.regional_topic)
        if TRACE:
            log.info("TRACE assigned %s", sorted(f"{tp.topic[-9:]}/{tp.partition}"
                                                 for tp in assigned))
        m.state.on_assigned(mine)

    @app.on_partitions_revoked.connect  # type: ignore[untyped-decorator]  # faust is untyped
    async def on_revoked(sender: Any, revoked: Any, **_kw: Any) -> None:
        if TRACE:
            log.info("TRACE revoked %s", sorted(f"{tp.topic[-9:]}/{tp.partition}"
                                                for tp in revoked))

    if worker.status_file is not None:
        status_path = worker.status_file

        @app.timer(1.0)  # type: ignore[untyped-decorator]  # faust is untyped
        async def status_file() -> None:
            write_status(status_path, {
                "worker_id": worker.worker_id, "assigned": sorted(m.state.assigned),
                "counters": dict(counters), "timings_s": timed.rounded(),
                "acks_refused": guard.refused, "state": m.state.matcher.stats(),
                "restored_items": m.state.restored_items,
                "last_restore_s": m.state.last_restore_s,
                "heap": None if heap is None else {
                    "settles": heap.settles, "freezes": heap.freezes,
                    "last_settle_s": round(heap.last_settle_s, 3)},
            })

    if worker.web_port is not None:
        # Late-bound on purpose: the state's matcher is replaced on every rebuild.
        register_pages(app, counters, lambda: m.state.matcher.stats(),  # noqa: PLW0108
                       lambda: frozenset(m.state.assigned))
    m.agents.update(route_clients=route_clients, route_vacancies=route_vacancies, match=match)
