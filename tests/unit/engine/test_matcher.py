"""The incremental matcher: latest wins, caps, withdrawals, freed slots, determinism."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from schemas import Referral, referral_id_for
from services.matcher.engine import MatchConfig, Matcher
from tests.unit.engine.conftest import NOW, client, vacancy

LATER = "2026-11-20T12:00:00Z"
LATEST = "2026-11-20T15:00:00Z"


def _clients(n: int, **overrides: Any) -> list[Any]:
    # Further north = further from the vacancy = lower score: c0 is the best fit.
    return [client(client_id=f"c{i}", location={"lat": 52.478 + 0.01 * i, "lon": -1.8946},
                   **overrides) for i in range(n)]


def _kinds(events: list[Referral]) -> list[tuple[str, str, str]]:
    return [(e.kind, e.vacancy_id, e.client_id) for e in events]


def test_vacancy_refers_best_clients_up_to_max_referrals() -> None:
    m = Matcher()
    for c in _clients(5):
        assert m.upsert_client(c, NOW) == []  # no vacancy yet
    events = m.upsert_vacancy(vacancy(max_referrals=3), NOW)
    assert _kinds(events) == [("referral", "v-0001", f"c{i}") for i in range(3)]
    assert events[0].referral_id == referral_id_for("v-0001", "c0")
    assert events[0].created_at == NOW and events[0].matcher_version == "engine-1.1"
    assert [e.score for e in events] == sorted((e.score for e in events), reverse=True)


def test_ties_are_broken_by_client_id() -> None:
    m = Matcher()
    for cid in ["b", "c", "a"]:
        m.upsert_client(client(client_id=cid), NOW)
    events = m.upsert_vacancy(vacancy(max_referrals=2), NOW)
    assert [e.client_id for e in events] == ["a", "b"]


def test_per_client_cap() -> None:
    m = Matcher(MatchConfig(max_referrals_per_client=2))
    m.upsert_client(client(), NOW)
    made = [e for i in range(4) for e in m.upsert_vacancy(vacancy(vacancy_id=f"v{i}"), NOW)]
    assert len(made) == 2


def test_client_arriving_after_vacancies_is_referred_best_first() -> None:
    m = Matcher(MatchConfig(max_referrals_per_client=1))
    m.upsert_vacancy(vacancy(vacancy_id="far", location={"lat": 52.55, "lon": -1.89}), NOW)
    m.upsert_vacancy(vacancy(vacancy_id="near"), NOW)
    assert _kinds(m.upsert_client(client(), NOW)) == [("referral", "near", "c-0001")]


def test_older_or_equal_updates_are_ignored_and_replays_emit_nothing() -> None:
    m = Matcher()
    m.upsert_client(client(), NOW)
    assert len(m.upsert_vacancy(vacancy(), NOW)) == 1
    assert m.upsert_vacancy(vacancy(), NOW) == []  # same event twice
    assert m.upsert_vacancy(vacancy(status="closed", updated_at="2026-11-19T00:00:00Z"),
                            NOW) == []
    assert m.upsert_client(client(status="paused", updated_at="2026-11-20T09:30:00Z"),
                           NOW) == []  # equal time
    assert len(m.active) == 1


def test_update_that_still_holds_emits_nothing() -> None:
    m = Matcher()
    m.upsert_client(client(), NOW)
    m.upsert_vacancy(vacancy(), NOW)
    assert m.upsert_client(client(updated_at=LATER, skills=["customer service", "cashier"]),
                           NOW) == []
    assert m.upsert_vacancy(vacancy(updated_at=LATER, description="New text."), NOW) == []


def test_vacancy_closing_withdraws_with_same_id() -> None:
    m = Matcher()
    m.upsert_client(client(), NOW)
    (made,) = m.upsert_vacancy(vacancy(), NOW)
    (gone,) = m.upsert_vacancy(vacancy(status="filled", updated_at=LATER), NOW)
    assert gone.kind == "withdrawal" and gone.referral_id == made.referral_id
    assert gone.explanation.withdrawal_reason == "vacancy filled"
    assert m.active == {}


def test_closing_date_passing_withdraws_on_expire() -> None:
    m = Matcher()
    m.upsert_client(client(), NOW)
    m.upsert_vacancy(vacancy(closing_date="2026-11-21"), NOW)
    assert m.expire(NOW + timedelta(hours=12)) == []  # still 21 Nov in London
    (gone,) = m.expire(NOW + timedelta(days=1))
    assert gone.explanation.withdrawal_reason == "vacancy closing date passed"


def test_client_pause_withdraws_and_freed_slot_goes_to_next_best() -> None:
    m = Matcher()
    for c in _clients(3):
        m.upsert_client(c, NOW)
    assert [e.client_id for e in m.upsert_vacancy(vacancy(max_referrals=2), NOW)] == ["c0", "c1"]
    events = m.upsert_client(_clients(1, status="paused", updated_at=LATER)[0], NOW)
    assert _kinds(events) == [("withdrawal", "v-0001", "c0"), ("referral", "v-0001", "c2")]
    assert events[0].explanation.withdrawal_reason == "client paused"


def test_consent_withdrawn_and_hard_rule_failure_after_update() -> None:
    m = Matcher()
    m.upsert_client(client(), NOW)
    m.upsert_vacancy(vacancy(), NOW)
    (gone,) = m.upsert_client(client(updated_at=LATER, location={"lat": 53.5, "lon": -2.2}),
                              NOW)
    assert gone.explanation.withdrawal_reason == "beyond travel distance"
    (back,) = m.upsert_client(client(updated_at=LATEST), NOW)
    assert back.kind == "referral" and back.referral_id == gone.referral_id
    (gone2,) = m.upsert_client(client(updated_at="2026-11-20T16:00:00Z",
                                      consent_to_share=False), NOW)
    assert gone2.explanation.withdrawal_reason == "client consent withdrawn"


def test_vacancy_update_adding_a_certification_withdraws_non_holders() -> None:
    m = Matcher()
    m.upsert_client(client(client_id="holder", certifications=["SIA DS licence"]), NOW)
    m.upsert_client(client(client_id="other", certifications=[]), NOW)
    assert len(m.upsert_vacancy(vacancy(), NOW)) == 2
    events = m.upsert_vacancy(vacancy(updated_at=LATER,
                                      required_certifications=["SIA door supervisor licence"]),
                              NOW)
    assert _kinds(events) == [("withdrawal", "v-0001", "other")]


def test_max_referrals_lowered_withdraws_weakest() -> None:
    m = Matcher()
    for c in _clients(3):
        m.upsert_client(c, NOW)
    m.upsert_vacancy(vacancy(max_referrals=3), NOW)
    events = m.upsert_vacancy(vacancy(max_referrals=1, updated_at=LATER), NOW)
    assert _kinds(events) == [("withdrawal", "v-0001", "c2"), ("withdrawal", "v-0001", "c1")]


def test_erase_client_withdraws_forgets_and_refills() -> None:
    m = Matcher()
    for c in _clients(2):
        m.upsert_client(c, NOW)
    m.upsert_vacancy(vacancy(max_referrals=1), NOW)
    events = m.erase_client("c0", NOW)
    assert _kinds(events) == [("withdrawal", "v-0001", "c0"), ("referral", "v-0001", "c1")]
    assert events[0].explanation.withdrawal_reason == "client erased"
    assert "c0" not in m.clients
    assert m.erase_client("c0", NOW) == []


def test_freed_client_slot_is_offered_to_other_vacancies() -> None:
    m = Matcher(MatchConfig(max_referrals_per_client=1))
    m.upsert_client(client(), NOW)
    m.upsert_vacancy(vacancy(vacancy_id="a"), NOW)
    assert m.upsert_vacancy(vacancy(vacancy_id="b"), NOW) == []  # client at cap
    events = m.upsert_vacancy(vacancy(vacancy_id="a", status="closed", updated_at=LATER), NOW)
    assert _kinds(events) == [("withdrawal", "a", "c-0001"), ("referral", "b", "c-0001")]


def test_snapshot_restore_keeps_state() -> None:
    m = Matcher()
    for c in _clients(3):
        m.upsert_client(c, NOW)
    m.upsert_vacancy(vacancy(max_referrals=1), NOW)
    snap = m.snapshot()
    r = Matcher.restore(snap["clients"], snap["vacancies"], snap["referrals"])
    assert r.active == m.active
    later = _clients(1, status="placed", updated_at=LATER)[0]
    assert _kinds(r.upsert_client(later, NOW)) == _kinds(m.upsert_client(later, NOW))


def test_same_records_same_events_whatever_the_run() -> None:
    rng = random.Random(7)
    cs = [client(client_id=f"c{i}", location={"lat": 52.45 + rng.random() / 10, "lon": -1.9},
                 skills=rng.sample(["customer service", "cashier", "stock rotation", "baking",
                                    "cleaning"], 2)) for i in range(30)]
    vs = [vacancy(vacancy_id=f"v{i}", location={"lat": 52.45 + rng.random() / 10, "lon": -1.9})
          for i in range(8)]

    def run() -> list[dict[str, Any]]:
        m = Matcher()
        events = [e for c in cs for e in m.upsert_client(c, NOW)]
        events += [e for v in vs for e in m.upsert_vacancy(v, NOW)]
        assert all(len(m._by_client[c]) <= 3 for c in m._by_client)
        assert all(len(m._by_vacancy[v]) <= 6 for v in m._by_vacancy)
        return [e.model_dump(mode="json") for e in events]

    first = run()
    assert first and first == run()
