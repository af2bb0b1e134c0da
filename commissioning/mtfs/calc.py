"""The medium-term financial strategy, computed. Pure functions over frozen dataclasses and
`Decimal`; no ORM.

A scenario starts from a base year (its budget requirement, council tax requirement, tax base
in Band D equivalents and Band D) and, for each following year, assumptions: tax base growth,
precept change, government grant change, pay and price inflation, a council tax freeze grant,
savings planned and use of reserves. For each year it gives:

- council tax income = tax base × Band D, the tax base grown by each year's growth and Band D
  by each year's precept change;
- government grant = the base year's (budget requirement less council tax requirement) changed
  by each year's grant change; plus the year's freeze grant;
- costs before savings = the base budget requirement, its pay share grown by pay inflation and
  the rest by price inflation; expenditure = costs less the year's savings;
- the funding gap before savings and reserves = costs − income, and the gap left =
  expenditure − income − use of reserves.

And the precept options: for each increase, each year's additional income, the increase's
share of that year's council tax income (the effect in that year of a precept that much
higher), less the freeze grant an increase would lose (004 para 21: "additional revenue from
precept increase less loss of council tax freeze grant").

Every product, sum and percentage is exact: the arithmetic runs in a decimal context that
traps any inexact result, so nothing is rounded on the way. Only what is shown is rounded,
to the penny (half up). Each figure carries its inputs and a short "how".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from commissioning.budgets.periods import year_start_of_label
from commissioning.core.money import PENNY, ZERO, money_text, to_money

# Enough digits for any product of the inputs below over MAX_YEARS years; any result that
# would not be exact raises Inexact instead of being rounded.
EXACT = Context(
    prec=4000, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact]
)
# Rounding what is shown (never the arithmetic): to the penny, half up.
DISPLAY = Context(prec=4000, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
HUNDRED = Decimal(100)
ONE = Decimal(1)
PERCENT_PLACES = 3
TAX_BASE_PLACES = 2
BAND_D_PLACES = 4
MAX_YEARS = 10
DEFAULT_INCREASES = (Decimal("0.5"), Decimal("1.0"), Decimal("1.5"), Decimal("2.0"))

FIELD_LABELS = {
    "name": "name",
    "base_year": "base year",
    "base_budget_requirement": "base budget requirement",
    "base_council_tax_requirement": "base council tax requirement",
    "base_tax_base": "base tax base",
    "base_band_d": "base Band D",
    "pay_share_pct": "pay share of the budget",
    "year": "year",
    "tax_base_growth_pct": "tax base growth",
    "precept_change_pct": "precept change",
    "grant_change_pct": "government grant change",
    "pay_inflation_pct": "pay inflation",
    "price_inflation_pct": "price inflation",
    "freeze_grant": "freeze grant",
    "savings_planned": "savings planned",
    "use_of_reserves": "use of reserves",
    "increases": "precept increases",
}
PERCENT_FIELDS = (
    "tax_base_growth_pct",
    "precept_change_pct",
    "grant_change_pct",
    "pay_inflation_pct",
    "price_inflation_pct",
)
MONEY_FIELDS = ("freeze_grant", "savings_planned", "use_of_reserves")
YEAR_FIELDS = (*PERCENT_FIELDS, *MONEY_FIELDS)


# --------------------------------------------------------------------------------------------
# Reading what people type
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?")


def _plain_decimal(value: object, *, places: int, what: str, example: str) -> Decimal:
    if isinstance(value, float | bool):
        raise ValueError(f"{what} must not be a floating point number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"“{value}” is not a number: write {what} like {example}")
        number = value
    else:
        text = str(value).strip().replace("\u2212", "-").replace(" ", "")
        if text == "":
            raise ValueError(f"enter {what}")
        match = _NUMBER.fullmatch(text) if len(text) <= 30 else None
        if match is None:
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise ValueError(f"“{shown}” is not a number: write {what} like {example}")
        frac = match["frac"]
        number = Decimal(match["whole"].replace(",", "") + (f".{frac}" if frac else ""))
        if match["sign"] == "-":
            number = -number
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{what} has more than {places} decimal places: “{value}”")
    return number


def to_percent(value: object, what: str = "the percentage") -> Decimal:
    """A percentage as typed: "0.8", "0.8%", "-3.7", "−3.7 %" (at most 3 decimal places).
    Raises ValueError with a message naming `what`."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    return _plain_decimal(value, places=PERCENT_PLACES, what=what, example="0.8 or -3.7")


