"""A crash while a batch's state is being written must not change which referrals hold.

The match agent sends a batch's outputs, then writes its state changes (in op order, each
op's in ``regional.write_order``); a SIGKILL can stop the writes anywhere, and the whole batch
is then replayed on the state restored from what was written. For every point the writes could
stop at, the referrals that hold in the end -- as an employer reading the output topic sees
them, the first run's outputs then the replay's -- and the engine's own state must be those
of the run without a crash.

With one referral per client, who a vacancy gets depends on who earlier vacancies took: a
restored state that holds an op's record but not all of its referrals lets the replay give a
client a second referral while the first one still holds (seen as extra referrals in the
SIGKILL integration test).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas import Referral
from services.matcher.engine.config import MatchConfig
from services.matcher.regional import (
    RegionalMatcher,
    RegionOp,
    engine_factory,
    engine_restorer,
)
from tests.fixtures import make_client, make_vacancy

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
REGION = "g52:-2"
SKILLS = ["customer service", "cash handling", "stock replenishment", "cleaning", "first aid"]


def _matcher(config: MatchConfig) -> RegionalMatcher:
    return RegionalMatcher(engine_factory(config), engine_restorer(config))


def _ops(seed: int) -> tuple[list[RegionOp], list[RegionOp]]:
    rng = random.Random(seed)
    clients = [make_client(
        client_id=f"c{i}", skills=rng.sample(SKILLS, 3), certifications=[],
        location={"lat": 52.48 + rng.uniform(-0.05, 0.05), "lon": -1.89 + rng.uniform(-0.05, 0.05)},
        max_travel_km=25) for i in range(14)]
    vacancies = [make_vacancy(
        vacancy_id=f"v{i}", required_skills=rng.sample(SKILLS, 1), desired_skills=[],
        required_certifications=[], max_referrals=rng.randint(1, 3),
        location={"lat": 52.48 + rng.uniform(-0.05, 0.05), "lon": -1.89 + rng.uniform(-0.05, 0.05)},
        closing_date="2099-12-31") for i in range(7)]
    return ([RegionOp("client", REGION, raw=json.dumps(c)) for c in clients],
            [RegionOp("vacancy", REGION, raw=json.dumps(v)) for v in vacancies])


def _run(matcher: RegionalMatcher, ops: list[RegionOp]
         ) -> tuple[list[Referral], list[tuple[str, bytes | None]]]:
    """Apply ``ops`` as one batch: the outputs, and the changes in the order the match
    agent writes them (each op's as ``apply`` orders them: ``write_order``)."""
    outputs: list[Referral] = []
    changes: list[tuple[str, bytes | None]] = []
    for op in ops:
        step = matcher.apply(op, NOW)
        outputs += step.outputs
        changes += step.changes
    return outputs, changes


def _state(changes: list[tuple[str, bytes | None]],
           base: dict[str, bytes] | None = None) -> dict[str, bytes]:
    state = dict(base or {})
    for key, value in changes:
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    return state


def _holding(events: list[Referral], before: set[str] | None = None) -> set[str]:
    """The referrals that hold after ``events``, given those that held ``before``."""
    held: set[str] = set(before or ())
    for event in events:
        if event.kind == "referral":
            held.add(event.referral_id)
        else:
            held.discard(event.referral_id)
    return held


def _stored(state: dict[str, bytes]) -> list[tuple[str, bytes]]:
    return list(state.items())


def _later(op: RegionOp, at: str, **changes: Any) -> RegionOp:
    """``op``'s record as updated ``at`` (an ISO time) with ``changes``."""
    record = {**json.loads(op.raw), **changes, "updated_at": f"2026-11-22T{at}:00+00:00"}
    return RegionOp(op.op, REGION, raw=json.dumps(record))


_AWAY = {"lat": 53.48, "lon": -2.24}  # out of reach of every client and vacancy here


def _updates(seed: int, client_ops: list[RegionOp],
             vacancy_ops: list[RegionOp]) -> list[RegionOp]:
    """A later batch: clients paused, resumed or moved away, vacancies closed or reopened
    with more room, erasures: withdrawals and the refills they free."""
    rng = random.Random(seed + 100)
    ops: list[RegionOp] = []
    for n in range(12):
        roll = rng.random()
        at = f"10:{n:02d}"
        if roll < 0.45:
            client = rng.choice(client_ops)
            ops.append(_later(client, at, status="paused") if roll < 0.25
                       else _later(client, at, location=_AWAY))
        elif roll < 0.85:
            vacancy = rng.choice(vacancy_ops)
            ops.append(_later(vacancy, at, status="closed") if roll < 0.65
                       else _later(vacancy, at, max_referrals=3))
        elif roll < 0.92:
            ops.append(RegionOp("erase", REGION, entity_id=json.loads(
                rng.choice(client_ops).raw)["client_id"]))
        else:  # a new vacancy, after client updates: it may refer a client updated before
            ops.append(_later(rng.choice(vacancy_ops), at, vacancy_id=f"new{n}"))
    # New clients last, after the vacancies they may be referred to.
    ops += [_later(rng.choice(client_ops), f"11:{n:02d}", client_id=f"newc{n}")
            for n in range(3)]
    # And a new client updated again, after the referrals it may have had.
    ops.append(_later(ops[-1], "12:00", location=_AWAY))
    return ops


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("batch", ["vacancies", "updates"])
def test_any_partial_write_of_a_batch_replays_to_the_same_referrals(seed: int,
                                                                     batch: str) -> None:
    config = MatchConfig(max_referrals_per_client=1)  # choices depend on earlier choices
    client_ops, vacancy_ops = _ops(seed)
    first = _matcher(config)
    _, committed = _run(first, client_ops)
    if batch == "updates":  # the vacancies committed too; the updates crash
        _, more = _run(first, vacancy_ops)
        committed += more
        vacancy_ops = _updates(seed, client_ops, vacancy_ops)
    state = _state(committed)

    # The batch that crashes, on the committed state.
    uncrashed = _matcher(config)
    uncrashed.restore(_stored(state))
    before = set(uncrashed.regions[REGION].active)
    outputs, changes = _run(uncrashed, vacancy_ops)
    expected = _holding(outputs, before)
    assert len(expected) >= 4, "the data should make referrals, or the test says nothing"
    assert batch == "vacancies" or any(o.kind == "withdrawal" for o in outputs)
    engine_expected = set(uncrashed.regions[REGION].active)

    failures = []
    for k in range(len(changes) + 1):  # the writes stopped after k of them
        restored = _state(changes[:k], state)
        replay = _matcher(config)
        replay.restore(_stored(restored))
        again, _ = _run(replay, vacancy_ops)
        seen = _holding(outputs + again, before)
        engine = set(replay.regions[REGION].active)
        if seen != expected or engine != expected or engine != engine_expected:
            failures.append((k, len(seen - expected), len(expected - seen)))
    assert not failures, f"(writes done, extra, missing) per failing point: {failures}"
