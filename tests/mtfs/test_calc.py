"""The MTFS calculation: exact figures from 004's inputs (2014/15 checked by hand), the
precept options, the checks on inputs, and properties that hold for any inputs."""

from __future__ import annotations

from decimal import Decimal as D
from decimal import localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.mtfs import calc

from .conftest import YEARS, inputs_004


def test_2014_15_from_004s_inputs_checked_by_hand():
    """282,691.59 × 1.008 = 284,953.12272 Band D equivalents; × £173.8750 (0% change) =
    £49,546,224.21294 of council tax. Grant: (173,466,000 − 49,153,000) × 0.967 =
    £120,210,671. Income £169,756,895.21294; costs £173,466,000 (no inflation printed), so the
    gap before savings is £3,709,104.78706 and, after the £3.116m of savings,
    £593,104.78706. Nothing is rounded on the way."""
    y = calc.compute(inputs_004()).year("2014/15")
    assert y.tax_base.value == D("284953.12272")
    assert y.band_d.value == D("173.8750")
    assert y.council_tax.value == D("49546224.21294")
    assert y.grant.value == D("120210671")
    assert y.income.value == D("169756895.21294")
    assert y.cost.value == D("173466000")
    assert y.gap_before_savings.value == D("3709104.78706")
    assert y.gap.value == D("593104.78706")
    assert y.gap.pounds == D("593104.79")
    assert "284,953.12 × Band D £173.8750" in y.council_tax.how
    assert y.council_tax.inputs == {"tax_base": D("284953.12272"), "band_d": D("173.8750")}


def test_base_year_tax_base_times_band_d_against_the_council_tax_requirement():
    """The tax base derived from para 4 (to 2 places) gives £0.21 more than £49.153M."""
    with localcontext(calc.EXACT):
        base = calc.compute(inputs_004()).base
        assert base.council_tax.value == D("282691.59") * D("173.8750") == D("49153000.211250")
        assert base.council_tax_check == D("0.21")
        assert base.grant.value == D("124313000")


def test_the_precept_options_are_the_increase_of_each_years_council_tax():
    """0.5% in 2014/15 is 0.5% of £49,546,224.21294 = £247,731.1210647; later years on the
    scenario's path: the tax base grown 0.8% a year and Band D by 0%, 2%, 2%."""
    with localcontext(calc.EXACT):
        projection = calc.compute(inputs_004())
        options = calc.precept_options(projection, [D("0.5"), D("2")])
        assert [(o.increase_pct, o.year) for o in options] == [
            (D("0.5"), "2014/15"),
            (D("0.5"), "2015/16"),
            (D("0.5"), "2016/17"),
            (D("2"), "2014/15"),
            (D("2"), "2015/16"),
            (D("2"), "2016/17"),
        ]
        assert options[0].additional_income.value == D("247731.1210647")
        tax_base_2016 = D("282691.59") * D("1.008") ** 3
        band_d_2016 = D("173.8750") * D("1.02") ** 2
        assert options[5].additional_income.value == tax_base_2016 * band_d_2016 * D("0.02")
        assert options[5].additional_income.pounds == D("1047519.14")
        assert calc.precept_rows(options)[0] == {
            "increase_pct": "0.5",
            "year": "2014/15",
            "additional_income": D("247731.12"),
        }


def test_an_increase_loses_the_years_freeze_grant():
    with localcontext(calc.EXACT):
        inputs = calc.inputs_with(inputs_004(), "2014/15", freeze_grant=D("500000"))
        year = calc.compute(inputs).year("2014/15")
        option = calc.precept_option(year, D("1"))
        assert option.freeze_grant_lost == D("500000")
        assert option.additional_income.value == year.council_tax.value / 100 - D("500000")
        assert "less freeze grant lost £500,000" in option.additional_income.how
        assert year.income.value == year.council_tax.value + year.grant.value + D("500000")


def test_pay_and_price_inflation_grow_their_shares_of_the_budget():
    with localcontext(calc.EXACT):
        inputs = inputs_004(pay_share_pct=D("80"))
        inputs = calc.inputs_with(
            inputs, "2014/15", pay_inflation_pct=D("1"), price_inflation_pct=D("2")
        )
        y = calc.compute(inputs).year("2014/15")
        assert y.pay.value == D("173466000") * D("0.8") * D("1.01")
        assert y.non_pay.value == D("173466000") * D("0.2") * D("1.02")
        assert y.expenditure.value == y.cost.value - D("3116000")


