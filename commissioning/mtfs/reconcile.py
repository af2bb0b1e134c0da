"""What the papers printed about the medium-term financial strategy against what a scenario
computes. Pure functions; no ORM.

Findings are facts, not failures (as in budgets/reconcile.py): a printed figure that does not
follow from the printed inputs is reported with where it is, what it states, what the
scenario gives, the difference, and the inputs that would reproduce it: the tax base growth
or base tax base that gives the printed precept figure, the costs or grant change that give
the printed gap, or a simpler arithmetic the paper seems to have used (a row scaled from the
row above it).

A printed figure "agrees" when the computed one, rounded as the paper rounds (to £1,000 for a
table in £'000 or a gap in £m to three places), is the printed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext

from commissioning.core.money import money_text

from . import calc
from .calc import HUNDRED, ONE, fmt_number, fmt_pct

# Solving for an input takes roots, which are not exact: 40 digits, then rounded outwards.
SOLVE = Context(prec=40, rounding=ROUND_HALF_UP)
PCT_SHOWN = Decimal("0.001")


@dataclass(frozen=True)
class StatedPrecept:
    """One cell of a printed precept options table, in pounds (248 in £'000 is 248000)."""

    year: str
    increase_pct: Decimal
    amount: Decimal
    precision: Decimal  # 1000 for a table in £'000
    stated_as: str
    cite: str
    document: str = ""


@dataclass(frozen=True)
class StatedGap:
    """One year of a printed funding gap, in pounds (£6.085m is 6085000)."""

    series: str
    label: str
    year: str
    amount: Decimal
    precision: Decimal
    stated_as: str
    cite: str
    document: str = ""


def rounds_to(computed: Decimal, stated: Decimal, precision: Decimal) -> bool:
    """Whether `computed`, rounded half up to the paper's `precision`, is `stated`."""
    with localcontext(SOLVE) as ctx:
        ctx.prec = 4000
        return (computed / precision).quantize(ONE, rounding=ROUND_HALF_UP) * precision == stated


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    stated: Decimal | None
    computed: Decimal | None
    note: str = ""
    explanations: tuple[str, ...] = ()
    cite: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.stated is None or self.computed is None:
            return None
        return self.stated - self.computed

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "where": self.where,
            "cite": self.cite,
            "stated": None if self.stated is None else str(self.stated),
            "computed": None if self.computed is None else str(self.computed),
            "difference": None if self.difference is None else str(self.difference),
            "note": self.note,
            "explanations": list(self.explanations),
        }


KIND_LABELS = {
    "precept_vs_computed": "A printed precept option differs from the scenario's",
    "precept_not_computed": "A printed precept option has no year or increase in the scenario",
    "gap_vs_computed": "A printed funding gap differs from the scenario's",
    "gap_not_computed": "A printed funding gap is for a year the scenario does not have",
}


@dataclass(frozen=True)
class PreceptCell:
    """A printed precept figure beside the scenario's own."""

    stated: StatedPrecept
    computed: Decimal | None  # to the penny; None if the scenario lacks the year
    how: str
    agrees: bool
    explanations: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        return None if self.computed is None else self.stated.amount - self.computed


@dataclass(frozen=True)
class GapCell:
    stated: StatedGap
    computed: Decimal | None  # the scenario's gap before savings and reserves
    how: str
    agrees: bool
    explanations: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        return None if self.computed is None else self.stated.amount - self.computed


@dataclass(frozen=True)
class Reconciliation:
    precept: tuple[PreceptCell, ...]
    gaps: tuple[GapCell, ...]
    findings: tuple[Finding, ...]

    @property
    def precept_agreeing(self) -> int:
        return sum(1 for c in self.precept if c.agrees)

    @property
    def gaps_agreeing(self) -> int:
        return sum(1 for c in self.gaps if c.agrees)


def _interval(stated: Decimal, precision: Decimal) -> tuple[Decimal, Decimal]:
    """The values that round (half up) to `stated`: [stated − p/2, stated + p/2)."""
    half = precision / 2
    return stated - half, stated + half


def _pct3(value: Decimal) -> str:
    return f"{value:.3f}%".replace("-", "\u2212")


