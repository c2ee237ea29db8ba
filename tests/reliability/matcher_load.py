"""Inputs, expectations and accounting for the streaming matcher's fault tests.

The expected referrals come from ``match_batch_regional`` (the batch path of the same regional
scheme) over the final version of every record. That is only a fair oracle when the result does
not depend on the order in which the worker sees the records, so the inputs are chosen for it
(docs/streaming.md, "Order"):

- a per-client cap that never binds (``MAX_PER_CLIENT``; the data peaks at ~12 per client), so
  each vacancy simply holds the best ``max_referrals`` referable clients;
- every client is consumed before the first vacancy is published;
- updates only ever *remove* a client or vacancy for good (pause, close) or *raise* a
  vacancy's ``positions``. After any of them the engine's refill gives the vacancy the best
  remaining clients, whatever the order, and no pair is referred, withdrawn and referred again
  (so a second ``referral`` event for one ``referral_id`` is always a duplicate).

The batch run takes ~10 s of CPU for 7,000 clients x 1,500 vacancies, so the tests run it in a
spawned process while the worker is busy (:class:`Oracle`).
"""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.matcher.data import clients, vacancies
from tests.reliability.accounting import Ledger, Report

__all__ = [
    "MAX_PER_CLIENT",
    "Oracle",
    "Outcome",
    "analyse",
    "clients",
    "expected_pairs",
    "final_versions",
    "updates",
    "vacancies",
]

MAX_PER_CLIENT = 50
Record = dict[str, Any]
Update = tuple[str, Record]  # ("client" | "vacancy", the new version)


def expected_pairs(cs: list[Record], vs: list[Record]) -> dict[str, tuple[str, str]]:
    """referral_id -> (vacancy_id, client_id) of every referral the batch path leaves active
    after every client then every vacancy. Picklable in and out (runs in a spawned process)."""
    from schemas import ClientProfile, Vacancy
    from services.matcher.engine.config import MatchConfig
    from services.matcher.regional import engine_factory, match_batch_regional

    batch = match_batch_regional(
        [ClientProfile.model_validate(c) for c in cs], [Vacancy.model_validate(v) for v in vs],
        engine_factory(MatchConfig(max_referrals_per_client=MAX_PER_CLIENT)), datetime.now(UTC))
    per_client = Counter(r.client_id for r in batch)
    # The oracle is only order-free while the cap does not bind (module docstring).
    assert max(per_client.values(), default=0) < MAX_PER_CLIENT, per_client.most_common(1)
    return {r.referral_id: (r.vacancy_id, r.client_id) for r in batch}


