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