def _pct_range(low: Decimal, high: Decimal) -> str:
    """A range of percentages to three places, each bound rounded inwards so that both lie
    in the range (or "about x%" when it is narrower than the places shown)."""
    with localcontext(SOLVE):
        lo = low.quantize(PCT_SHOWN, rounding=ROUND_CEILING)
        hi = high.quantize(PCT_SHOWN, rounding=ROUND_FLOOR)
        if lo > hi:
            return f"about {_pct3(((low + high) / 2).quantize(PCT_SHOWN))}"
        if lo == hi:
            return _pct3(lo)
        return f"between {_pct3(lo)} and {_pct3(hi)}"


def _number_range(low: Decimal, high: Decimal, places: int = 2) -> str:
    with localcontext(SOLVE):
        q = Decimal(1).scaleb(-places)
        lo = low.quantize(q, rounding=ROUND_CEILING)
        hi = high.quantize(q, rounding=ROUND_FLOOR)
        if lo >= hi:
            return f"about {fmt_number((low + high) / 2, places)}"
        return f"between {fmt_number(lo, places)} and {fmt_number(hi, places)}"


def _money_range(low: Decimal, high: Decimal) -> str:
    with localcontext(SOLVE):
        lo = low.quantize(ONE, rounding=ROUND_CEILING)
        hi = high.quantize(ONE, rounding=ROUND_FLOOR)
        return f"between {money_text(lo)} and {money_text(hi)}"


# --------------------------------------------------------------------------------------------
# The inputs that would reproduce a printed figure: the range of values whose result rounds
# to it (low inclusive, high exclusive), other inputs as the scenario has them.
# --------------------------------------------------------------------------------------------


def growth_range(
    inputs: calc.ScenarioInputs, projection: calc.Projection, cell: StatedPrecept
) -> tuple[Decimal, Decimal] | None:
    """The tax base growth (percent, the same every year from the base year to the cell's
    year) that gives a precept figure rounding to the printed one; Band D as the scenario
    has it."""
    year = projection.year(cell.year)
    low, high = _interval(cell.amount, cell.precision)
    lost = calc.precept_option(year, cell.increase_pct).freeze_grant_lost
    with localcontext(SOLVE):
        k = inputs.base_tax_base * year.band_d.value * cell.increase_pct / HUNDRED
        if k <= 0 or low + lost <= 0:
            return None
        return (
            (((low + lost) / k) ** (ONE / year.n) - ONE) * HUNDRED,
            (((high + lost) / k) ** (ONE / year.n) - ONE) * HUNDRED,
        )


def tax_base_range(
    inputs: calc.ScenarioInputs, projection: calc.Projection, cell: StatedPrecept
) -> tuple[Decimal, Decimal] | None:
    """The base year's tax base (Band D equivalents) that gives a precept figure rounding to
    the printed one, with the scenario's growth and Band D."""
    year = projection.year(cell.year)
    low, high = _interval(cell.amount, cell.precision)
    lost = calc.precept_option(year, cell.increase_pct).freeze_grant_lost
    with localcontext(SOLVE):
        grown = year.tax_base.value / inputs.base_tax_base
        per_base = grown * year.band_d.value * cell.increase_pct / HUNDRED
        if per_base <= 0:
            return None
        return (low + lost) / per_base, (high + lost) / per_base


def grant_change_range(
    projection: calc.Projection, cell: StatedGap
) -> tuple[Decimal, Decimal] | None:
    """The government grant change (percent) in the gap's year alone that gives a gap before
    savings rounding to the printed one, everything else as the scenario has it. A larger
    gap needs a lower grant, so the range's low end is for the gap's high end."""
    year = projection.year(cell.year)
    prior = projection.base.grant.value if year.n == 1 else projection.years[year.n - 2].grant.value
    low, high = _interval(cell.amount, cell.precision)
    with localcontext(SOLVE):
        if prior <= 0:
            return None
        rest = year.cost.value - year.council_tax.value - year.freeze_grant.value
        return ((rest - high) / prior - ONE) * HUNDRED, ((rest - low) / prior - ONE) * HUNDRED


