"""The commissioning pot inside the medium-term financial strategy, computed. Pure functions
over frozen dataclasses and `Decimal`; no ORM (the ledger's facts come in from selectors).

The pot is the year's funding streams as the budget ledger has them (of which some are draws
on a reserve). A scenario year without a budget in the ledger yet carries the most recent
earlier year's pot, and says so. The pot is part of the budget requirement, so a scenario
that leaves a funding gap after savings and reserves puts part of it at risk. The rule used
here, stated wherever the figure is shown: if the gap were closed by reducing every part of
the budget in proportion, the pot would lose

    pot × gap left ÷ expenditure        (to the penny, half up; nothing when there is no gap)

A change to a scenario (a precept 1% higher, say) changes its income, so its gap, so that
figure; a change to its use of reserves changes the gap the same way. Beside it, the pot's
own draws on reserves are set against the scenario's use of reserves, and each multi-year
reserve commitment is tracked year by year against the draws the ledger records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from commissioning.budgets.periods import year_start_of_label
from commissioning.core.money import PENNY, ZERO, money_text

from .calc import DISPLAY, HUNDRED, Figure, Projection, next_year_label

SHARE_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class PotFacts:
    """What the budget ledger records of one financial year's pot."""

    year: str
    pot: Decimal
    reserve_draws: Decimal = ZERO


@dataclass(frozen=True)
class PotYear:
    year: str
    is_base: bool
    budgeted: bool  # the ledger has a budget for this very year
    source_year: str  # the year whose pot is shown ("" when no year has one)
    pot: Decimal
    reserve_draws: Decimal  # the pot's draws on reserves recorded for this very year
    expenditure: Decimal
    gap: Decimal  # left after savings and reserves (0 in the base year)
    use_of_reserves: Decimal | None  # the scenario's (None in the base year)
    share: Figure  # the pot as a percentage of expenditure
    at_risk: Figure  # what closing the gap in proportion would take from the pot

    @property
    def pot_after(self) -> Decimal:
        return self.pot - self.at_risk.value

    @property
    def draws_outside_scenario(self) -> Decimal:
        """The pot's reserve draws the scenario's use of reserves does not cover."""
        if self.use_of_reserves is None:
            return ZERO
        return max(ZERO, self.reserve_draws - self.use_of_reserves)


def _round(value: Decimal, places: Decimal = PENNY) -> Decimal:
    with localcontext(DISPLAY):
        return value.quantize(places, rounding=ROUND_HALF_UP)


def _share(pot: Decimal, expenditure: Decimal) -> Figure:
    if expenditure <= 0:
        return Figure(ZERO, "no expenditure to compare with", {})
    with localcontext(DISPLAY):
        pct = _round(pot * HUNDRED / expenditure, SHARE_PLACES)
    return Figure(
        pct,
        f"{money_text(pot)} ÷ expenditure {money_text(_round(expenditure))}",
        {"pot": pot, "expenditure": expenditure},
    )


def _at_risk(pot: Decimal, gap: Decimal, expenditure: Decimal) -> Figure:
    if gap <= 0:
        return Figure(ZERO, "no gap is left after savings and reserves", {"gap": gap})
    if expenditure <= 0:
        return Figure(ZERO, "no expenditure to share the gap over", {})
    with localcontext(DISPLAY):
        value = _round(pot * gap / expenditure)
    return Figure(
        value,
        f"{money_text(pot)} × gap {money_text(_round(gap))} ÷ expenditure "
        f"{money_text(_round(expenditure))}, to the penny",
        {"pot": pot, "gap": gap, "expenditure": expenditure},
    )


def _pot_for(label: str, facts: Mapping[str, PotFacts]) -> tuple[str, PotFacts | None]:
    """The year's own pot, or else the most recent earlier year's."""
    if label in facts:
        return label, facts[label]
    start = year_start_of_label(label)
    earlier = [f for y, f in facts.items() if year_start_of_label(y) < start]
    if not earlier:
        return "", None
    latest = max(earlier, key=lambda f: year_start_of_label(f.year))
    return latest.year, latest


def pot_years(projection: Projection, facts: Mapping[str, PotFacts]) -> list[PotYear]:
    """The base year and each scenario year: the pot, its share of expenditure, and what the
    year's gap would take from it."""
    out = []
    rows: list[tuple[str, bool, Decimal, Decimal, Decimal | None]] = [
        (projection.base.year, True, projection.base.budget_requirement, ZERO, None)
    ]
    rows += [
        (y.year, False, y.expenditure.value, y.gap.value, y.use_of_reserves.value)
        for y in projection.years
    ]
    for label, is_base, expenditure, gap, use in rows:
        source, fact = _pot_for(label, facts)
        pot = fact.pot if fact else ZERO
        own = facts.get(label)
        out.append(
            PotYear(
                year=label,
                is_base=is_base,
                budgeted=own is not None,
                source_year=source,
                pot=pot,
                reserve_draws=own.reserve_draws if own else ZERO,
                expenditure=expenditure,
                gap=gap,
                use_of_reserves=use,
                share=_share(pot, expenditure),
                at_risk=_at_risk(pot, gap, expenditure),
            )
        )
    return out


