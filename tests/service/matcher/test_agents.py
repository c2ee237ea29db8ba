"""The agents decode, call the engine, send referrals/withdrawals/dead letters and keep state.

Faust ``test_context`` with the memory store; outbound topics are fakes (see conftest).
Each test runs its coroutine with ``asyncio.run`` (no async pytest plugin needed).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from services.matcher.app import MatcherApp
from services.matcher.regional import RegionOp, unpack_ops
from services.matcher.routing import NATIONAL, partition_for_region
from tests.fixtures import make_client, make_vacancy
from tests.service.matcher.conftest import NOW, FakeTopic


def _b(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode()


def run(m: MatcherApp, scenario: Callable[[MatcherApp], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario(m))


async def handled(m: MatcherApp, counter: str, target: int, timeout: float = 10.0) -> None:
    """The agents take events in batches: ``put`` returns once an event is buffered, so wait
    until the agent has handled (and sent the outputs of) ``target`` events."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while m.counters[counter] < target:
        assert loop.time() < deadline, f"{counter}={m.counters[counter]} < {target}"
        await asyncio.sleep(0.005)


async def route(m: MatcherApp, kind: str, key: str, value: bytes | None) -> None:
    agent = m.agents["route_clients" if kind == "client" else "route_vacancies"]
    target = m.counters["input_events"] + 1
    async with agent.test_context() as ctx:
        await ctx.put(value=value, key=key.encode(), partition=0)
        await handled(m, "input_events", target)


async def deliver(m: MatcherApp) -> None:
    """Feed what the router sent to the match agent, on the partitions it chose."""
    pending, m.regional.sent = list(m.regional.sent), []
    target = m.counters["regional_events"] + len(pending)
    async with m.agents["match"].test_context() as ctx:
        for key, value, partition in pending:
            await ctx.put(value=value, key=key, partition=partition)
        await handled(m, "regional_events", target)


def state_keys(m: MatcherApp) -> set[str]:
    return set(m.state.table)


def test_client_then_vacancy_refers_and_records_state(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        ops = [op for _k, v, _p in m.regional.sent for op in unpack_ops(v or b"")]
        assert {op.op for op in ops} == {"client"}
        assert NATIONAL in {op.region for op in ops}
        await deliver(m)
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)

    run(matcher_app, scenario)
    m = matcher_app
    sent = m.referrals.values()
    assert [(r["kind"], r["client_id"], r["vacancy_id"]) for r in sent] == [
        ("referral", "c-0001", "v-0001")]
    assert m.referrals.sent[0][0] == b"v-0001"  # keyed by vacancy_id
    keys = state_keys(m)
    assert any(k.endswith("|c|c-0001") for k in keys)
    assert any(k.endswith("|v|v-0001") for k in keys)
    assert any(f"|r|{sent[0]['referral_id']}" in k for k in keys)
    assert "c|c-0001" in m.routes and "v|v-0001" in m.routes


def test_invalid_record_becomes_dead_letter_and_agent_goes_on(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "bad", b'{"client_id": "bad", "skils": []}')
        await route(m, "client", "c-0001", _b(make_client()))

    run(matcher_app, scenario)
    letters = matcher_app.deadletters.values()
    assert len(letters) == 1
    assert letters[0]["source"] == "matcher"
    assert letters[0]["position"].startswith("jobmatch.clients.v1/0/")
    assert len(matcher_app.regional.sent) > 0  # the valid one was routed


def test_closing_vacancy_withdraws(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)
        closed = make_vacancy(status="closed", updated_at="2026-11-21T09:00:00Z")
        await route(m, "vacancy", "v-0001", _b(closed))
        await deliver(m)

    run(matcher_app, scenario)
    kinds = [r["kind"] for r in matcher_app.referrals.values()]
    assert kinds == ["referral", "withdrawal"]
    assert not any("|r|" in k for k in state_keys(matcher_app))


def test_pausing_client_withdraws(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)
        await route(m, "client", "c-0001",
                    _b(make_client(status="paused", updated_at="2026-11-21T09:00:00Z")))
        await deliver(m)

    run(matcher_app, scenario)
    out = matcher_app.referrals.values()
    assert [r["kind"] for r in out] == ["referral", "withdrawal"]
    assert out[1]["explanation"]["withdrawal_reason"] == "client paused"


def test_tombstone_erases_client_from_state_and_routes(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)
        await route(m, "client", "c-0001", None)
        await deliver(m)

    run(matcher_app, scenario)
    m = matcher_app
    assert [r["kind"] for r in m.referrals.values()] == ["referral", "withdrawal"]
    assert not any("c-0001" in k for k in state_keys(m))
    assert "c|c-0001" not in m.routes
    assert all("c-0001" not in e.clients for e in m.state.matcher.regions.values())