def _signed(pct: Decimal) -> str:
    with localcontext(SOLVE):
        shown = pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return ("+" if shown > 0 else "") + fmt_pct(shown)


def _precept_explanations(
    cell: StatedPrecept,
    option: calc.PreceptOption,
    inputs: calc.ScenarioInputs,
    projection: calc.Projection,
    first: StatedPrecept | None,
) -> tuple[str, ...]:
    out: list[str] = []
    year = projection.year(cell.year)
    low, high = _interval(cell.amount, cell.precision)
    # 1. A row scaled from the first printed row (rounded before it was multiplied).
    if first is not None and first.increase_pct != cell.increase_pct:
        with localcontext(SOLVE):
            times = cell.increase_pct / first.increase_pct
            scaled = first.amount * times
        if scaled == cell.amount:
            out.append(
                f"It is {fmt_number(times, 0) if times == times.to_integral_value() else times}"
                f" × the printed {fmt_pct(first.increase_pct)} figure ({first.stated_as}): the "
                f"table seems to multiply the {fmt_pct(first.increase_pct)} row after rounding it"
                f" to £{fmt_number(cell.precision, 0)}, which gives "
                f"{money_text(scaled)} where the unrounded arithmetic gives "
                f"{money_text(option.additional_income.pounds)}."
            )
        else:
            out.append(
                f"It is not {fmt_number(times, 0) if times == times.to_integral_value() else times}"
                f" × the printed {fmt_pct(first.increase_pct)} figure, which would be "
                f"{money_text(scaled)}."
            )
    # 2. The tax base growth (the same each year from the base year) that reproduces it.
    growth = growth_range(inputs, projection, cell)
    if growth is not None:
        growths = {inputs.year(y.year).tax_base_growth_pct for y in projection.years[: year.n]}
        now = fmt_pct(next(iter(growths))) if len(growths) == 1 else "growth that varies by year"
        out.append(
            f"A tax base growth of {_pct_range(*growth)} a year from "
            f"{inputs.base_year} (the scenario has {now}) reproduces it."
        )
    # 3. The base tax base that reproduces it, with the scenario's growth.
    base = tax_base_range(inputs, projection, cell)
    if base is not None:
        with localcontext(SOLVE):
            requirement = (base[0] * inputs.base_band_d, base[1] * inputs.base_band_d)
        out.append(
            f"So does a {inputs.base_year} tax base of {_number_range(*base)} Band D "
            f"equivalents with the scenario's growth (the scenario has "
            f"{fmt_number(inputs.base_tax_base)}): a council tax requirement of "
            f"{_money_range(*requirement)} at "
            f"Band D £{fmt_number(inputs.base_band_d, calc.BAND_D_PLACES)}."
        )
    # 4. The freeze grant: printed lower than computed could be a freeze grant deducted.
    if cell.amount < option.additional_income.value:
        with localcontext(SOLVE):
            more_low = option.additional_income.value - high
            more_high = option.additional_income.value - low
        if more_low >= 0:
            out.append(
                f"Or a freeze grant lost of {_money_range(more_low, more_high)} more than the "
                f"scenario's {money_text(option.freeze_grant_lost)}."
            )
    return tuple(out)


def _gap_explanations(
    cell: StatedGap,
    inputs: calc.ScenarioInputs,
    projection: calc.Projection,
    implied_before: Decimal | None,
) -> tuple[str, ...]:
    out: list[str] = []
    year = projection.year(cell.year)
    implied = year.income.value + cell.amount
    with localcontext(SOLVE):
        previous = projection.base.budget_requirement if year.n == 1 else implied_before
        growth_words = ""
        if previous:
            growth = (implied / previous - ONE) * HUNDRED
            against = (
                f"the {inputs.base_year} budget requirement"
                if year.n == 1
                else "the costs the printed gap of the year before implies"
            )
            growth_words = f", {_signed(growth)} on {against}"
        scenario_growth = (year.cost.value / projection.base.budget_requirement - ONE) * HUNDRED
        out.append(
            f"The printed gap implies costs before savings of about {money_text(implied)} "
            f"(the scenario's income {money_text(year.income.pounds)} plus the gap){growth_words}; "
            f"the scenario's costs are {money_text(year.cost.pounds)} "
            f"({_signed(scenario_growth)} on "
            f"{inputs.base_year}, from its pay and price inflation)."
        )
    change = grant_change_range(projection, cell)
    if change is not None:
        out.append(
            f"Or, with the scenario's costs, a government grant change in {cell.year} of "
            f"{_pct_range(*change)} (the scenario has "
            f"{fmt_pct(year.assumptions.grant_change_pct)})."
        )
    return tuple(out)


