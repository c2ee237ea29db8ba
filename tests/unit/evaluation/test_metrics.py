"""Metrics maths on hand-made cases."""

from __future__ import annotations

import pytest

from services.evaluation.metrics import VacancyLabels, pool_recall, score

LABELS = {
    "v1": VacancyLabels(relevant=frozenset({"a", "b", "c", "d", "e"}), max_referrals=3),
    "v2": VacancyLabels(relevant=frozenset({"f"}), max_referrals=3, ambiguous=frozenset({"z"})),
}


def no_violation(vid: str, cid: str) -> tuple[str, ...]:
    return ()


def test_precision_and_capped_recall() -> None:
    # v1: 3 referred, 2 relevant; v2: f referred. Denominator: min(5,3) + min(1,3) = 4.
    s = score([("v1", "a"), ("v1", "b"), ("v1", "x"), ("v2", "f")], LABELS, no_violation)
    assert s.precision == pytest.approx(3 / 4)
    assert s.recall == pytest.approx(3 / 4)
    assert s.violations == 0


def test_full_marks_when_cap_is_filled_with_any_relevant() -> None:
    s = score([("v1", "c"), ("v1", "d"), ("v1", "e"), ("v2", "f")], LABELS, no_violation)
    assert s.precision == 1.0
    assert s.recall == 1.0


def test_ambiguous_pairs_are_neither_rewarded_nor_punished() -> None:
    s = score([("v2", "f"), ("v2", "z")], LABELS, no_violation)
    assert s.precision == 1.0
    assert s.ambiguous == 1


def test_violations_come_from_the_oracle_even_when_unlisted() -> None:
    def oracle(vid: str, cid: str) -> tuple[str, ...]:
        return ("too_far",) if cid == "x" else ()

    s = score([("v1", "a"), ("v1", "x"), ("v1", "x")], LABELS, oracle)
    assert s.violations == 1
    assert s.duplicates == 1
    assert s.violation_reasons["too_far"] == 1
    assert s.precision == pytest.approx(1 / 2)


def test_over_cap_and_slices() -> None:
    pairs = [("v1", c) for c in "abcd"]
    assert score(pairs, LABELS, no_violation).over_cap == 1
    only_v2 = score(pairs, LABELS, no_violation, vacancies={"v2"})
    assert only_v2.referrals == 0
    assert only_v2.precision is None
    assert only_v2.recall == 0.0


def test_pool_recall_skips_capped_vacancies() -> None:
    r = pool_recall([("v2", "f")], LABELS, {"f": "held_out", **dict.fromkeys("abcde", "seen")})
    assert r == {"held_out": 1.0}
