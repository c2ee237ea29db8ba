"""Equality monitoring: selection rates and adverse-impact ratios by monitoring group. Pure.

Monitoring data (special category) is only ever aggregated here for people to read; nothing in
this module, or the monitor, feeds back into matching.

- Eligible population: clients whose latest profile is ``job_ready`` with consent to share
  (the only clients the matcher may refer).
- Selection rate of a group = clients of the group with at least one active referral / eligible
  clients of the group (Fairlearn's ``selection_rate``).
- Adverse-impact ratio = the group's selection rate / the highest shown group's rate. Below the
  threshold (0.8, the "four-fifths rule") the group is flagged: a screening signal that asks a
  person to look, not a legal test in the UK.
- Small-group suppression: a group of fewer than ``min_group_size`` people is never shown, nor
  used as the reference. If the hidden people of one dimension number 1..min-1 in total, the
  smallest shown group is hidden too (complementary suppression): otherwise the hidden group's
  size and referrals could be worked out by subtracting the shown groups from the total.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "DIMENSIONS",
    "FOUR_FIFTHS",
    "MIN_GROUP_SIZE",
    "NOT_STATED",
    "DimensionReport",
    "GroupFigures",
    "count_groups",
    "dimension_report",
    "equality_report",
    "group_labels",
]

DIMENSIONS: tuple[str, ...] = ("ethnic_group", "disability", "age_band", "sex")
NOT_STATED = "not stated"
FOUR_FIFTHS = Fraction(4, 5)
MIN_GROUP_SIZE = 10


@dataclass(frozen=True)
class GroupFigures:
    group: str
    eligible: int
    selected: int
    selection_rate: float
    share_of_eligible: float  # among the groups shown, so hidden groups cannot be inferred
    share_of_selected: float | None  # None when no shown client has a referral
    impact_ratio: float | None  # None when the reference rate is 0 (nobody referred)
    flagged: bool


@dataclass(frozen=True)
class DimensionReport:
    dimension: str
    groups: tuple[GroupFigures, ...]
    reference_group: str | None
    suppressed_groups: int  # how many groups are hidden; never which ones or their sizes

    @property
    def flagged(self) -> tuple[GroupFigures, ...]:
        return tuple(g for g in self.groups if g.flagged)


def group_labels(monitoring: Mapping[str, object] | None) -> dict[str, str]:
    """The group of a client in each dimension; absent or empty values are "not stated"."""
    labels = {}
    for dim in DIMENSIONS:
        value = (monitoring or {}).get(dim)
        if isinstance(value, bool):
            labels[dim] = "yes" if value else "no"
        elif isinstance(value, str) and value.strip():
            labels[dim] = value.strip()
        else:
            labels[dim] = NOT_STATED
    return labels


def count_groups(
    people: Iterable[tuple[Mapping[str, str], bool]],
) -> dict[str, dict[str, tuple[int, int]]]:
    """``(labels, selected)`` per eligible person -> dimension -> group -> (eligible, selected)."""
    counts: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0]) for d in DIMENSIONS}
    for labels, selected in people:
        for dim in DIMENSIONS:
            cell = counts[dim][labels.get(dim, NOT_STATED)]
            cell[0] += 1
            cell[1] += int(selected)
    return {d: {g: (c[0], c[1]) for g, c in groups.items()} for d, groups in counts.items()}


def _suppress(
    counts: Mapping[str, tuple[int, int]], min_group_size: int
) -> tuple[dict[str, tuple[int, int]], int]:
    shown = {g: c for g, c in counts.items() if c[0] >= min_group_size}
    hidden_people = sum(c[0] for g, c in counts.items() if g not in shown)
    # Complementary suppression: a hidden pool of 1..min-1 people is one small group exposed
    # by subtraction, so the smallest shown groups join it until the pool is big enough.
    while shown and 0 < hidden_people < min_group_size:
        smallest = min(shown, key=lambda g: (shown[g][0], g))
        hidden_people += shown.pop(smallest)[0]
    return shown, len(counts) - len(shown)


def _floor4(ratio: Fraction) -> float:
    # Rounded down, from the exact fraction: a flagged ratio never displays as 0.8.
    return math.floor(ratio * 10_000) / 10_000


def dimension_report(
    dimension: str,
    counts: Mapping[str, tuple[int, int]],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    threshold: Fraction = FOUR_FIFTHS,
) -> DimensionReport:
    """Figures for one dimension from ``group -> (eligible, selected)``."""
    shown, suppressed = _suppress(counts, min_group_size)
    if not shown:
        return DimensionReport(dimension, (), None, suppressed)
    # Exact fractions: a ratio of exactly 0.8 must not be flagged through float rounding.
    rates = {g: Fraction(sel, n) for g, (n, sel) in shown.items()}
    reference = max(sorted(rates), key=lambda g: rates[g])
    ref_rate = rates[reference]
    total_eligible = sum(n for n, _ in shown.values())
    total_selected = sum(sel for _, sel in shown.values())
    figures = []
    for group in sorted(shown):
        n, sel = shown[group]
        ratio = rates[group] / ref_rate if ref_rate > 0 else None
        figures.append(GroupFigures(
            group=group,
            eligible=n,
            selected=sel,
            selection_rate=float(rates[group]),
            share_of_eligible=n / total_eligible,
            share_of_selected=sel / total_selected if total_selected else None,
            impact_ratio=None if ratio is None else _floor4(ratio),
            flagged=ratio is not None and ratio < threshold,
        ))
    return DimensionReport(dimension, tuple(figures), reference, suppressed)


def equality_report(
    people: Iterable[tuple[Mapping[str, str], bool]],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    threshold: Fraction = FOUR_FIFTHS,
) -> list[DimensionReport]:
    """One report per monitoring dimension, from ``(labels, selected)`` per eligible person."""
    counts = count_groups(people)
    return [
        dimension_report(d, counts[d], min_group_size=min_group_size, threshold=threshold)
        for d in DIMENSIONS
    ]