def reconcile(
    inputs: calc.ScenarioInputs,
    stated_precept: Sequence[StatedPrecept] = (),
    stated_gaps: Sequence[StatedGap] = (),
) -> Reconciliation:
    """Each printed figure beside the scenario's own, and a finding for each that differs."""
    projection = calc.compute(inputs)
    years = {y.year for y in projection.years}
    findings: list[Finding] = []
    cells: list[PreceptCell] = []
    first_of: dict[tuple[str, str], StatedPrecept] = {}
    for s in sorted(stated_precept, key=lambda s: s.increase_pct):
        first_of.setdefault((s.document, s.year), s)
    for s in stated_precept:
        where = f"{s.document}: {fmt_pct(s.increase_pct)} increase, {s.year}".lstrip(": ")
        if s.year not in years:
            cells.append(PreceptCell(s, None, "", False))
            findings.append(
                Finding(
                    "precept_not_computed",
                    where,
                    s.amount,
                    None,
                    f"the scenario has no {s.year}",
                    cite=s.cite,
                )
            )
            continue
        option = calc.precept_option(projection.year(s.year), s.increase_pct)
        computed = option.additional_income.pounds
        agrees = rounds_to(option.additional_income.value, s.amount, s.precision)
        explanations: tuple[str, ...] = ()
        if not agrees:
            explanations = _precept_explanations(
                s, option, inputs, projection, first_of.get((s.document, s.year))
            )
            findings.append(
                Finding(
                    "precept_vs_computed",
                    where,
                    s.amount,
                    computed,
                    f"printed {s.stated_as} (to £{fmt_number(s.precision, 0)}); the scenario "
                    f"gives {money_text(computed)}, which rounds to "
                    f"{money_text(_rounded(computed, s.precision))}",
                    explanations,
                    s.cite,
                )
            )
        cells.append(PreceptCell(s, computed, option.additional_income.how, agrees, explanations))

    gaps: list[GapCell] = []
    implied: dict[tuple[str, str], Decimal] = {}
    for g in sorted(stated_gaps, key=lambda g: (g.series, g.year)):
        where = f"{g.label}: {g.year}"
        if g.year not in years:
            gaps.append(GapCell(g, None, "", False))
            findings.append(
                Finding(
                    "gap_not_computed",
                    where,
                    g.amount,
                    None,
                    f"the scenario has no {g.year}",
                    cite=g.cite,
                )
            )
            continue
        year = projection.year(g.year)
        implied[(g.series, g.year)] = year.income.value + g.amount
        agrees = rounds_to(year.gap_before_savings.value, g.amount, g.precision)
        explanations = ()
        if not agrees:
            previous = (
                None if year.n == 1 else implied.get((g.series, projection.years[year.n - 2].year))
            )
            explanations = _gap_explanations(g, inputs, projection, previous)
            findings.append(
                Finding(
                    "gap_vs_computed",
                    where,
                    g.amount,
                    year.gap_before_savings.pounds,
                    f"printed {g.stated_as}; the scenario's gap before savings and reserves",
                    explanations,
                    g.cite,
                )
            )
        gaps.append(
            GapCell(
                g, year.gap_before_savings.pounds, year.gap_before_savings.how, agrees, explanations
            )
        )
    return Reconciliation(tuple(cells), tuple(gaps), tuple(findings))


def _rounded(value: Decimal, precision: Decimal) -> Decimal:
    with localcontext(SOLVE) as ctx:
        ctx.prec = 4000
        return (value / precision).quantize(ONE, rounding=ROUND_HALF_UP) * precision
