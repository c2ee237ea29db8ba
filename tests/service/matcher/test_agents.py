"""The agents decode, call the engine, send referrals/withdrawals/dead letters and keep state.

Faust ``test_context`` with the memory store; outbound topics are fakes (see conftest).
Each test runs its coroutine with ``asyncio.run`` (no async pytest plugin needed).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from services.matcher.app import MatcherApp
from services.matcher.regional import RegionOp
from services.matcher.routing import NATIONAL
from tests.fixtures import make_client, make_vacancy
from tests.service.matcher.conftest import NOW


def _b(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode()


def run(m: MatcherApp, scenario: Callable[[MatcherApp], Awaitable[None]]) -> None:
    asyncio.run(scenario(m))


async def route(m: MatcherApp, kind: str, key: str, value: bytes | None) -> None:
    agent = m.agents["route_clients" if kind == "client" else "route_vacancies"]
    async with agent.test_context() as ctx:
        await ctx.put(value=value, key=key.encode(), partition=0)


async def deliver(m: MatcherApp) -> None:
    """Feed what the router sent to the match agent, on the partitions it chose."""
    pending, m.regional.sent = list(m.regional.sent), []
    async with m.agents["match"].test_context() as ctx:
        for key, value, partition in pending:
            await ctx.put(value=value, key=key, partition=partition)


def state_keys(m: MatcherApp) -> set[str]:
    return set(m.state.table)


def test_client_then_vacancy_refers_and_records_state(matcher_app: MatcherApp) -> None:
    async def scenario(m: MatcherApp) -> None:
        await route(m, "client", "c-0001", _b(make_client()))
        ops = [RegionOp.from_bytes(v) for _k, v, _p in m.regional.sent]
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
        async with m.agents["match"].test_context() as ctx:
            for p in range(m.settings.regional_partitions):  # still open: nothing happens
                await ctx.put(value=tick, key=b"tick", partition=p)
            m.clock = lambda: NOW + timedelta(days=60)  # the closing date passed, no event
            for p in range(m.settings.regional_partitions):
                await ctx.put(value=tick, key=b"tick", partition=p)

    run(matcher_app, scenario)
    out = matcher_app.referrals.values()
    assert [r["kind"] for r in out] == ["referral", "withdrawal"]
    assert out[1]["explanation"]["withdrawal_reason"] == "vacancy closing date passed"
    assert not any("|r|" in k for k in state_keys(matcher_app))
