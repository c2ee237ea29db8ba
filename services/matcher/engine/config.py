"""The matcher's settings: one frozen object, built at the entry point and passed down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

__all__ = ["DEFAULT_THRESHOLD", "MatchConfig"]

# Every required skill is a must-have (CONTRACT.md): a client missing one is never referred
# (``min_required_coverage``). Holding them all gives the required component its 0.40 weight
# of the score; the threshold then turns away a client with them all whose every other fit
# (title, distance, hours, nice-to-haves) is poor.
DEFAULT_THRESHOLD = 0.45


@dataclass(frozen=True)
class MatchConfig:
    threshold: float = DEFAULT_THRESHOLD
    max_referrals_per_client: int = 3  # active referrals one client holds at once
    # A vacancy that lists required skills is never referred a client covering less than this
    # share of them (1.0: every one, as the contract's "must-have" says), however close or
    # well-titled. Being > 0 also lets the candidate index look such vacancies up by skill
    # alone without missing anyone it could refer.
    min_required_coverage: float = 1.0
    # A vacancy skill counts as covered by a client skill at this similarity or above: a
    # shared taxonomy id (>= 0.92 exact, stemmed or typo-corrected) or a close word overlap.
    min_skill_similarity: float = 0.75
    w_required: float = 0.40
    w_desired: float = 0.15
    w_title: float = 0.25
    w_distance: float = 0.15
    w_hours: float = 0.05
    matcher_version: str = "engine-1.1"

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be within 0..1")
        if not 0.0 < self.min_required_coverage <= 1.0:
            raise ValueError("min_required_coverage must be within (0, 1]")
        if not 0.0 < self.min_skill_similarity <= 1.0:
            raise ValueError("min_skill_similarity must be within (0, 1]")
        if self.max_referrals_per_client < 1:
            raise ValueError("max_referrals_per_client must be at least 1")
        if min(self.weights().values()) < 0 or sum(self.weights().values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        if not 1 <= len(self.matcher_version) <= 64:
            raise ValueError("matcher_version must be 1-64 characters")

    @cached_property
    def weight_map(self) -> Mapping[str, float]:
        """``weights()``, built once (scoring reads it for every pair); read only. A plain
        dict, as the config is pickled to batch worker processes."""
        return self.weights()

    def weights(self) -> dict[str, float]:
        return {
            "required_skills": self.w_required,
            "desired_skills": self.w_desired,
            "title": self.w_title,
            "distance": self.w_distance,
            "hours": self.w_hours,
        }
