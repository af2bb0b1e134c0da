"""The pure roll-up: shares to the penny, figures that add, percentages averaged."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning.scrutiny.rollup import (
    NOT_LINKED,
    IntentionInfo,
    MeasureFacts,
    Money,
    PriorityInfo,
    ThemeInfo,
    intention_table,
    roll_up,
    share,
    year_on_year,
)

THEMES = [
    ThemeInfo(
        1,
        1,
        "Offending",
        (PriorityInfo(11, "SP1", "Young people"), PriorityInfo(12, "SP2", "Adults")),
    ),
    ThemeInfo(2, 2, "Victims", (PriorityInfo(21, "SP5", "Reporting"),)),
]


def facts(
    priority, unit="count", *, targets=(), reported=(), actuals=(), rags=(), money=("0", "0", "0")
):
    budget, profiled, spent = (D(m) for m in money)
    return MeasureFacts(
        agreement=1,
        year="2031/32",
        priority=priority,
        unit=unit,
        targets=tuple(D(t) for t in targets),
        reported_targets=tuple(D(t) for t in reported),
        actuals=tuple(D(a) for a in actuals),
        rags=tuple(rags),
        budget=budget,
        profiled=profiled,
        spent=spent,
    )


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=50))
def test_shares_are_whole_pence_that_add_up_exactly(pence, parts):
    total = D(pence) / 100
    shares = share(total, parts)
    assert len(shares) == parts
    assert sum(shares) == total
    assert max(shares) - min(shares) <= D("0.01")
    assert all(s == s.quantize(D("0.01")) for s in shares)


def test_a_priority_adds_its_measures_and_a_theme_its_priorities():
    rollup = roll_up(
        [
            facts(
                11,
                targets=["10", "10"],
                reported=["10"],
                actuals=["8"],
                rags=["green"],
                money=("100", "50", "40"),
            ),
            facts(
                11,
                targets=["5"],
                reported=["5"],
                actuals=["5"],
                rags=["amber"],
                money=("60", "30", "30"),
            ),
            facts(12, "pounds", targets=["1000"], reported=["1000"], actuals=["900"], rags=["red"]),
        ],
        THEMES,
    )
    sp1, sp2 = rollup.groups[0].rows
    assert sp1.figures.measures == 2
    count = sp1.figures.units["count"]
    assert (count.target_shown, count.reported_target_shown, count.actual_shown) == (
        D(25),
        D(15),
        D(13),
    )
    assert count.achieved == D("86.7")  # 13 of 15
    assert sp1.figures.rag == {"green": 1, "amber": 1, "red": 0}
    assert (sp1.figures.budget, sp1.figures.profiled, sp1.figures.spent) == (D(160), D(80), D(70))
    assert sp2.figures.units["pounds"].actual_shown == D(900)
    theme = rollup.groups[0].subtotal
    assert theme.measures == 3 and set(theme.units) == {"count", "pounds"}
    assert theme.budget == D(160) and theme.rag == {"green": 1, "amber": 1, "red": 1}
    # the other theme and its priority are there, empty
    assert rollup.groups[1].rows[0].figures.empty and rollup.groups[1].subtotal.empty


def test_percentages_are_averaged_over_every_value_not_over_the_averages():
    rollup = roll_up(
        [
            facts(11, "percent", targets=["80", "80", "80"], actuals=["60", "90", "90"]),
            facts(12, "percent", targets=["50"], actuals=["20"]),
        ],
        THEMES,
    )
    sp1, sp2 = rollup.groups[0].rows
    assert sp1.figures.units["percent"].actual_shown == D("80.0")
    assert sp2.figures.units["percent"].actual_shown == D("20.0")
    theme = rollup.groups[0].subtotal.units["percent"]
    assert theme.actual_shown == D("65.0")  # (60 + 90 + 90 + 20) / 4, not (80 + 20) / 2
    assert theme.target_shown == D("72.5")
    assert theme.achieved is None  # a mean of percentages is not divided by a target


def test_measures_on_no_priority_and_agreements_with_none_have_a_row_and_reach_the_total():
    no_measures = MeasureFacts(
        agreement=9, year="2031/32", priority=None, unit=None, rags=("red",), budget=D(500)
    )
    rollup = roll_up(
        [
            facts(None, targets=["4"], actuals=["3"], money=("200", "0", "0")),
            no_measures,
            facts(21, money=("7", "0", "0")),
        ],
        THEMES,
    )
    assert rollup.not_linked.label == NOT_LINKED
    none = rollup.not_linked.figures
    assert none.measures == 1  # the agreement without measures adds money and a rating, no measure
    assert none.budget == D(700) and none.rag["red"] == 1
    assert rollup.total.budget == D(707) and rollup.total.measures == 2


@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, 11, 12, 21]),
            st.sampled_from(["count", "pounds", "percent", None]),
            st.integers(0, 10**6),
            st.lists(st.integers(0, 100), max_size=4),
            st.lists(st.sampled_from(["green", "amber", "red"]), max_size=4),
        ),
        max_size=30,
    )
)
def test_totals_always_reconcile(rows):
    """Each theme is the sum of its priorities; the total is the themes plus the row of
    measures on no priority; and both equal adding every fact up directly."""
    made = [
        MeasureFacts(
            agreement=i,
            year="2031/32",
            priority=p,
            unit=u,
            targets=tuple(D(v) for v in values),
            actuals=tuple(D(v) for v in values),
            rags=tuple(rags),
            budget=D(pence) / 100,
        )
        for i, (p, u, pence, values, rags) in enumerate(rows)
    ]
    rollup = roll_up(made, THEMES)
    for group in rollup.groups:
        assert group.subtotal.budget == sum((r.figures.budget for r in group.rows), D(0))
        assert group.subtotal.measures == sum(r.figures.measures for r in group.rows)
    parts = [g.subtotal for g in rollup.groups] + [rollup.not_linked.figures]
    assert (
        rollup.total.budget
        == sum((f.budget for f in parts), D(0))
        == sum((f.budget for f in made), D(0))
    )
    assert rollup.total.measures == sum(f.measures for f in parts) == sum(1 for f in made if f.unit)
    assert rollup.total.rated == sum(len(f.rags) for f in made)
    for unit in ("count", "pounds", "percent"):
        direct = sum((sum(f.actuals, D(0)) for f in made if f.unit == unit), D(0))
        shown = rollup.total.units.get(unit)
        assert (shown.actual if shown else D(0)) == direct


def test_a_priority_outside_the_themes_is_a_programming_error():
    with pytest.raises(ValueError, match="none of the themes"):
        roll_up([facts(99)], THEMES)


def test_year_on_year_puts_the_same_rows_side_by_side():
    rows = year_on_year(
        {
            "2030/31": roll_up([facts(11, money=("10", "0", "0"))], THEMES),
            "2031/32": roll_up(
                [facts(21, money=("20", "0", "0")), facts(None, money=("5", "0", "0"))], THEMES
            ),
        }
    )
    assert [r.kind for r in rows] == [
        "theme",
        "priority",
        "priority",
        "theme",
        "priority",
        "none",
        "total",
    ]
    total = rows[-1].by_year
    assert total["2030/31"].budget == D(10) and total["2031/32"].budget == D(25)
    assert rows[1].by_year["2030/31"].budget == D(10) and rows[1].by_year["2031/32"].budget == D(0)


def test_the_intention_table_adds_up_to_the_ledger():
    table = intention_table(
        [IntentionInfo(1, "CI001", "Youth"), IntentionInfo(2, "CI002", "Drugs")],
        {1: D(100)},
        {1: Money(D(80), D(10), D(50)), None: Money(D(1000), D(0), D(400))},
    )
    ci1, ci2 = table.rows
    assert ci1.difference == D(-20) and ci1.committed_of_estimate == D("80.0")
    assert ci2.estimate is None and ci2.difference is None and ci2.money == Money()
    assert table.subtotal.estimate == D(100) and table.subtotal.money.committed == D(80)
    assert table.total.money == Money(D(1080), D(10), D(450))
    assert table.total.estimate is None  # the ledger's total has no estimate beside it


def test_money_for_an_unknown_intention_is_refused():
    with pytest.raises(ValueError, match="not among"):
        intention_table([IntentionInfo(1, "CI001", "Youth")], {}, {7: Money(D(1))})