def to_quantity(value: object, *, places: int, what: str, example: str) -> Decimal:
    """A plain number with at most `places` decimal places (a tax base, a Band D)."""
    if isinstance(value, str):
        value = value.strip().removeprefix("£")
    return _plain_decimal(value, places=places, what=what, example=example)


def parse_increases(text: str) -> tuple[Decimal, ...]:
    """ "0.5,1,1.5,2" as percentages, each more than 0 and at most 100, none twice."""
    parts = [p.strip() for p in str(text).split(",")]
    if not any(parts):
        raise ValueError("precept increases: give at least one, like 0.5,1,1.5,2")
    out: list[Decimal] = []
    for part in parts:
        pct = to_percent(part, "each precept increase")
        if pct <= 0 or pct > HUNDRED:
            raise ValueError(f"precept increases: {part} is not more than 0% and at most 100%")
        if pct in out:
            raise ValueError(f"precept increases: {part} is given twice")
        out.append(pct)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearAssumptions:
    """One year's assumptions; percentages in percent (0.8 is 0.8%), money in pounds."""

    year: str
    tax_base_growth_pct: Decimal = ZERO
    precept_change_pct: Decimal = ZERO
    grant_change_pct: Decimal = ZERO
    pay_inflation_pct: Decimal = ZERO
    price_inflation_pct: Decimal = ZERO
    freeze_grant: Decimal = ZERO
    savings_planned: Decimal = ZERO
    use_of_reserves: Decimal = ZERO


@dataclass(frozen=True)
class ScenarioInputs:
    name: str
    base_year: str
    base_budget_requirement: Decimal
    base_council_tax_requirement: Decimal
    base_tax_base: Decimal  # Band D equivalents
    base_band_d: Decimal
    pay_share_pct: Decimal
    years: tuple[YearAssumptions, ...]

    def year(self, label: str) -> YearAssumptions:
        for y in self.years:
            if y.year == label:
                return y
        raise KeyError(label)


@dataclass(frozen=True)
class Problem:
    """What is wrong with an input: the field (and year, for a year's assumption) and why."""

    field: str
    message: str
    year: str = ""


def next_year_label(label: str) -> str:
    first = year_start_of_label(label).year + 1
    return f"{first}/{(first + 1) % 100:02d}"


def _say(field_name: str, year: str = "") -> str:
    words = FIELD_LABELS.get(field_name, field_name)
    return f"{year} {words}" if year else words[:1].upper() + words[1:]


