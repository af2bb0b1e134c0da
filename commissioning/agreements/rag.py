"""The RAG rating the product suggests for a monitoring return, and the rule that gave it.

One predicate, `suggest`, over plain figures (no ORM): the period's spend against its
profile, and each measure's actual against its target. The officer gives their own rating
with a reason; this is only the starting point, with the rule shown in words.

The thresholds (constants below, so a change is one line and its test):

- **Spend**: the period's total spend against the period's total profile. More than 25%
  under or over the profile is amber; 50% or more under or over is red. Spending where
  nothing was profiled is red (it is more than 50% over any profile of nothing).
- **Measures**: each measure's actual against its target for the period (higher is
  better). Under 75% of target is amber; under 50% of target is red. A measure with no
  target for the period, or a target of 0, is not judged.
- The rating is the worst of the spend and every measure; green when nothing is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from commissioning.core.templatetags.govuk import money

GREEN, AMBER, RED = "green", "amber", "red"
_ORDER = {GREEN: 0, AMBER: 1, RED: 2}

SPEND_AMBER = Decimal("25")  # % off profile, either way: more than this is amber
SPEND_RED = Decimal("50")  # % off profile, either way: this or more is red
MEASURE_AMBER = Decimal("75")  # % of target: under this is amber
MEASURE_RED = Decimal("50")  # % of target: under this is red

RULE = (
    f"Amber when the period's spend is more than {SPEND_AMBER}% under or over its profile, or "
    f"a measure is under {MEASURE_AMBER}% of its target; red when spend is {SPEND_RED}% or "
    f"more off its profile, or a measure is under {MEASURE_RED}% of its target; otherwise green."
)


@dataclass(frozen=True)
class MeasureFigure:
    name: str
    actual: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class Suggestion:
    rag: str
    reasons: list[str] = field(default_factory=list)  # what made it amber or red, in words
    rule: str = RULE

    @property
    def label(self) -> str:
        return self.rag.capitalize()


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, to one decimal place (whole must not be 0)."""
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _trim(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def spend_rating(spent: Decimal, profiled: Decimal) -> tuple[str, str]:
    """The spend's rating and, when amber or red, why."""
    if profiled == 0:
        if spent == 0:
            return GREEN, ""
        return RED, f"{money(spent)} was spent where nothing was profiled for the period"
    size = abs(spent - profiled) * 100 / profiled  # judged exactly, shown rounded
    way = "under" if spent < profiled else "over"
    shown = _trim(percent(abs(spent - profiled), profiled))
    words = f"Spend of {money(spent)} is {shown}% {way} the profile of {money(profiled)}"
    if size >= SPEND_RED:
        return RED, f"{words} ({_trim(SPEND_RED)}% or more off is red)"
    if size > SPEND_AMBER:
        return AMBER, f"{words} (more than {_trim(SPEND_AMBER)}% off is amber)"
    return GREEN, ""


def measure_rating(figure: MeasureFigure) -> tuple[str, str]:
    if figure.target is None or figure.target <= 0 or figure.actual is None:
        return GREEN, ""
    share = figure.actual * 100 / figure.target  # judged exactly, shown rounded
    words = (
        f"{figure.name}: {_trim(figure.actual)} against a target of {_trim(figure.target)} "
        f"({_trim(percent(figure.actual, figure.target))}% of target)"
    )
    if share < MEASURE_RED:
        return RED, f"{words}; under {_trim(MEASURE_RED)}% is red"
    if share < MEASURE_AMBER:
        return AMBER, f"{words}; under {_trim(MEASURE_AMBER)}% is amber"
    return GREEN, ""


def suggest(spent: Decimal, profiled: Decimal, measures: Sequence[MeasureFigure]) -> Suggestion:
    """The worst rating of the spend and of each measure, with the reasons for it."""
    ratings = [spend_rating(spent, profiled), *(measure_rating(m) for m in measures)]
    worst = max((r for r, _ in ratings), key=_ORDER.__getitem__)
    reasons = [why for r, why in ratings if r != GREEN and why]
    return Suggestion(rag=worst, reasons=reasons)
