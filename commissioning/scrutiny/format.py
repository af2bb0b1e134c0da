"""How the pack writes its figures, the same on the page, in the PDF and in the XLSX's notes:
numbers grouped in thousands, pounds in the product's one money format, percentages to one
place with the sign (the reoffending cohorts' to two places, as the cohort team works them
out); and the words of the reoffending cohorts' section."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from commissioning.core.money import money_text, percent_text

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


COHORTS_TITLE = "Reoffending cohorts"
COHORT_METHOD = (
    "Offenders in custody throughout the period, or with no offences in the baseline period, "
    "are left out of the measures and counted as excluded. The cohort reduction is 1 \u2212 "
    "current offences \u00f7 baseline offences over the offenders measured; an offender meets "
    "the target when their own offences fell by at least the target."
)
SYNTHETIC = "Synthetic example data, not real offenders"


def cohorts_withheld(under: int) -> str:
    """The sentence on what the section leaves out, for the threshold in force."""
    return (
        f"Groups of fewer than {under} offenders are withheld (\u201ctoo few to judge\u201d), "
        "and so is any area whose figures could be worked out from its cohort\u2019s total."
    )


def cohorts_none(label: str) -> str:
    return f"No reoffending cohort has been measured for {label}."


def withheld_reason(reason: str) -> str:
    """Why a cohort row shows no figures, as the pack says it: "Too few to judge"."""
    return reason[:1].upper() + reason[1:]


def cohort_percent(value: Decimal | None) -> str:
    """A cohort measure's percentage, to the two places it is worked out to: "38.90%"."""
    return NONE if value is None else f"{Decimal(value):.2f}%"


def number(value: Decimal | int | None) -> str:
    if value is None:
        return NONE
    shown = whole(Decimal(value))
    return f"{shown:,f}" if shown != shown.to_integral_value() else f"{int(shown):,}"


def percent(value: Decimal | None) -> str:
    return NONE if value is None else percent_text(Decimal(value).quantize(Decimal("0.1")))


def pounds(value: Decimal | None) -> str:
    """An amount to the nearest pound, for headline figures: "£3,693,284"."""
    if value is None:
        return NONE
    return money_text(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure(value: Decimal | None, unit: str) -> str:
    """A target or actual in its unit: "1,234", "£1,234", "75.0%"."""
    if value is None:
        return NONE
    if unit == POUNDS:
        return money_text(value)
    if unit == PERCENT:
        return percent(value)
    return number(value)