def problems(
    inputs: ScenarioInputs,
    *,
    plan_starts: dt.date | None = None,
    plan_ends: dt.date | None = None,
    plan_title: str = "the plan",
) -> list[Problem]:
    """Everything wrong with a scenario's inputs, all at once, each naming its field (and
    year). An empty list means `compute` can run."""
    out: list[Problem] = []

    def bad(name: str, message: str, year: str = "") -> None:
        out.append(Problem(name, f"{_say(name, year)}: {message}", year))

    base_ok = True
    try:
        base_start = year_start_of_label(inputs.base_year)
    except ValueError as exc:
        bad("base_year", str(exc))
        base_ok = False
    else:
        if plan_starts and plan_ends and not (plan_starts <= base_start <= plan_ends):
            bad("base_year", f"{inputs.base_year} is outside {plan_title}")
    if inputs.base_budget_requirement <= 0:
        bad("base_budget_requirement", "must be more than £0")
    if inputs.base_council_tax_requirement < 0:
        bad("base_council_tax_requirement", "cannot be negative")
    elif inputs.base_council_tax_requirement > inputs.base_budget_requirement:
        bad(
            "base_council_tax_requirement",
            "cannot be more than the base budget requirement (the rest is government funding)",
        )
    if inputs.base_tax_base < 0:
        bad("base_tax_base", "cannot be negative")
    elif inputs.base_tax_base == 0:
        bad("base_tax_base", "must be more than 0 Band D equivalents")
    if inputs.base_band_d <= 0:
        bad("base_band_d", "must be more than £0")
    if not (ZERO <= inputs.pay_share_pct <= HUNDRED):
        bad("pay_share_pct", "must be between 0% and 100%")
    if not inputs.years:
        bad("year", "a scenario needs at least one year after its base year")
    if len(inputs.years) > MAX_YEARS:
        bad("year", f"a scenario covers at most {MAX_YEARS} years")
    expected = inputs.base_year
    for y in inputs.years:
        try:
            start = year_start_of_label(y.year)
        except ValueError as exc:
            bad("year", str(exc), y.year)
            continue
        if base_ok:
            expected = next_year_label(expected)
            if y.year != expected:
                bad("year", f"should be {expected}: years follow the base year one by one", y.year)
        end = dt.date(start.year + 1, 3, 31)
        if plan_starts and plan_ends and not (plan_starts <= start and end <= plan_ends):
            bad(
                "year",
                f"is outside {plan_title} ({plan_starts:%-d %B %Y} to {plan_ends:%-d %B %Y})",
                y.year,
            )
        for name in PERCENT_FIELDS:
            pct = getattr(y, name)
            floor_ok = pct >= -HUNDRED if name == "grant_change_pct" else pct > -HUNDRED
            if not floor_ok or pct > HUNDRED:
                lowest = "-100%" if name == "grant_change_pct" else "more than -100%"
                bad(name, f"must be {lowest} and at most 100%, not {pct}%", y.year)
        for name in MONEY_FIELDS:
            if getattr(y, name) < 0:
                bad(name, "cannot be negative", y.year)
        if y.freeze_grant > 0 and y.precept_change_pct > 0:
            bad(
                "freeze_grant",
                "a freeze grant is paid only for not raising the precept: set the precept "
                "change to 0% or the freeze grant to £0",
                y.year,
            )
    return out


# --------------------------------------------------------------------------------------------
# Figures that say how they were made
# --------------------------------------------------------------------------------------------


def fmt_number(value: Decimal, places: int = 2) -> str:
    with localcontext(DISPLAY):
        return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}"


def pct_text(value: Decimal) -> str:
    """A percentage as a plain exact number for files: "0.5", "-3.3", "2"."""
    with localcontext(DISPLAY):
        return format(value.normalize(), "f") if value != 0 else "0"


def fmt_pct(value: Decimal) -> str:
    with localcontext(DISPLAY):
        text = format(value.normalize(), "f") if value != 0 else "0"
    return f"{text.replace('-', chr(0x2212))}%"


def fmt_factor(pct: Decimal) -> str:
    """The growth factor of a percentage as written: 1.008 for 0.8%."""
    with localcontext(DISPLAY):
        return format(factor(pct).normalize(), "f")


def factor(pct: Decimal) -> Decimal:
    """1 + pct/100, exactly."""
    with localcontext(EXACT):
        return ONE + pct / HUNDRED


@dataclass(frozen=True)
class Figure:
    """An exact value, what it was made from and how. `pounds` is it to the penny."""

    value: Decimal
    how: str
    inputs: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def pounds(self) -> Decimal:
        with localcontext(DISPLAY):
            return self.value.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Base:
    year: str
    budget_requirement: Decimal
    council_tax_requirement: Decimal
    tax_base: Decimal
    band_d: Decimal
    council_tax: Figure  # tax base × Band D
    grant: Figure  # budget requirement − council tax requirement
    pay: Figure
    non_pay: Figure

    @property
    def council_tax_check(self) -> Decimal:
        """Tax base × Band D less the stated council tax requirement (the tax base's
        rounding, when it is derived from the two)."""
        return self.council_tax.pounds - self.council_tax_requirement


@dataclass(frozen=True)
class YearResult:
    year: str
    n: int  # years after the base year
    assumptions: YearAssumptions
    tax_base: Figure
    band_d: Figure
    council_tax: Figure
    grant: Figure
    freeze_grant: Figure
    income: Figure
    pay: Figure
    non_pay: Figure
    cost: Figure  # before savings
    savings: Figure
    expenditure: Figure
    use_of_reserves: Figure
    gap_before_savings: Figure
    gap: Figure


