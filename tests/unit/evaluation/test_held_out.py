"""Held-out phrasings must be unknown to the engine, or they measure nothing."""

from __future__ import annotations

from services.evaluation.certifications import CERTS
from services.evaluation.held_out import ENGINE_DIR, held_out_phrasings, leaks, normalise
from services.evaluation.vocabulary import SKILLS


def test_every_concept_has_both_pools() -> None:
    for table in (SKILLS, CERTS):
        for concept, p in table.items():
            assert p.seen and p.held_out, concept
            assert not {normalise(t) for t in p.seen} & {normalise(t) for t in p.held_out}


def test_held_out_phrasings_do_not_appear_in_the_engine() -> None:
    assert (ENGINE_DIR / "data" / "uk_skills.json").exists()
    found = leaks()
    assert not found, f"held-out phrasings leaked (move them to `seen`): {found}"


def test_leak_check_would_catch_a_leak(tmp_path) -> None:  # type: ignore[no-untyped-def]
    phrase = next(iter(held_out_phrasings()))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.json").write_text(f'{{"aliases": ["{phrase.upper()}"]}}')
    (tmp_path / "m.py").write_text(f'ALIAS = "{phrase}"\n')
    assert leaks(tmp_path) == {phrase: ["x.json", "m.py"]}


def test_the_failure_report_never_prints_a_held_out_phrasing() -> None:
    from services.evaluation.analysis import _tag
    from services.evaluation.held_out import held_out_phrasings

    held = held_out_phrasings()
    assert held, "the generator keeps held-out phrasings"
    phrase = next(iter(held))  # keys are the normalised phrasings
    assert _tag(phrase, held) == "[held-out phrasing]"
    assert _tag("cash handling", held) == "'cash handling'"
