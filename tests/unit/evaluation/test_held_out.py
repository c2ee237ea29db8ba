"""Held-out phrasings must be unknown to the engine, or they measure nothing.

Failure messages give counts and file names only: pytest prints the operands of a failing
assert, and held-out text must not reach whoever tunes the engine.
"""

from __future__ import annotations

from services.evaluation.certifications import CERTS
from services.evaluation.held_out import ENGINE_DIR, held_out_phrasings, leaks, normalise
from services.evaluation.vocabulary import SKILLS


def test_every_concept_has_both_pools() -> None:
    for table in (SKILLS, CERTS):
        for concept, p in table.items():
            has_both = bool(p.seen) and bool(p.held_out)
            assert has_both, concept
            n_shared = len({normalise(t) for t in p.seen} & {normalise(t) for t in p.held_out})
            assert n_shared == 0, concept


def test_held_out_phrasings_do_not_appear_in_the_engine() -> None:
    assert (ENGINE_DIR / "data" / "uk_skills.json").exists()
    found = leaks()
    files = sorted({f for where in found.values() for f in where})
    n_leaked = len(found)
    assert n_leaked == 0, f"held-out phrasings leaked into {files} (move them to `seen`)"


def test_leak_check_would_catch_a_leak(tmp_path) -> None:  # type: ignore[no-untyped-def]
    phrase = next(iter(held_out_phrasings()))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.json").write_text(f'{{"aliases": ["{phrase.upper()}"]}}')
    (tmp_path / "m.py").write_text(f'ALIAS = "{phrase}"\n')
    caught = leaks(tmp_path) == {phrase: ["x.json", "m.py"]}
    assert caught


def test_the_failure_report_never_prints_a_held_out_phrasing() -> None:
    from services.evaluation.provenance import MASK, Provenance

    held = held_out_phrasings()
    assert held, "the generator keeps held-out phrasings"
    phrase = next(iter(held))  # keys are the normalised phrasings
    prov = Provenance({"clients": {"cl-1": {"pool": "held_out"}, "cl-2": {"pool": "seen"}},
                       "vacancies": {}})
    # By provenance: anything from a held-out record, however it was perturbed.
    assert prov.show("cash handlign (in date)", "cl-1") == MASK
    # By text as well: an exact pool phrasing, wherever it turns up.
    masked = prov.show(phrase, "cl-2") == MASK
    assert masked
    assert prov.show("cash handling", "cl-2") == "'cash handling'"