def test_good_inputs_have_no_problems():
    assert calc.problems(inputs_004()) == []


def test_every_problem_at_once_each_naming_its_field_and_year():
    bad = calc.ScenarioInputs(
        **{
            **inputs_004().__dict__,
            "base_tax_base": D("-1"),
            "years": (
                calc.YearAssumptions("2014/15", D("-100"), D("1"), freeze_grant=D("5")),
                calc.YearAssumptions("2016/17", savings_planned=D("-1")),
                calc.YearAssumptions("2017/18"),
            ),
        }
    )
    found = calc.problems(bad)
    messages = [p.message for p in found]
    assert "Base tax base: cannot be negative" in messages
    assert any(m.startswith("2014/15 tax base growth: must be more than -100%") for m in messages)
    assert any(m.startswith("2014/15 freeze grant: a freeze grant is paid only") for m in messages)
    assert "2016/17 year: should be 2015/16: years follow the base year one by one" in messages
    assert "2016/17 savings planned: cannot be negative" in messages
    assert {(p.field, p.year) for p in found} >= {
        ("base_tax_base", ""),
        ("tax_base_growth_pct", "2014/15"),
        ("freeze_grant", "2014/15"),
        ("savings_planned", "2016/17"),
    }


def test_a_year_outside_the_plan_is_refused():
    import datetime as dt

    inputs = calc.ScenarioInputs(
        **{
            **inputs_004().__dict__,
            "years": (*inputs_004().years, calc.YearAssumptions("2017/18")),
        }
    )
    found = calc.problems(
        inputs,
        plan_starts=dt.date(2013, 4, 1),
        plan_ends=dt.date(2017, 3, 31),
        plan_title="Police and Crime Plan 2013-17",
    )
    assert [p.message for p in found] == [
        "2017/18 year: is outside Police and Crime Plan 2013-17 (1 April 2013 to 31 March 2017)"
    ]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0.8", D("0.8")),
        ("0.8%", D("0.8")),
        ("-3.7", D("-3.7")),
        ("\u22123.7 %", D("-3.7")),
        (2, D(2)),
    ],
)
def test_percentages_as_typed(typed, value):
    assert calc.to_percent(typed) == value


@pytest.mark.parametrize("typed", ["abc", "1e5", "0.8.1", "", "0.12345", 0.8, "nan", "1,2"])
def test_what_is_not_a_percentage_is_refused_in_words(typed):
    with pytest.raises(ValueError, match="tax base growth|floating|decimal places"):
        calc.to_percent(typed, "the tax base growth")


def test_increases_for_the_table():
    assert calc.parse_increases("0.5, 1,1.5,2") == (D("0.5"), D("1"), D("1.5"), D("2"))
    for bad in ("", "1,x", "0", "-1", "1,1", "101"):
        with pytest.raises(ValueError, match="precept increase"):
            calc.parse_increases(bad)


def test_two_scenarios_side_by_side():
    """+1% on the 2014/15 precept: the difference in every year's council tax is exact (1% of
    the first scenario's), and the gap is smaller by as much; the grant does not change."""
    first = calc.compute(inputs_004())
    second = calc.compute(calc.inputs_with(inputs_004(), "2014/15", precept_change_pct=D("1")))
    changed = {(d.year, d.measure): d for d in calc.compare(first, second) if d.differs}
    assert changed[("2014/15", "precept_change_pct")].difference == D("1")
    with localcontext(calc.EXACT):
        for y in YEARS:
            extra = first.year(y).council_tax.value / 100
            assert changed[(y, "council_tax")].difference == extra
            assert changed[(y, "gap")].difference == -extra
    assert changed[("2014/15", "council_tax")].difference_shown == D("495462.24")
    assert ("2014/15", "grant") not in changed


# --- Properties ---------------------------------------------------------------------------

pcts = st.decimals(min_value=D("-20"), max_value=D("20"), places=3, allow_nan=False)
money = st.decimals(min_value=D("0"), max_value=D("10000000"), places=2, allow_nan=False)


