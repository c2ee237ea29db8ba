"""Which scored candidates are referred: above the bar, best first, ties broken by id."""

from __future__ import annotations

from collections.abc import Iterable

from services.matcher.engine.config import MatchConfig
from services.matcher.engine.scoring import PairScore

__all__ = ["Scored", "best_first", "good_enough"]

# (other side's id, its score)
Scored = tuple[str, PairScore]


def good_enough(scored: PairScore, config: MatchConfig) -> bool:
    """A fit worth referring: over the threshold and covering enough required skills."""
    coverage = scored.components.get("required_skills")
    if coverage is not None and coverage < config.min_required_coverage:
        return False
    return scored.score >= config.threshold


def best_first(candidates: Iterable[Scored]) -> list[Scored]:
    """Score descending, then id ascending: the same input always ranks the same way."""
    return sorted(candidates, key=lambda item: (-item[1].score, item[0]))
