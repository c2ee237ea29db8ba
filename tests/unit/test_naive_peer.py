"""The benchmark's two peers differ only in speed: prefiltering must not change the result."""

from __future__ import annotations

import sys
from pathlib import Path

from services.evaluation.dataset import build
from services.evaluation.generator import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from naive_peer import naive_match


def test_prefilter_gives_the_same_referrals() -> None:
    data = build(generate(300, 20, 5), with_labels=False)
    today = data.now.date()
    naive = naive_match(data.clients, data.vacancies, today)
    assert naive, "the sample should produce some referrals, or the comparison says nothing"
    assert naive == naive_match(data.clients, data.vacancies, today, prefilter=True)