def test_replayed_events_send_nothing_twice(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        first = list(m.regional.sent)
        await deliver(m)
        m.regional.sent = first  # a replay after a crash: the same regional messages again
        await deliver(m)
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))  # the same input again
        await deliver(m)

    run(matcher_app, scenario)
    assert len(matcher_app.referrals.sent) == 1


def test_state_is_rebuilt_from_the_table_after_reassignment(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await deliver(m)
        m.state.on_assigned(m.state.assigned)  # a rebalance: engines rebuilt lazily
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)

    run(matcher_app, scenario)
    assert matcher_app.state.restored_items >= 1
    assert [r["kind"] for r in matcher_app.referrals.values()] == ["referral"]


def test_tick_withdraws_after_closing_date(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        m.clock = lambda: NOW  # 2026-11-20; the vacancy closes on 2026-12-31
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        await deliver(m)
        tick = RegionOp("tick", "").to_bytes()
        parts = m.settings.regional_partitions
        async with m.agents["match"].test_context() as ctx:
            for p in range(parts):  # still open: nothing happens
                await ctx.put(value=tick, key=b"tick", partition=p)
            await handled(m, "ticks", parts)
            m.clock = lambda: NOW + timedelta(days=60)  # the closing date passed, no event
            for p in range(parts):
                await ctx.put(value=tick, key=b"tick", partition=p)
            await handled(m, "ticks", 2 * parts)

    run(matcher_app, scenario)
    out = matcher_app.referrals.values()
    assert [r["kind"] for r in out] == ["referral", "withdrawal"]
    assert out[1]["explanation"]["withdrawal_reason"] == "vacancy closing date passed"
    assert not any("|r|" in k for k in state_keys(matcher_app))


def _record_changelog(table: Any) -> list[tuple[int | None, bytes]]:
    """Wrap a table's ``send_changelog`` to record (partition, key) of every write."""
    seen: list[tuple[int | None, bytes]] = []
    original = table.send_changelog

    def send_changelog(partition: int | None, key: Any, value: Any, *a: Any, **kw: Any) -> Any:
        seen.append((partition, key))
        return original(partition, key, value, *a, **kw)

    table.send_changelog = send_changelog
    return seen


def test_a_batch_writes_each_key_to_its_own_partition(matcher_app: MatcherApp) -> None:
    """One batch mixes regional partitions (and input partitions): every state write goes
    to its region's partition, every route write to its record's input partition."""
    state_writes = _record_changelog(matcher_app.state_table)
    route_writes = _record_changelog(matcher_app.routes_table)

    async def scenario(m: MatcherApp) -> None:
        agent = m.agents["route_clients"]
        async with agent.test_context() as ctx:
            for i, (lat, lon) in enumerate([(51.5, -0.1), (53.48, -2.24), (55.86, -4.25)]):
                client = make_client(client_id=f"c-{i}", location={"lat": lat, "lon": lon})
                await ctx.put(value=_b(client), key=f"c-{i}".encode(), partition=i)
            await handled(m, "input_events", 3)
        assert len({p for _k, _v, p in m.regional.sent}) > 1
        await deliver(m)

    run(matcher_app, scenario)
    parts = matcher_app.settings.regional_partitions
    assert len(state_writes) >= 6
    assert len({p for p, _k in state_writes}) > 1
    for partition, key in state_writes:
        assert partition == partition_for_region(key.decode().split("|")[0], parts), key
    assert sorted(route_writes) == [(0, b"c|c-0"), (1, b"c|c-1"), (2, b"c|c-2")]


class _HeldTopic(FakeTopic):
    """Sends whose acknowledgements arrive only when the test releases them."""

    def __init__(self) -> None:
        super().__init__()
        self.futures: list[asyncio.Future[None]] = []

    async def send(self, *, key: bytes | None = None, value: bytes | None = None,
                   partition: int | None = None, **_kw: Any) -> asyncio.Future[None]:
        self.sent.append((key, value, partition))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.futures.append(fut)
        return fut


def test_state_is_written_only_after_the_outputs_are_acknowledged(
        matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        await route(m, "vacancy", "v-0001", _b(make_vacancy()))
        held = _HeldTopic()
        m.referrals = held
        pending, m.regional.sent = list(m.regional.sent), []
        async with m.agents["match"].test_context() as ctx:
            for key, value, partition in pending:
                await ctx.put(value=value, key=key, partition=partition)
            deadline = asyncio.get_running_loop().time() + 10
            while not held.futures:
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.1)
            assert not any("|r|" in k for k in state_keys(m))  # not acknowledged yet
            for fut in held.futures:
                fut.set_result(None)
            await handled(m, "batches", m.counters["batches"] + 1)
        assert any("|r|" in k for k in state_keys(m))

    run(matcher_app, scenario)