POT_COLUMNS = (
    "year",
    "pot",
    "pot_from",
    "reserve_draws",
    "use_of_reserves",
    "expenditure",
    "pot_share_pct",
    "gap",
    "pot_at_risk",
    "pot_after",
)


def pot_rows(years: Sequence[PotYear]) -> list[dict[str, object]]:
    return [
        {
            "year": y.year,
            "pot": y.pot,
            "pot_from": y.source_year,
            "reserve_draws": y.reserve_draws,
            "use_of_reserves": y.use_of_reserves,
            "expenditure": _round(y.expenditure),
            "pot_share_pct": format(y.share.value, "f"),
            "gap": _round(y.gap),
            "pot_at_risk": y.at_risk.value,
            "pot_after": y.pot_after,
        }
        for y in years
    ]


# --------------------------------------------------------------------------------------------
# Reserve commitments over several years
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    name: str
    purpose: str
    reserve: str
    amount: Decimal
    first_year: str
    last_year: str
    cite: str = ""


@dataclass(frozen=True)
class CommitmentYear:
    year: str
    drawn: Decimal
    drawn_to_date: Decimal
    remaining: Decimal  # of the commitment, after this year's draws (negative if overdrawn)
    budgeted: bool  # the ledger has a budget for the year


@dataclass(frozen=True)
class CommitmentTrack:
    commitment: Commitment
    years: tuple[CommitmentYear, ...]
    outside: tuple[tuple[str, Decimal], ...]  # draws on the reserve in other years

    @property
    def drawn(self) -> Decimal:
        return self.years[-1].drawn_to_date if self.years else ZERO

    @property
    def remaining(self) -> Decimal:
        return self.commitment.amount - self.drawn

    @property
    def overdrawn(self) -> bool:
        return self.remaining < 0

    @property
    def years_unbudgeted(self) -> list[str]:
        return [y.year for y in self.years if not y.budgeted]

    def summary(self) -> str:
        c = self.commitment
        text = (
            f"{money_text(c.amount)} from the {c.reserve} over {c.first_year} to {c.last_year}: "
            f"{money_text(self.drawn)} drawn"
        )
        if self.overdrawn:
            return text + f", {money_text(-self.remaining)} more than committed"
        text += f", {money_text(self.remaining)} still to draw"
        if self.remaining and self.years_unbudgeted:
            text += f" ({_and(self.years_unbudgeted)} not yet budgeted)"
        return text


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def commitment_years(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] != last:
        if len(out) > 50 or year_start_of_label(out[-1]) > year_start_of_label(last):
            raise ValueError(f"{last} does not follow {first}")
        out.append(next_year_label(out[-1]))
    return out


def track(
    commitment: Commitment, draws: Mapping[str, Decimal], budgeted: set[str]
) -> CommitmentTrack:
    """`draws` are the reserve's draws by year label, as the ledger records them."""
    labels = commitment_years(commitment.first_year, commitment.last_year)
    to_date = ZERO
    years = []
    for label in labels:
        drawn = draws.get(label, ZERO)
        to_date += drawn
        years.append(
            CommitmentYear(label, drawn, to_date, commitment.amount - to_date, label in budgeted)
        )
    outside = tuple(
        sorted(
            ((y, a) for y, a in draws.items() if y not in labels and a),
            key=lambda pair: year_start_of_label(pair[0]),
        )
    )
    return CommitmentTrack(commitment, tuple(years), outside)


def notes(years: Sequence[PotYear], tracks: Sequence[CommitmentTrack]) -> list[str]:
    """What the pot's figures mean for the scenario, in words."""
    out = []
    for y in years:
        if y.draws_outside_scenario:
            out.append(
                f"{y.year}: the pot draws {money_text(y.reserve_draws)} on reserves but the "
                f"scenario's use of reserves is {money_text(y.use_of_reserves or ZERO)}, so "
                f"{money_text(y.draws_outside_scenario)} of the pot's draws is not in the scenario"
            )
    for t in tracks:
        window = {y.year for y in t.years}
        planned = [y for y in years if y.year in window and not y.is_base and not y.budgeted]
        if t.remaining > 0 and planned and not any(y.use_of_reserves for y in planned):
            out.append(
                f"{t.commitment.purpose}: {money_text(t.remaining)} of the commitment is still "
                f"to be drawn, but the scenario plans no use of reserves in "
                f"{_and([y.year for y in planned])}"
            )
        if t.overdrawn:
            out.append(f"{t.commitment.purpose}: {t.summary()}")
    return out
