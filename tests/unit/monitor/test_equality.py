"""Equality maths: selection rates, impact ratios, the four-fifths flag and suppression."""

from __future__ import annotations

from fractions import Fraction

from services.monitor.equality import (
    DIMENSIONS,
    NOT_STATED,
    DimensionReport,
    GroupFigures,
    count_groups,
    dimension_report,
    equality_report,
    group_labels,
)


def _by_group(report: DimensionReport) -> dict[str, GroupFigures]:
    return {g.group: g for g in report.groups}


def test_selection_rate_and_ratio_against_the_highest_group() -> None:
    report = dimension_report("sex", {"female": (20, 10), "male": (40, 10)})
    groups = _by_group(report)
    assert report.reference_group == "female"
    assert groups["female"].selection_rate == 0.5
    assert groups["male"].selection_rate == 0.25
    assert groups["male"].impact_ratio == 0.5
    assert groups["male"].flagged
    assert not groups["female"].flagged


def test_shares_are_against_the_eligible_population_shown() -> None:
    report = dimension_report("sex", {"female": (30, 6), "male": (10, 2)})
    groups = _by_group(report)
    assert groups["female"].share_of_eligible == 0.75
    assert groups["female"].share_of_selected == 0.75


def test_exactly_four_fifths_is_not_flagged() -> None:
    # 8/20 = 0.4 against 10/20 = 0.5: a ratio of exactly 0.8.
    report = dimension_report("age_band", {"16-24": (20, 8), "25-49": (20, 10)})
    young = _by_group(report)["16-24"]
    assert young.impact_ratio == 0.8
    assert not young.flagged


def test_just_below_four_fifths_is_flagged_and_never_displays_as_point_eight() -> None:
    # 7999/10000 against 1: a ratio of 0.7999.
    report = dimension_report("x", {"a": (10_000, 7_999), "b": (10_000, 10_000)})
    a = _by_group(report)["a"]
    assert a.flagged
    assert a.impact_ratio == 0.7999
    # A hair below 0.8 (39999/50000 = 0.79998) still reads below 0.8 after rounding.
    report = dimension_report("x", {"a": (50_000, 39_999), "b": (50_000, 50_000)})
    assert _by_group(report)["a"].impact_ratio == 0.7999


def test_the_threshold_is_configurable() -> None:
    report = dimension_report("x", {"a": (10, 5), "b": (10, 10)}, threshold=Fraction(1, 2))
    assert not _by_group(report)["a"].flagged


def test_groups_under_ten_are_hidden_and_never_the_reference() -> None:
    # "tiny" has the highest rate (5/5) but only 5 people; "small" has 6. Together 11 hidden.
    counts = {"big": (50, 20), "mid": (40, 10), "tiny": (5, 5), "small": (6, 6)}
    report = dimension_report("ethnic_group", counts)
    assert set(_by_group(report)) == {"big", "mid"}
    assert report.reference_group == "big"
    assert report.suppressed_groups == 2
    assert _by_group(report)["mid"].impact_ratio == 0.625


def test_a_group_of_exactly_ten_is_shown() -> None:
    report = dimension_report("x", {"a": (10, 1), "b": (10, 2)})
    assert set(_by_group(report)) == {"a", "b"}
    assert report.suppressed_groups == 0


def test_a_lone_small_group_cannot_be_recovered_by_subtraction() -> None:
    # Hidden: 5 people. Shown totals would reveal them, so the smallest shown group goes too.
    counts = {"big": (50, 20), "mid": (40, 10), "tiny": (5, 5)}
    report = dimension_report("ethnic_group", counts)
    assert set(_by_group(report)) == {"big"}
    assert report.suppressed_groups == 2
    assert report.reference_group == "big"


def test_everything_hidden_when_all_groups_are_small() -> None:
    report = dimension_report("sex", {"a": (9, 9), "b": (3, 0)})
    assert report.groups == ()
    assert report.reference_group is None
    assert report.suppressed_groups == 2


def test_empty_and_nobody_referred() -> None:
    assert dimension_report("sex", {}).groups == ()
    report = dimension_report("sex", {"a": (10, 0), "b": (12, 0)})
    assert all(g.impact_ratio is None and not g.flagged for g in report.groups)
    assert all(g.share_of_selected is None for g in report.groups)
    assert [r.groups for r in equality_report([])] == [(), (), (), ()]


def test_labels_and_counts_over_all_dimensions() -> None:
    assert group_labels(None) == {d: NOT_STATED for d in DIMENSIONS}
    labels = group_labels({"ethnic_group": "Black", "disability": True, "age_band": " ",
                           "sex": "female"})
    assert labels == {"ethnic_group": "Black", "disability": "yes", "age_band": NOT_STATED,
                      "sex": "female"}
    counts = count_groups([(labels, True), (labels, False), (group_labels(None), False)])
    assert counts["disability"] == {"yes": (2, 1), NOT_STATED: (1, 0)}


def test_report_from_people() -> None:
    yes = group_labels({"disability": True})
    no = group_labels({"disability": False})
    people = [(yes, i < 3) for i in range(12)] + [(no, i < 6) for i in range(12)]
    disability = equality_report(people)[1]
    assert disability.dimension == "disability"
    assert [g.group for g in disability.flagged] == ["yes"]
    assert disability.reference_group == "no"
