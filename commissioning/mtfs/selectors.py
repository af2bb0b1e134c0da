"""Reading the medium-term financial strategy: scenarios with their years, the printed
figures beside them, and everything a scenario's page shows, computed from the stored inputs
(a fixed number of queries whatever the number of years or figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from commissioning.budgets.models import FundingStream, StreamKind
from commissioning.core.charts import bar_chart_svg
from commissioning.core.money import PENNY, ZERO, money_text

from . import calc, pot, reconcile
from .models import ReserveCommitment, Scenario, ScenarioYear, StatedFigure, StatedKind
from .services import inputs_of


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("plan", "document").prefetch_related("years")


def scenario_get(name: str) -> Scenario:
    scenario = scenario_list().filter(name=name).first()
    if scenario is None:
        raise Http404(f"There is no scenario called {name}")
    return scenario


def scenario_year_get(scenario: Scenario, slug: str) -> ScenarioYear:
    label = slug.replace("-", "/")
    for year in scenario.years.all():
        if year.year == label:
            return year
    raise Http404(f"{scenario.name} has no year {label}")


def stated_of(scenario: Scenario) -> QuerySet[StatedFigure]:
    """The printed figures shown beside a scenario: those of its plan period."""
    return StatedFigure.objects.filter(plan=scenario.plan).select_related("document")


def _document(f: StatedFigure) -> str:
    return f.document.key if f.document else ""


def stated_for_reconcile(
    figures: Sequence[StatedFigure],
) -> tuple[list[reconcile.StatedPrecept], list[reconcile.StatedGap]]:
    precept = [
        reconcile.StatedPrecept(
            year=f.year,
            increase_pct=Decimal(f.increase_pct),
            amount=Decimal(f.amount),
            precision=Decimal(f.precision),
            stated_as=f.stated_as,
            cite=f.cite,
            document=_document(f),
        )
        for f in figures
        if f.kind == StatedKind.PRECEPT_INCOME and f.increase_pct is not None
    ]
    gaps = [
        reconcile.StatedGap(
            series=f.series,
            label=f.label,
            year=f.year,
            amount=Decimal(f.amount),
            precision=Decimal(f.precision),
            stated_as=f.stated_as,
            cite=f.cite,
            document=_document(f),
        )
        for f in figures
        if f.kind == StatedKind.FUNDING_GAP
    ]
    return precept, gaps


ASSUMPTION_LABELS = {
    "freeze_grant": "Council tax freeze grant",
    "savings_planned": "Savings planned",
    "use_of_reserves": "Use of reserves",
}


@dataclass(frozen=True)
class PreceptRow:
    """One increase of the precept options table: per year the scenario's figure and, where
    the paper prints one, the printed figure and its cell of the reconciliation."""

    increase_pct: Decimal
    cells: tuple[tuple[calc.PreceptOption, reconcile.PreceptCell | None], ...]


@dataclass(frozen=True)
class GapSeries:
    series: str
    label: str
    cite: str
    cells: tuple[reconcile.GapCell, ...]


@dataclass(frozen=True)
class Report:
    scenario: Scenario
    inputs: calc.ScenarioInputs
    projection: calc.Projection
    increases: tuple[Decimal, ...]
    options: tuple[calc.PreceptOption, ...]
    precept_rows: tuple[PreceptRow, ...]
    reconciliation: reconcile.Reconciliation
    gap_series: tuple[GapSeries, ...]
    precept_label: str
    precept_cite: str
    pot: PotReport

    @property
    def years(self) -> list[str]:
        return [y.year for y in self.projection.years]

    def gap_table(self) -> list[tuple[str, str, list[calc.Figure]]]:
        """Rows of the income, expenditure and gap table: (measure, label, a figure a year)."""
        return [
            (name, label, [getattr(y, name) for y in self.projection.years])
            for name, label in calc.COMPARED
        ]

    def assumption_table(self) -> list[tuple[str, str, list[Decimal]]]:
        labels = {**dict(calc.ASSUMPTIONS_COMPARED), **ASSUMPTION_LABELS}
        return [
            (name, labels[name], [getattr(y.assumptions, name) for y in self.projection.years])
            for name in calc.YEAR_FIELDS
        ]

    def chart(self) -> SafeString:
        """The scenario's gap before savings beside each printed gap, as bars."""
        printed = self.gap_series[-1] if self.gap_series else None
        compare = (
            [(c.stated.year, c.stated.amount) for c in printed.cells if c.computed is not None]
            if printed
            else None
        )
        rows = [(y.year, y.gap_before_savings.pounds) for y in self.projection.years]
        return mark_safe(  # noqa: S308 - built from our own numbers by core.charts, which escapes text
            bar_chart_svg(
                rows,
                title=f"Funding gap before savings and reserves, {self.scenario.name}",
                value_label=money_text,
                compare=compare if compare else None,
                compare_label=f"As printed ({printed.cite})" if printed else "",
                label=f"{self.scenario.name}",
            )
        )


