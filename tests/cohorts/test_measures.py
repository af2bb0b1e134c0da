"""The measures, worked out by hand on a small cohort, and the suppression of small groups
(pure functions: no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commissioning.cohorts.measures import (
    ALL,
    TOO_FEW,
    WORKED_OUT,
    Offender,
    measure,
    meets_target,
    percent,
    suppress,
)

T17 = D(17)


def o(cohort, area, baseline, current, custody=False):
    return Offender(
        cohort=cohort, area_code=area, in_custody=custody, baseline=baseline, current=current
    )


# The hand-checked cohort, target 17%: an offender meets it when current <= baseline x 0.83.
#
# IOM, E06000016 (Leicester):
#   P-001 baseline 10, current 5:  5 <= 8.30          meets
#   P-002 baseline 4,  current 4:  4 <= 3.32?          no
#   P-003 baseline 6,  current 5:  5 <= 4.98?          no (just)
#   P-004 baseline 100, current 83: 83 <= 83.00        meets (exactly on the line)
#   P-005 in custody throughout                        excluded
#   P-006 no baseline offences (0, current 2)          excluded
#   measured 4, excluded 2; baseline 10+4+6+100 = 120, current 5+4+5+83 = 97;
#   reduction 1 - 97/120 = 23/120 = 19.1666...% -> 19.17; meeting 2 of 4 = 50.00%
# IOM, E06000017 (Rutland):
#   P-007 baseline 3, current 0: meets; P-008 baseline 2, current 3: no (went up)
#   measured 2, excluded 0; baseline 5, current 3: reduction 2/5 = 40.00%; meeting 1 of 2 = 50.00%
# IOM, all: measured 6, excluded 2; baseline 125, current 100: reduction 25/125 = 20.00%;
#   meeting 3 of 6 = 50.00%
# PPO, E06000016 (P-001 and P-004 again): baseline 110, current 88: reduction 22/110 = 20.00%;
#   both meet: 100.00%
HAND = [
    o("IOM", "E06000016", 10, 5),
    o("IOM", "E06000016", 4, 4),
    o("IOM", "E06000016", 6, 5),
    o("IOM", "E06000016", 100, 83),
    o("IOM", "E06000016", 3, 0, custody=True),
    o("IOM", "E06000016", 0, 2),
    o("IOM", "E06000017", 3, 0),
    o("IOM", "E06000017", 2, 3),
    o("PPO", "E06000016", 10, 5),
    o("PPO", "E06000016", 100, 83),
]

EXPECTED = [
    # cohort, area, offenders, excluded, baseline, current, reduction, meeting, meeting %
    ("IOM", "E06000016", 4, 2, 120, 97, D("19.17"), 2, D("50.00")),
    ("IOM", "E06000017", 2, 0, 5, 3, D("40.00"), 1, D("50.00")),
    ("IOM", ALL, 6, 2, 125, 100, D("20.00"), 3, D("50.00")),
    ("PPO", "E06000016", 2, 0, 110, 88, D("20.00"), 2, D("100.00")),
    ("PPO", ALL, 2, 0, 110, 88, D("20.00"), 2, D("100.00")),
]


def as_tuples(rows):
    return [
        (
            m.cohort,
            m.area_code,
            m.offenders,
            m.excluded,
            m.baseline_offences,
            m.current_offences,
            m.reduction_pct,
            m.meeting_target,
            m.meeting_target_pct,
        )
        for m in rows
    ]


def test_the_hand_checked_cohort():
    """Per cohort and area, then per cohort over all areas, as worked out above."""
    rows = measure(HAND, target=T17)
    assert as_tuples(rows) == EXPECTED
    assert all(isinstance(m.reduction_pct, D) for m in rows)
    assert [m.reduction_meets_target for m in rows] == [True, True, True, True, True]
    assert rows[0].caseload == 6


def test_the_order_of_the_rows_does_not_change_the_measures():
    assert as_tuples(measure(list(reversed(HAND)), target=T17)) == EXPECTED


def test_a_higher_target_changes_who_meets_it_and_whether_the_cohort_does():
    """At 25%: P-001 (5 <= 7.5) and P-007 (0 <= 2.25) meet it; P-004 (83 > 75) no longer."""
    rows = {(m.cohort, m.area_code): m for m in measure(HAND, target=D(25))}
    assert rows[("IOM", ALL)].meeting_target == 2
    assert rows[("IOM", ALL)].meeting_target_pct == D("33.33")
    assert rows[("IOM", ALL)].reduction_meets_target is False  # 20.00% < 25%


def test_the_target_line_is_inclusive_and_exact():
    assert meets_target(100, 83, T17) is True
    assert meets_target(100, 84, T17) is False
    assert meets_target(6, 5, T17) is False  # 5 > 4.98
    assert meets_target(0, 0, T17) is True


def test_percentages_round_half_up_to_two_places():
    """1 in 800 is 0.125%: half up gives 0.13 (banker's rounding would give 0.12)."""
    assert percent(1, 800) == D("0.13")
    assert percent(2, 3) == D("66.67")
    [row, _total] = measure([o("X", "E06000016", 800, 799)], target=T17)
    assert row.reduction_pct == D("0.13")


def test_a_rise_in_offending_is_a_negative_reduction():
    [row, _] = measure([o("X", "E06000016", 4, 6)], target=T17)
    assert row.reduction_pct == D("-50.00") and row.meeting_target == 0


def test_nobody_measured_has_no_reduction():
    [row, _] = measure(
        [o("X", "E06000016", 0, 3), o("X", "E06000016", 5, 0, custody=True)], target=T17
    )
    assert (row.offenders, row.excluded, row.reduction_pct, row.meeting_target_pct) == (
        0,
        2,
        None,
        None,
    )


def test_the_target_must_be_a_percentage():
    with pytest.raises(ValueError):
        measure(HAND, target=D(101))
    with pytest.raises(ValueError):
        measure(HAND, target=D(-1))


def sized(cohort, sizes: dict[str, int]):
    """`n` offenders in each area, each with baseline 2 and current 1."""
    return [o(cohort, area, 2, 1) for area, n in sizes.items() for _ in range(n)]


def test_groups_under_the_threshold_are_withheld_with_their_reason():
    rows = suppress(measure(HAND, target=T17), under=3)
    by = {(m.cohort, m.area_code): m for m in rows}
    # IOM Rutland has 2 offenders: withheld; PPO has 2 altogether: every row withheld.
    rutland = by[("IOM", "E06000017")]
    assert rutland.suppressed and rutland.reason == TOO_FEW
    assert (rutland.offenders, rutland.excluded, rutland.reduction_pct) == (None, None, None)
    assert (rutland.meeting_target, rutland.meeting_target_pct) == (None, None)
    assert by[("PPO", ALL)].suppressed and by[("PPO", "E06000016")].suppressed
    # IOM over all areas holds 6: shown. Leicester (4) is shown too, though Rutland's 2
    # could then be worked out, unless it is withheld as well: it is.
    assert not by[("IOM", ALL)].suppressed
    leicester = by[("IOM", "E06000016")]
    assert leicester.suppressed and leicester.reason == WORKED_OUT


def test_the_next_smallest_areas_are_withheld_until_the_withheld_total_reaches_the_threshold():
    rows = measure(
        sized("X", {"E06000016": 20, "E06000017": 3, "E07000129": 12, "E07000130": 15}),
        target=T17,
    )
    shown = {m.area_code: m for m in suppress(rows, under=10)}
    # Rutland (3) is too few; the smallest other, Blaby (12), is withheld with it: 15 >= 10.
    assert shown["E06000017"].reason == TOO_FEW
    assert shown["E07000129"].reason == WORKED_OUT
    assert not shown["E07000130"].suppressed and shown["E07000130"].offenders == 15
    assert not shown["E06000016"].suppressed and not shown[ALL].suppressed
    assert shown[ALL].offenders == 50


def test_two_small_areas_that_together_reach_the_threshold_need_no_more():
    rows = measure(
        sized("X", {"E06000016": 30, "E06000017": 6, "E07000129": 5, "E07000130": 12}),
        target=T17,
    )
    shown = {m.area_code: m for m in suppress(rows, under=10)}
    assert [a for a, m in shown.items() if m.suppressed] == ["E06000017", "E07000129"]


def test_a_threshold_of_zero_withholds_nothing_and_the_measures_are_kept():
    rows = measure(HAND, target=T17)
    assert suppress(rows, under=0) == rows
    assert not any(m.suppressed for m in rows)
    with pytest.raises(ValueError):
        suppress(rows, under=-1)


def test_the_records_of_a_withheld_row_are_blank_and_say_so():
    [row] = [m for m in suppress(measure(HAND, target=T17), under=10) if m.cohort == "PPO"][:1]
    assert row.record(text=True) == {
        "cohort": "PPO",
        "area_code": "E06000016",
        "area_name": "",
        "offenders": None,
        "excluded": None,
        "reduction_pct": None,
        "meeting_target": None,
        "meeting_target_pct": None,
        "suppressed": "true",
        "reason": TOO_FEW,
    }
    assert row.record()["suppressed"] is True
