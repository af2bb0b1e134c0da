"""How the pack writes its figures, the same on the page, in the PDF and in the XLSX's notes:
numbers grouped in thousands, pounds in the product's one money format, percentages to one
place with the sign."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from commissioning.core.templatetags.govuk import money

from .rollup import PERCENT, POUNDS, whole

NONE = "\u2013"  # an en dash where there is no figure
TITLE = "Outcomes by priority"
NOTES = (
    "Agreements count when issued, accepted or closed; drafts and cancelled ones do not. "
    "An agreement belongs to the year of the allocation it rests on.",
    "Only returns the officer has accepted count: their actuals, the officer's rating, the "
    "spend they report, and the targets and budget profile of their periods.",
    "Targets and actuals are added up where a measure counts a number or pounds; for "
    "percentages the pack shows the mean. Achieved is the actual as a percentage of the "
    "target for the periods whose return is accepted (numbered measures).",
    "An agreement's budget and spend are shared equally among its measures, so each pound "
    "counts once; an agreement with no measures counts under 'Not linked to a priority'. "
    "Each accepted return's rating counts once for each of its agreement's measures.",
    "Each theme's figures are the sum of its priorities'; the total is the sum of the themes' "
    "and the row of measures linked to no priority.",
    "Commissioning intentions: the estimate is the total the plan states for the year (or "
    "the sum of its lines); committed, indicative and paid are the ledger's, by the intention "
    "each allocation names now. With the allocations naming no intention they add up to the "
    "year's committed total.",
)


def number(value: Decimal | int | None) -> str:
    if value is None:
        return NONE
    shown = whole(Decimal(value))
    return f"{shown:,f}" if shown != shown.to_integral_value() else f"{int(shown):,}"


def percent(value: Decimal | None) -> str:
    return NONE if value is None else f"{Decimal(value):.1f}%"


def pounds(value: Decimal | None) -> str:
    """An amount to the nearest pound, for headline figures: "£3,693,284"."""
    if value is None:
        return NONE
    return money(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure(value: Decimal | None, unit: str) -> str:
    """A target or actual in its unit: "1,234", "£1,234", "75.0%"."""
    if value is None:
        return NONE
    if unit == POUNDS:
        return money(value)
    if unit == PERCENT:
        return percent(value)
    return number(value)
