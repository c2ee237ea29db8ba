"""The engine's failure diagnosis counts every dropped pair but never quotes a held-out record."""

from __future__ import annotations

import json

from services.evaluation.dataset import build
from services.evaluation.diagnose import diagnose_misses
from services.evaluation.generator import generate
from services.evaluation.render import HELD_OUT


def test_examples_never_quote_a_held_out_record() -> None:
    data = build(generate(300, 30, 7))
    truth = data.labels["truth"]
    hidden = ({v for v, t in truth["vacancies"].items() if t["pool"] == HELD_OUT}
              | {c for c, t in truth["clients"].items() if t["pool"] == HELD_OUT})
    args = (data.current_clients(), data.current_vacancies(), data.labels["vacancies"], [], 3)
    shown = diagnose_misses(*args, hidden=hidden)
    every = diagnose_misses(*args)
    assert hidden
    quoted = json.dumps(shown)
    assert not any(f"{rid}/" in quoted or f"/{rid}:" in quoted for rid in hidden)
    # Counted all the same: only the examples are held back.
    assert [c["count"] for c in shown["causes"]] == [c["count"] for c in every["causes"]]
    assert sum(c["held_out_not_shown"] for c in shown["causes"]) > 0


def test_a_pair_covering_every_required_skill_is_not_blamed_on_coverage() -> None:
    from tests.unit.engine.conftest import client, vacancy

    # Every required skill is held, one of them through a typo (similarity 0.92 < 1): the
    # coverage is complete, so the pair was dropped by ranking, not by coverage.
    v = vacancy(vacancy_id="vac-1", required_skills=["customer care", "cash handling"],
                desired_skills=[], required_certifications=[])
    c = client(client_id="cl-1", skills=["customeer care", "till operation"],
               certifications=[])
    labels = {"vac-1": {"relevant": ["cl-1"], "max_referrals": 3}}
    causes = diagnose_misses({"cl-1": c}, {"vac-1": v}, labels, [], 3)["causes"]
    assert [x["cause"] for x in causes] == [
        "eligible and above threshold, not referred (index/ranking)"]
