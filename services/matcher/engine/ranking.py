"""Which scored candidates are referred: above the bar, best first, ties broken by id."""

from __future__ import annotations

from collections.abc import Iterable

from services.matcher.engine.config import MatchConfig
from services.matcher.engine.scoring import PairScore

__all__ = ["Scored", "best_first", "coverage", "good_enough"]

# (other side's id, its score)
Scored = tuple[str, PairScore]


def coverage(scored: PairScore) -> float | None:
    """Share of the vacancy's required skills the client has (None: it lists none)."""
    if not scored.required:
        return None
    return sum(1 for _, which in scored.required if which >= 0) / len(scored.required)


def good_enough(scored: PairScore, config: MatchConfig) -> bool:
    """A fit worth referring: covering enough required skills, and over the threshold."""
    covered = coverage(scored)
    if covered is not None and covered < config.min_required_coverage - 1e-9:
        return False
    return scored.score >= config.threshold


def best_first(candidates: Iterable[Scored]) -> list[Scored]:
    """Score descending, then id ascending: the same input always ranks the same way."""
    return sorted(candidates, key=lambda item: (-item[1].score, item[0]))