@dataclass(frozen=True)
class Projection:
    name: str
    base: Base
    years: tuple[YearResult, ...]

    def year(self, label: str) -> YearResult:
        for y in self.years:
            if y.year == label:
                return y
        raise KeyError(label)


GAP_COLUMNS = (
    "year",
    "council_tax_income",
    "grant_income",
    "freeze_grant",
    "income",
    "cost_before_savings",
    "savings",
    "expenditure",
    "use_of_reserves",
    "gap_before_savings",
    "gap",
)
PRECEPT_COLUMNS = ("increase_pct", "year", "additional_income")


def compute(inputs: ScenarioInputs) -> Projection:
    """Each year's income, expenditure and funding gap. Call `problems` first: inputs with
    problems may raise here."""
    with localcontext(EXACT):
        br = inputs.base_budget_requirement
        ctr = inputs.base_council_tax_requirement
        share = inputs.pay_share_pct / HUNDRED
        base = Base(
            year=inputs.base_year,
            budget_requirement=br,
            council_tax_requirement=ctr,
            tax_base=inputs.base_tax_base,
            band_d=inputs.base_band_d,
            council_tax=Figure(
                inputs.base_tax_base * inputs.base_band_d,
                f"tax base {fmt_number(inputs.base_tax_base)} × Band D "
                f"£{fmt_number(inputs.base_band_d, BAND_D_PLACES)}",
                {"tax_base": inputs.base_tax_base, "band_d": inputs.base_band_d},
            ),
            grant=Figure(
                br - ctr,
                f"budget requirement {money_text(br)} − council tax requirement {money_text(ctr)}",
                {"budget_requirement": br, "council_tax_requirement": ctr},
            ),
            pay=Figure(
                br * share,
                f"{fmt_pct(inputs.pay_share_pct)} of the budget requirement {money_text(br)}",
                {"budget_requirement": br, "pay_share_pct": inputs.pay_share_pct},
            ),
            non_pay=Figure(
                br - br * share,
                f"the rest of the budget requirement {money_text(br)}",
                {"budget_requirement": br, "pay_share_pct": inputs.pay_share_pct},
            ),
        )
        tax_base = base.tax_base
        band_d = base.band_d
        grant = base.grant.value
        pay = base.pay.value
        non_pay = base.non_pay.value
        results = []
        for n, a in enumerate(inputs.years, start=1):
            before = (tax_base, band_d, grant, pay, non_pay)
            tax_base = tax_base * factor(a.tax_base_growth_pct)
            band_d = band_d * factor(a.precept_change_pct)
            grant = grant * factor(a.grant_change_pct)
            pay = pay * factor(a.pay_inflation_pct)
            non_pay = non_pay * factor(a.price_inflation_pct)
            council_tax = tax_base * band_d
            income = council_tax + grant + a.freeze_grant
            cost = pay + non_pay
            expenditure = cost - a.savings_planned
            gap_before = cost - income
            gap = expenditure - income - a.use_of_reserves
            results.append(
                YearResult(
                    year=a.year,
                    n=n,
                    assumptions=a,
                    tax_base=Figure(
                        tax_base,
                        f"{fmt_number(before[0])} × {fmt_factor(a.tax_base_growth_pct)}"
                        f" ({fmt_pct(a.tax_base_growth_pct)} growth)",
                        {"previous": before[0], "growth_pct": a.tax_base_growth_pct},
                    ),
                    band_d=Figure(
                        band_d,
                        f"£{fmt_number(before[1], BAND_D_PLACES)} × "
                        f"{fmt_factor(a.precept_change_pct)}"
                        f" ({fmt_pct(a.precept_change_pct)} precept change)",
                        {"previous": before[1], "precept_change_pct": a.precept_change_pct},
                    ),
                    council_tax=Figure(
                        council_tax,
                        f"tax base {fmt_number(tax_base)} × Band D "
                        f"£{fmt_number(band_d, BAND_D_PLACES)}",
                        {"tax_base": tax_base, "band_d": band_d},
                    ),
                    grant=Figure(
                        grant,
                        f"{money_text(before[2])} × {fmt_factor(a.grant_change_pct)}"
                        f" ({fmt_pct(a.grant_change_pct)} grant change)",
                        {"previous": before[2], "grant_change_pct": a.grant_change_pct},
                    ),
                    freeze_grant=Figure(a.freeze_grant, "as assumed", {}),
                    income=Figure(
                        income,
                        f"council tax {money_text(council_tax)} + grant {money_text(grant)}"
                        f" + freeze grant {money_text(a.freeze_grant)}",
                        {
                            "council_tax": council_tax,
                            "grant": grant,
                            "freeze_grant": a.freeze_grant,
                        },
                    ),
                    pay=Figure(
                        pay,
                        f"{money_text(before[3])} × {fmt_factor(a.pay_inflation_pct)}"
                        f" ({fmt_pct(a.pay_inflation_pct)} pay inflation)",
                        {"previous": before[3], "pay_inflation_pct": a.pay_inflation_pct},
                    ),
                    non_pay=Figure(
                        non_pay,
                        f"{money_text(before[4])} × {fmt_factor(a.price_inflation_pct)}"
                        f" ({fmt_pct(a.price_inflation_pct)} price inflation)",
                        {"previous": before[4], "price_inflation_pct": a.price_inflation_pct},
                    ),
                    cost=Figure(
                        cost,
                        f"pay {money_text(pay)} + other costs {money_text(non_pay)}",
                        {"pay": pay, "non_pay": non_pay},
                    ),
                    savings=Figure(a.savings_planned, "as planned", {}),
                    expenditure=Figure(
                        expenditure,
                        f"costs {money_text(cost)} − savings {money_text(a.savings_planned)}",
                        {"cost": cost, "savings": a.savings_planned},
                    ),
                    use_of_reserves=Figure(a.use_of_reserves, "as planned", {}),
                    gap_before_savings=Figure(
                        gap_before,
                        f"costs {money_text(cost)} − income {money_text(income)}",
                        {"cost": cost, "income": income},
                    ),
                    gap=Figure(
                        gap,
                        f"expenditure {money_text(expenditure)} − income {money_text(income)}"
                        f" − use of reserves {money_text(a.use_of_reserves)}",
                        {
                            "expenditure": expenditure,
                            "income": income,
                            "use_of_reserves": a.use_of_reserves,
                        },
                    ),
                )
            )
        return Projection(inputs.name, base, tuple(results))


