"""Precision, recall capped by max_referrals, and hard-rule violations. Pure functions.

- precision = |referred ∩ relevant| / |referred|  (ambiguous pairs left out of both)
- recall    = Σ|referred ∩ relevant| / Σ min(|relevant|, max_referrals), micro-averaged over
  vacancies: a vacancy with 10 fitting clients and room for 3 is fully served by any 3.
- violations = referrals the oracle says break a hard rule, listed in labels or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Scores", "VacancyLabels", "pool_recall", "score"]

Pair = tuple[str, str]  # (vacancy_id, client_id)


@dataclass(frozen=True)
class VacancyLabels:
    relevant: Set[str]
    max_referrals: int
    ambiguous: Set[str] = frozenset()


@dataclass
class Scores:
    referrals: int = 0
    true_positives: int = 0
    ambiguous: int = 0
    recall_denominator: int = 0
    violations: int = 0
    over_cap: int = 0  # vacancies given more than max_referrals
    duplicates: int = 0  # the same pair referred twice
    violation_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float | None:
        scored = self.referrals - self.ambiguous
        return self.true_positives / scored if scored else None

    @property
    def recall(self) -> float | None:
        d = self.recall_denominator
        return self.true_positives / d if d else None

    def as_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall,
                "violations": self.violations, "referrals": self.referrals,
                "true_positives": self.true_positives, "ambiguous": self.ambiguous,
                "recall_denominator": self.recall_denominator, "over_cap": self.over_cap,
                "duplicates": self.duplicates,
                "violation_reasons": dict(self.violation_reasons.most_common())}


def score(pairs: Iterable[Pair], labels: Mapping[str, VacancyLabels],
          violation_of: Callable[[str, str], tuple[str, ...]],
          vacancies: Set[str] | None = None) -> Scores:
    """Score the referrals to ``vacancies`` (default: every labelled vacancy).

    A referral to an unlabelled vacancy counts as a referral that is not relevant; the oracle
    still judges it.
    """
    wanted = set(labels) if vacancies is None else set(vacancies)
    seen: set[Pair] = set()
    by_vacancy: Counter[str] = Counter()
    s = Scores()
    for vid, cid in pairs:
        if vid not in wanted:
            continue
        if (vid, cid) in seen:
            s.duplicates += 1
            continue
        seen.add((vid, cid))
        by_vacancy[vid] += 1
        s.referrals += 1
        lab = labels.get(vid)
        reasons = violation_of(vid, cid)
        if reasons:
            s.violations += 1
            s.violation_reasons.update(reasons)
        elif lab is not None and cid in lab.ambiguous:
            s.ambiguous += 1
        elif lab is not None and cid in lab.relevant:
            s.true_positives += 1
    for vid in wanted:
        lab = labels.get(vid)
        if lab is None:
            continue
        s.recall_denominator += min(len(lab.relevant), lab.max_referrals)
        if by_vacancy[vid] > lab.max_referrals:
            s.over_cap += 1
    return s


def pool_recall(pairs: Iterable[Pair], labels: Mapping[str, VacancyLabels],
                client_pool: Mapping[str, str]) -> dict[str, float | None]:
    """Recall per client pool, on vacancies with room for all their relevant clients: there
    every relevant client should be referred, so capping cannot blur the comparison."""
    referred = set(pairs)
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for vid, lab in labels.items():
        if len(lab.relevant) > lab.max_referrals:
            continue
        for cid in lab.relevant:
            pool = client_pool[cid]
            total[pool] += 1
            hit[pool] += (vid, cid) in referred
    return {pool: (hit[pool] / total[pool] if total[pool] else None) for pool in sorted(total)}
