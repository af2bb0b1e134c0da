"""004's printed precept table and funding gaps against the scenario computed from 004's
printed inputs: which agree as printed (to £1,000), by how much the rest differ, and the
inputs that would reproduce them, checked by putting those inputs back in."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from commissioning.mtfs import calc, reconcile

from .conftest import inputs_004, printed_gaps, printed_precept


def _result():
    return reconcile.reconcile(inputs_004(), printed_precept(), printed_gaps())


def test_five_of_the_twelve_printed_precept_figures_follow_from_the_printed_inputs():
    """The 0.5% row, and 1.0% and 1.5% in 2016/17, are 004's inputs rounded to £'000; the
    other seven are not."""
    rec = _result()
    agreeing = {(c.stated.increase_pct, c.stated.year) for c in rec.precept if c.agrees}
    assert agreeing == {
        (D("0.5"), "2014/15"),
        (D("0.5"), "2015/16"),
        (D("0.5"), "2016/17"),
        (D("1.0"), "2016/17"),
        (D("1.5"), "2016/17"),
    }
    assert rec.precept_agreeing == 5 and len(rec.precept) == 12


def test_each_difference_is_printed_less_computed():
    """1% in 2014/15: £496,000 printed; 1% of £49,546,224.21294 is £495,462.24 (which rounds
    to £495,000): £537.76 apart."""
    cells = {(c.stated.increase_pct, c.stated.year): c for c in _result().precept}
    one = cells[(D("1.0"), "2014/15")]
    assert (one.stated.amount, one.computed, one.difference) == (
        D("496000"),
        D("495462.24"),
        D("537.76"),
    )
    two = cells[(D("2.0"), "2016/17")]
    assert two.stated.amount == D("1049000")
    assert two.difference == two.stated.amount - two.computed
    assert not two.agrees


def test_six_printed_figures_are_the_rounded_half_percent_row_multiplied():
    """496 = 2 × 248, 765 = 3 × 255, ...: the table scales the rounded 0.5% row. 1,049 is not
    4 × 262 = 1,048, so it is the one figure nothing printed explains."""
    findings = [f for f in _result().findings if f.kind == "precept_vs_computed"]
    assert len(findings) == 7
    scaled = [
        f for f in findings if any("the table seems to multiply" in e for e in f.explanations)
    ]
    assert len(scaled) == 6
    [odd] = [f for f in findings if f not in scaled]
    assert odd.stated == D("1049000")
    assert "It is not 4 × the printed 0.5% figure, which would be £1,048,000." in odd.explanations
    assert odd.cite == "004 Financial Update para 21"


def _mid(low: D, high: D, places: str) -> D:
    return ((low + high) / 2).quantize(D(places), rounding=ROUND_HALF_UP)


def test_the_solved_tax_base_growth_reproduces_each_printed_figure():
    """For every precept figure that differs, the middle of the solved growth range, put back
    as every year's growth, gives a figure that rounds to the printed one; the scenario's
    0.8% does not."""
    inputs = inputs_004()
    projection = calc.compute(inputs)
    for cell in printed_precept():
        option = calc.precept_option(projection.year(cell.year), cell.increase_pct)
        if reconcile.rounds_to(option.additional_income.value, cell.amount, cell.precision):
            continue
        low, high = reconcile.growth_range(inputs, projection, cell)
        growth = _mid(low, high, "0.000001")
        regrown = inputs
        for y in inputs.years:
            regrown = calc.inputs_with(regrown, y.year, tax_base_growth_pct=growth)
        again = calc.precept_option(calc.compute(regrown).year(cell.year), cell.increase_pct)
        assert reconcile.rounds_to(again.additional_income.value, cell.amount, cell.precision)
        assert not (low <= D("0.8") < high)


def test_the_solved_base_tax_base_reproduces_the_odd_figure():
    """2% in 2016/17, printed 1,049: a base tax base of about 283,091 would give it."""
    inputs = inputs_004()
    projection = calc.compute(inputs)
    cell = next(c for c in printed_precept() if c.increase_pct == D("2.0") and c.year == "2016/17")
    low, high = reconcile.tax_base_range(inputs, projection, cell)
    assert D("282691.59") < low < high
    tax_base = _mid(low, high, "0.01")
    again = calc.precept_option(
        calc.compute(calc.ScenarioInputs(**{**inputs.__dict__, "base_tax_base": tax_base})).year(
            "2016/17"
        ),
        cell.increase_pct,
    )
    assert reconcile.rounds_to(again.additional_income.value, D("1049000"), D("1000"))


def test_no_printed_gap_follows_and_the_grant_change_that_would_is_solved():
    """004 prints no pay or price inflation, so the scenario's costs stay at £173.466m and
    none of the six printed gaps follows. The August 2014/15 gap of £4.420m is £710,895.21
    more than the scenario's £3,709,104.79; a 2014/15 grant change (alone) from the solved
    range gives it."""
    rec = _result()
    assert rec.gaps_agreeing == 0 and len(rec.gaps) == 6
    gaps = {(c.stated.series, c.stated.year): c for c in rec.gaps}
    august = gaps[("gap-2013-08", "2014/15")]
    assert (august.stated.amount, august.computed, august.difference) == (
        D("4420000"),
        D("3709104.79"),
        D("710895.21"),
    )
    inputs = inputs_004()
    projection = calc.compute(inputs)
    for stated in printed_gaps():
        low, high = reconcile.grant_change_range(projection, stated)
        change = _mid(low, high, "0.000001")
        again = calc.compute(calc.inputs_with(inputs, stated.year, grant_change_pct=change))
        assert reconcile.rounds_to(
            again.year(stated.year).gap_before_savings.value, stated.amount, stated.precision
        ), stated
    finding = next(f for f in rec.findings if f.where == "gap-2013-08: 2014/15")
    assert any("costs before savings of about £174,176,895.21" in e for e in finding.explanations)


def test_a_figure_for_a_year_the_scenario_lacks_is_reported():
    short = calc.ScenarioInputs(**{**inputs_004().__dict__, "years": inputs_004().years[:1]})
    rec = reconcile.reconcile(short, printed_precept(), printed_gaps())
    kinds = [f.kind for f in rec.findings]
    assert kinds.count("precept_not_computed") == 8
    assert kinds.count("gap_not_computed") == 4


def test_a_paper_that_follows_its_inputs_has_no_findings():
    """Print the scenario's own figures rounded to £1,000 and nothing is reported."""
    projection = calc.compute(inputs_004())
    stated = [
        reconcile.StatedPrecept(
            year=o.year,
            increase_pct=o.increase_pct,
            amount=(o.additional_income.value / 1000).quantize(D(1), rounding=ROUND_HALF_UP) * 1000,
            precision=D(1000),
            stated_as="",
            cite="",
        )
        for o in calc.precept_options(projection)
    ]
    rec = reconcile.reconcile(inputs_004(), stated, [])
    assert rec.findings == () and rec.precept_agreeing == 12
