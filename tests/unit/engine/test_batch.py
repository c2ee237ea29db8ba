from __future__ import annotations

from services.matcher.batch import match_batch
from services.matcher.engine import MatchConfig, Matcher
from tests.unit.engine.conftest import NOW, client, vacancy


def test_batch_equals_clients_then_vacancies_through_one_matcher() -> None:
    cs = [client(client_id=f"c{i}", location={"lat": 52.47 + 0.01 * i, "lon": -1.89})
          for i in range(6)]
    vs = [vacancy(vacancy_id="v1"), vacancy(vacancy_id="v2", max_referrals=2),
          vacancy(vacancy_id="v1", status="closed", updated_at="2026-11-21T00:00:00Z")]
    got = match_batch(cs, vs, MatchConfig(), NOW)

    m = Matcher()
    for c in cs:
        m.upsert_client(c, NOW)
    for v in vs:
        m.upsert_vacancy(v, NOW)
    assert {r.referral_id for r in got} == set(m.active)
    assert all(r.kind == "referral" for r in got)
    # v1 closed within the batch: its referrals were withdrawn, so none is returned, and its
    # clients' freed slots went on to v2 only if v2 had room.
    assert {r.vacancy_id for r in got} == {"v2"}
    assert len(got) == 2