def gap_rows(projection: Projection) -> list[dict[str, object]]:
    """The gap table as records of GAP_COLUMNS, amounts to the penny."""
    return [
        {
            "year": y.year,
            "council_tax_income": y.council_tax.pounds,
            "grant_income": y.grant.pounds,
            "freeze_grant": y.freeze_grant.pounds,
            "income": y.income.pounds,
            "cost_before_savings": y.cost.pounds,
            "savings": y.savings.pounds,
            "expenditure": y.expenditure.pounds,
            "use_of_reserves": y.use_of_reserves.pounds,
            "gap_before_savings": y.gap_before_savings.pounds,
            "gap": y.gap.pounds,
        }
        for y in projection.years
    ]


# --------------------------------------------------------------------------------------------
# Precept options
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreceptOption:
    increase_pct: Decimal
    year: str
    additional_income: Figure
    council_tax: Decimal  # the year's council tax income as the scenario has it
    freeze_grant_lost: Decimal


def precept_option(year: YearResult, increase_pct: Decimal) -> PreceptOption:
    """The additional income in `year` of a precept `increase_pct`% higher than the scenario
    has it, less the freeze grant the increase loses."""
    with localcontext(EXACT):
        lost = year.freeze_grant.value if increase_pct > 0 else ZERO
        ct = year.council_tax.value
        extra = ct * increase_pct / HUNDRED
        how = f"{fmt_pct(increase_pct)} of council tax income {money_text(ct)} ({year.council_tax.how})"
        how += f" = {money_text(extra)}"
        how += f", less freeze grant lost {money_text(lost)}" if lost else ", no freeze grant lost"
        return PreceptOption(
            increase_pct=increase_pct,
            year=year.year,
            additional_income=Figure(
                extra - lost,
                how,
                {"council_tax": ct, "increase_pct": increase_pct, "freeze_grant_lost": lost},
            ),
            council_tax=ct,
            freeze_grant_lost=lost,
        )