def report(scenario: Scenario, increases: Sequence[Decimal] | None = None) -> Report:
    """Everything the scenario's page shows, from one read of its rows and printed figures."""
    inputs = inputs_of(scenario)
    projection = calc.compute(inputs)
    figures = list(stated_of(scenario))
    stated_precept, stated_gaps = stated_for_reconcile(figures)
    rec = reconcile.reconcile(inputs, stated_precept, stated_gaps)
    printed_increases = sorted({s.increase_pct for s in stated_precept})
    chosen = tuple(increases) if increases else tuple(printed_increases or calc.DEFAULT_INCREASES)
    options = tuple(calc.precept_options(projection, chosen))
    by_cell = {(c.stated.increase_pct, c.stated.year): c for c in rec.precept}
    rows = tuple(
        PreceptRow(
            pct,
            tuple((o, by_cell.get((pct, o.year))) for o in options if o.increase_pct == pct),
        )
        for pct in chosen
    )
    series: dict[str, list[reconcile.GapCell]] = {}
    for cell in rec.gaps:
        series.setdefault(cell.stated.series, []).append(cell)
    gap_series = tuple(
        GapSeries(s, cells[0].stated.label, cells[0].stated.cite, tuple(cells))
        for s, cells in sorted(series.items())
    )
    precept_figures = [f for f in figures if f.kind == StatedKind.PRECEPT_INCOME]
    return Report(
        scenario=scenario,
        inputs=inputs,
        projection=projection,
        increases=chosen,
        options=options,
        precept_rows=rows,
        reconciliation=rec,
        gap_series=gap_series,
        precept_label=precept_figures[0].label if precept_figures else "",
        precept_cite=precept_figures[0].cite if precept_figures else "",
        pot=pot_report(projection),
    )


ASSUMPTION_COLUMNS = ("year", *calc.YEAR_FIELDS, "cite")
RECONCILIATION_COLUMNS = (
    "kind",
    "where",
    "cite",
    "stated",
    "computed",
    "difference",
    "note",
    "explanations",
)


def assumption_rows(scenario: Scenario) -> list[dict[str, object]]:
    return [
        {
            "year": y.year,
            "cite": y.cite,
            **{n: calc.pct_text(Decimal(getattr(y, n))) for n in calc.PERCENT_FIELDS},
            **{n: Decimal(getattr(y, n)) for n in calc.MONEY_FIELDS},
        }
        for y in sorted(scenario.years.all(), key=lambda y: y.year)
    ]


def reconciliation_rows(rec: reconcile.Reconciliation) -> list[dict[str, object]]:
    return [{**f.as_dict(), "explanations": " ".join(f.explanations)} for f in rec.findings]


COMPARE_COLUMNS = ("year", "measure", "first", "second", "difference")


def _cell(value: Decimal | None, is_percent: bool) -> object:
    if value is None:
        return None
    return calc.pct_text(value) if is_percent else calc.Figure(value, "").pounds


def compare_rows(differences: Sequence[calc.Difference]) -> list[dict[str, object]]:
    return [
        {
            "year": d.year,
            "measure": d.label + (" (%)" if d.is_percent else ""),
            "first": _cell(d.first, d.is_percent),
            "second": _cell(d.second, d.is_percent),
            "difference": _cell(d.difference, d.is_percent),
        }
        for d in differences
    ]