@st.composite
def scenario_inputs(draw):
    n = draw(st.integers(min_value=1, max_value=calc.MAX_YEARS))
    labels = []
    label = "2013/14"
    for _ in range(n):
        label = calc.next_year_label(label)
        labels.append(label)
    years = []
    for y in labels:
        precept = draw(pcts)
        years.append(
            calc.YearAssumptions(
                y,
                draw(pcts),
                precept,
                draw(pcts),
                draw(pcts),
                draw(pcts),
                freeze_grant=draw(money) if precept <= 0 else D(0),
                savings_planned=draw(money),
                use_of_reserves=draw(money),
            )
        )
    br = draw(st.decimals(min_value=D("1000"), max_value=D("500000000"), places=2))
    return calc.ScenarioInputs(
        name="p",
        base_year="2013/14",
        base_budget_requirement=br,
        base_council_tax_requirement=draw(st.decimals(min_value=D("0"), max_value=br, places=2)),
        base_tax_base=draw(st.decimals(min_value=D("1"), max_value=D("2000000"), places=2)),
        base_band_d=draw(st.decimals(min_value=D("1"), max_value=D("999"), places=4)),
        pay_share_pct=draw(st.decimals(min_value=D("0"), max_value=D("100"), places=3)),
        years=tuple(years),
    )


@settings(max_examples=60, deadline=None)
@given(scenario_inputs())
def test_every_year_adds_up_exactly(inputs):
    """Income, expenditure and gaps are sums of their parts to the last digit, and the
    arithmetic never has to round (calc.EXACT traps it)."""
    with localcontext(calc.EXACT):
        assert calc.problems(inputs) == []
        for y in calc.compute(inputs).years:
            a = y.assumptions
            assert y.council_tax.value == y.tax_base.value * y.band_d.value
            assert y.income.value == y.council_tax.value + y.grant.value + a.freeze_grant
            assert y.cost.value == y.pay.value + y.non_pay.value
            assert y.gap_before_savings.value == y.cost.value - y.income.value
            assert y.gap.value == y.gap_before_savings.value - a.savings_planned - a.use_of_reserves


@settings(max_examples=60, deadline=None)
@given(scenario_inputs())
def test_the_tax_base_compounds_in_any_order(inputs):
    """The last year's tax base is the base times every year's growth factor, whatever the
    order the growths come in."""
    with localcontext(calc.EXACT):
        last = calc.compute(inputs).years[-1].tax_base.value
        reordered = tuple(
            calc.YearAssumptions(**{**y.__dict__, "tax_base_growth_pct": g.tax_base_growth_pct})
            for y, g in zip(inputs.years, reversed(inputs.years), strict=True)
        )
        swapped = calc.ScenarioInputs(**{**inputs.__dict__, "years": reordered})
        assert calc.compute(swapped).years[-1].tax_base.value == last
        product = inputs.base_tax_base
        for y in inputs.years:
            product *= calc.factor(y.tax_base_growth_pct)
        assert last == product


@settings(max_examples=60, deadline=None)
@given(scenario_inputs(), st.decimals(min_value=D("0.001"), max_value=D("10"), places=3))
def test_precept_income_is_proportional_to_the_increase(inputs, pct):
    """Without a freeze grant, twice the increase is exactly twice the income."""
    with localcontext(calc.EXACT):
        plain = calc.ScenarioInputs(
            **{
                **inputs.__dict__,
                "years": tuple(
                    calc.YearAssumptions(**{**y.__dict__, "freeze_grant": D(0)})
                    for y in inputs.years
                ),
            }
        )
        projection = calc.compute(plain)
        for y in projection.years:
            one = calc.precept_option(y, pct).additional_income.value
            two = calc.precept_option(y, pct * 2).additional_income.value
            assert two == 2 * one
            assert one == y.council_tax.value * pct / 100


@settings(max_examples=40, deadline=None)
@given(scenario_inputs(), st.integers(min_value=0, max_value=9), pcts)
def test_a_higher_precept_never_lowers_council_tax(inputs, index, more):
    """Raising one year's precept change raises (or keeps) that year's and every later
    year's council tax, and leaves earlier years alone."""
    year = inputs.years[index % len(inputs.years)]
    bump = abs(more)
    if year.precept_change_pct + bump > 100:
        return
    changed = calc.inputs_with(
        inputs, year.year, precept_change_pct=year.precept_change_pct + bump, freeze_grant=D(0)
    )
    before = calc.compute(inputs).years
    after = calc.compute(changed).years
    for b, a in zip(before, after, strict=True):
        if b.year < year.year:
            assert a.council_tax.value == b.council_tax.value
        else:
            assert a.council_tax.value >= b.council_tax.value


@settings(max_examples=80, deadline=None)
@given(st.decimals(min_value=D("-100"), max_value=D("100"), places=3))
def test_a_percentage_reads_back_as_written(value):
    assert calc.to_percent(calc.pct_text(value)) == value
    assert calc.to_percent(f"{value}%") == value
