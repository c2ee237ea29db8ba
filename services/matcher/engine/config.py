"""The matcher's settings: one frozen object, built at the entry point and passed down."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_THRESHOLD", "MatchConfig"]

# A client holding every required skill near the vacancy scores ~0.7-0.9; one close by with a
# related title but half the required skills lands near 0.5. Below it a fit is "poor".
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class MatchConfig:
    threshold: float = DEFAULT_THRESHOLD
    max_referrals_per_client: int = 3  # active referrals one client holds at once
    # A vacancy that lists required skills is never referred a client covering less than this
    # share of them, however close or well-titled. Being > 0 also lets the candidate index
    # look such vacancies up by skill alone without missing anyone it could refer.
    min_required_coverage: float = 0.25
    w_required: float = 0.40
    w_desired: float = 0.15
    w_title: float = 0.25
    w_distance: float = 0.15
    w_hours: float = 0.05
    matcher_version: str = "engine-1.0"

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be within 0..1")
        if not 0.0 < self.min_required_coverage <= 1.0:
            raise ValueError("min_required_coverage must be within (0, 1]")
        if self.max_referrals_per_client < 1:
            raise ValueError("max_referrals_per_client must be at least 1")
        if min(self.weights().values()) < 0 or sum(self.weights().values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        if not 1 <= len(self.matcher_version) <= 64:
            raise ValueError("matcher_version must be 1-64 characters")

    def weights(self) -> dict[str, float]:
        return {
            "required_skills": self.w_required,
            "desired_skills": self.w_desired,
            "title": self.w_title,
            "distance": self.w_distance,
            "hours": self.w_hours,
        }