class Oracle:
    """``expected_pairs`` in one spawned process (not forked: the test holds Kafka threads)."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1,
                                         mp_context=multiprocessing.get_context("spawn"))

    def submit(self, cs: list[Record], vs: list[Record]
               ) -> Future[dict[str, tuple[str, str]]]:
        return self._pool.submit(expected_pairs, cs, vs)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def updates(cs: list[Record], vs: list[Record], referred_clients: Iterable[str], n: int,
            seed: int = 7) -> list[Update]:
    """``n`` order-free updates, a day after the originals: a third close a vacancy, a third
    raise a vacancy's positions by 2, a third pause a client that holds a referral (so each
    pause withdraws and refills)."""
    rng = random.Random(seed)
    later = timedelta(days=1)
    shuffled = rng.sample(vs, len(vs))
    n_close = n // 3
    n_grow = n // 3
    n_pause = n - n_close - n_grow
    referred = sorted(set(referred_clients))
    assert len(shuffled) >= n_close + n_grow and len(referred) >= n_pause
    out: list[Update] = []
    for v in shuffled[:n_close]:
        out.append(("vacancy", {**v, "status": "closed", "updated_at": _plus(v, later)}))
    for v in shuffled[n_close:n_close + n_grow]:
        out.append(("vacancy", {**v, "positions": v["positions"] + 2,
                                "updated_at": _plus(v, later)}))
    by_id = {c["client_id"]: c for c in cs}
    for cid in rng.sample(referred, n_pause):
        c = by_id[cid]
        out.append(("client", {**c, "status": "paused", "updated_at": _plus(c, later)}))
    rng.shuffle(out)
    return out


def _plus(record: Record, delta: timedelta) -> str:
    return (datetime.fromisoformat(record["updated_at"]) + delta).isoformat()


def final_versions(cs: list[Record], vs: list[Record], ups: list[Update]
                   ) -> tuple[list[Record], list[Record]]:
    """The latest version of every client and vacancy, in their original order."""
    new_c = {r["client_id"]: r for kind, r in ups if kind == "client"}
    new_v = {r["vacancy_id"]: r for kind, r in ups if kind == "vacancy"}
    return ([new_c.get(c["client_id"], c) for c in cs],
            [new_v.get(v["vacancy_id"], v) for v in vs])


@dataclass(frozen=True)
class Outcome:
    """What came out of the worker, measured against the oracle."""

    report: Report
    expected: int  # referrals active at the end, per the batch path
    distinct_referred: int  # referral_ids with at least one referral event
    referral_events: int
    withdrawal_events: int
    duplicate_referrals: int  # extra referral events for one referral_id
    duplicate_withdrawals: int
    missing: tuple[str, ...]  # expected at the end, never referred
    wrong_final: tuple[str, ...]  # last event's kind is not the expected final state
    wrong_pair: tuple[str, ...]  # referral_id carried another (vacancy, client) pair

    @property
    def duplicates(self) -> int:
        return self.duplicate_referrals + self.duplicate_withdrawals

    def summary(self) -> str:
        return (f"expected {self.expected}, distinct referred {self.distinct_referred}, "
                f"events {self.referral_events} referral + {self.withdrawal_events} withdrawal, "
                f"duplicates {self.duplicate_referrals} referral + "
                f"{self.duplicate_withdrawals} withdrawal, missing {len(self.missing)}, "
                f"wrong final state {len(self.wrong_final)}, wrong pair {len(self.wrong_pair)}")


def analyse(run_id: str, events: list[Record], final: dict[str, tuple[str, str]],
            ever: dict[str, tuple[str, str]] | None = None) -> Outcome:
    """Account for ``events`` (this run's, in the order read).

    Acknowledged, in the ledger's sense (what the inputs commit the system to): a ``referral``
    for every pair active at the end (``final``) or at an intermediate checkpoint (``ever``,
    e.g. before the updates); a ``withdrawal`` for every ``ever`` pair not in ``final``.
    Referrals made by a refill and withdrawn again later are legitimate but not predictable
    without replaying the exact order: the ledger lists them as unacknowledged (allowed)."""
    ever = ever or {}
    ledger = Ledger(run_id)
    for rid in {**ever, **final}:
        ledger.ack("referral", rid)
    for rid in ever.keys() - final.keys():
        ledger.ack("withdrawal", rid)
    counts: Counter[tuple[str, str]] = Counter()
    last: dict[str, str] = {}
    wrong_pair = set()
    for ev in events:
        rid, kind = ev["referral_id"], ev["kind"]
        ledger.observe(kind, rid)
        counts[rid, kind] += 1
        last[rid] = kind
        pair = final.get(rid) or ever.get(rid)
        if pair is not None and pair != (ev["vacancy_id"], ev["client_id"]):
            wrong_pair.add(rid)
    referred = {rid for rid, kind in counts if kind == "referral"}
    wrong_final = sorted(rid for rid, kind in last.items()
                         if (kind == "referral") != (rid in final))
    return Outcome(
        report=ledger.report(), expected=len(final), distinct_referred=len(referred),
        referral_events=sum(n for (_, k), n in counts.items() if k == "referral"),
        withdrawal_events=sum(n for (_, k), n in counts.items() if k == "withdrawal"),
        duplicate_referrals=sum(n - 1 for (_, k), n in counts.items() if k == "referral"),
        duplicate_withdrawals=sum(n - 1 for (_, k), n in counts.items() if k == "withdrawal"),
        missing=tuple(sorted(final.keys() - referred)),
        wrong_final=tuple(wrong_final), wrong_pair=tuple(sorted(wrong_pair)))