# --------------------------------------------------------------------------------------------
# The commissioning pot and the reserve commitments, from the budget ledger
# --------------------------------------------------------------------------------------------


def pot_facts() -> dict[str, pot.PotFacts]:
    """Each financial year with a pot in the ledger: its funding streams' total and, of it,
    the draws on reserves. One query."""
    rows = (
        FundingStream.objects.values("year__label")
        .annotate(
            total=Sum("amount"),
            draws=Sum("amount", filter=Q(kind=StreamKind.RESERVE_DRAW)),
        )
        .order_by()
    )
    return {
        r["year__label"]: pot.PotFacts(r["year__label"], r["total"], r["draws"] or ZERO)
        for r in rows
        if r["total"]
    }


def commitment_tracks(facts: dict[str, pot.PotFacts] | None = None) -> list[pot.CommitmentTrack]:
    """Every reserve commitment, year by year against the draws the ledger records on its
    reserve. Two queries (three without `facts`)."""
    facts = pot_facts() if facts is None else facts
    commitments = list(ReserveCommitment.objects.select_related("reserve"))
    draws: dict[int, dict[str, Decimal]] = {}
    for reserve, label, total in (
        FundingStream.objects.filter(
            kind=StreamKind.RESERVE_DRAW, reserve__in={c.reserve_id for c in commitments}
        )
        .values_list("reserve_id", "year__label")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        draws.setdefault(reserve, {})[label] = Decimal(total).quantize(PENNY)
    return [
        pot.track(
            pot.Commitment(
                name=c.name,
                purpose=c.purpose,
                reserve=c.reserve.name,
                amount=Decimal(c.amount),
                first_year=c.first_year,
                last_year=c.last_year,
                cite=c.cite,
            ),
            draws.get(c.reserve_id, {}),
            set(facts),
        )
        for c in commitments
    ]


@dataclass(frozen=True)
class PotReport:
    years: tuple[pot.PotYear, ...]
    tracks: tuple[pot.CommitmentTrack, ...]
    notes: tuple[str, ...]

    @property
    def carried(self) -> list[str]:
        """The years without a budget of their own whose pot is an earlier year's."""
        return [y.year for y in self.years if y.source_year and not y.budgeted]


def pot_report(projection: calc.Projection) -> PotReport:
    """The commissioning pot in each year of a scenario, and the reserve commitments whose
    years it covers. Three queries."""
    facts = pot_facts()
    years = pot.pot_years(projection, facts)
    labels = {y.year for y in years}
    tracks = [t for t in commitment_tracks(facts) if labels & {y.year for y in t.years}]
    return PotReport(tuple(years), tuple(tracks), tuple(pot.notes(years, tracks)))


@dataclass(frozen=True)
class PotDifference:
    year: str
    label: str
    first: Decimal | None
    second: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.first is None or self.second is None:
            return None
        return self.second - self.first


POT_COMPARED = (
    ("pot", "Commissioning pot"),
    ("reserve_draws", "Of which drawn from reserves"),
    ("at_risk", "Pot at risk from the gap"),
    ("pot_after", "Pot if the gap is closed in proportion"),
)


def compare_pots(first: calc.Projection, second: calc.Projection) -> list[PotDifference]:
    """The pot's figures of two scenarios year by year (what a change does to the pot).
    One query for the ledger's pots."""
    facts = pot_facts()
    a = {y.year: y for y in pot.pot_years(first, facts)}
    b = {y.year: y for y in pot.pot_years(second, facts)}

    def value(y: pot.PotYear | None, name: str) -> Decimal | None:
        if y is None:
            return None
        return y.at_risk.value if name == "at_risk" else getattr(y, name)

    years = sorted(set(a) | set(b), key=lambda label: label)
    return [
        PotDifference(label, words, value(a.get(label), name), value(b.get(label), name))
        for label in years
        for name, words in POT_COMPARED
    ]