def precept_options(
    projection: Projection, increases: Iterable[Decimal] = DEFAULT_INCREASES
) -> list[PreceptOption]:
    """One option per increase and year, increase by increase (as 004 para 21 prints them)."""
    return [precept_option(y, pct) for pct in increases for y in projection.years]


def precept_rows(options: Sequence[PreceptOption]) -> list[dict[str, object]]:
    return [
        {
            "increase_pct": pct_text(o.increase_pct),
            "year": o.year,
            "additional_income": o.additional_income.pounds,
        }
        for o in options
    ]


# --------------------------------------------------------------------------------------------
# Two scenarios side by side
# --------------------------------------------------------------------------------------------

COMPARED = (
    ("council_tax", "Council tax income"),
    ("grant", "Government grant"),
    ("freeze_grant", "Freeze grant"),
    ("income", "Income"),
    ("cost", "Costs before savings"),
    ("savings", "Savings planned"),
    ("expenditure", "Expenditure"),
    ("use_of_reserves", "Use of reserves"),
    ("gap_before_savings", "Funding gap before savings and reserves"),
    ("gap", "Gap left after savings and reserves"),
)
ASSUMPTIONS_COMPARED = (
    ("tax_base_growth_pct", "Tax base growth"),
    ("precept_change_pct", "Precept change"),
    ("grant_change_pct", "Government grant change"),
    ("pay_inflation_pct", "Pay inflation"),
    ("price_inflation_pct", "Price inflation"),
)


@dataclass(frozen=True)
class Difference:
    year: str
    measure: str
    label: str
    first: Decimal | None
    second: Decimal | None
    is_percent: bool = False

    @property
    def difference(self) -> Decimal | None:
        if self.first is None or self.second is None:
            return None
        with localcontext(EXACT):
            return self.second - self.first

    @property
    def differs(self) -> bool:
        return self.first != self.second

    @property
    def difference_shown(self) -> Decimal | None:
        """The difference as shown: to the penny, or the percentage as it is."""
        if self.difference is None or self.is_percent:
            return self.difference
        with localcontext(DISPLAY):
            return self.difference.quantize(PENNY, rounding=ROUND_HALF_UP)


def compare(first: Projection, second: Projection) -> list[Difference]:
    """Each year of either scenario, each assumption and figure: the first's, the second's
    and second − first, all exact (the difference is worked out before either is rounded to
    the penny). A year only one has shows a blank."""
    years = sorted({y.year for y in first.years} | {y.year for y in second.years})

    def year_of(p: Projection, label: str) -> YearResult | None:
        try:
            return p.year(label)
        except KeyError:
            return None

    out = []
    for label in years:
        a, b = year_of(first, label), year_of(second, label)
        for name, words in ASSUMPTIONS_COMPARED:
            out.append(
                Difference(
                    label,
                    name,
                    words,
                    None if a is None else getattr(a.assumptions, name),
                    None if b is None else getattr(b.assumptions, name),
                    is_percent=True,
                )
            )
        for name, words in COMPARED:
            out.append(
                Difference(
                    label,
                    name,
                    words,
                    None if a is None else getattr(a, name).value,
                    None if b is None else getattr(b, name).value,
                )
            )
    return out


def inputs_with(inputs: ScenarioInputs, year: str, **changes: Decimal) -> ScenarioInputs:
    """The inputs with one year's assumptions changed (for what-ifs and for solving)."""
    years = tuple(
        YearAssumptions(**{**y.__dict__, **changes}) if y.year == year else y for y in inputs.years
    )
    return ScenarioInputs(**{**inputs.__dict__, "years": years})


def money_of(value: object, what: str) -> Decimal:
    """An amount of money as typed, or ValueError naming `what`."""
    try:
        return to_money(value)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None
