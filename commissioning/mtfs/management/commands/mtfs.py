"""`commissioning mtfs ...`: the medium-term financial strategy on the command line.

- `mtfs precept --scenario NAME [--increases 0.5,1,1.5,2] [--format csv|json]`: the precept
  options, one row per increase and year: `increase_pct,year,additional_income` (pounds to
  the penny, exact decimals; the increases default to those the paper printed, or 0.5 to 2).
- `mtfs gap --scenario NAME [--format csv|json]`: per year the income, expenditure and gap
  (`calc.GAP_COLUMNS`).
- `mtfs pot --scenario NAME [--format csv|json]`: per year the commissioning pot (from the
  budget ledger), its draws on reserves, its share of expenditure and what the year's gap
  would take from it if closed in proportion (`pot.POT_COLUMNS`); the JSON adds the reserve
  commitments tracked year by year and the notes.
- `mtfs reconcile --scenario NAME [--format text|json]`: the printed figures beside the
  scenario's and what would explain each difference.
- `mtfs list`: the scenarios.
- `mtfs set --scenario NAME --year 2014/15 [--precept-change 1] [...]`: change a year's
  assumptions (every value checked first; nothing is written unless all are right).
- `mtfs load FILE`: scenarios and printed figures from a YAML file (see mtfs/loader.py),
  all or nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from commissioning.core.actors import COMMAND_LINE
from commissioning.core.downloads import to_csv, to_json
from commissioning.core.money import money_text
from commissioning.mtfs import calc, pot, selectors, services
from commissioning.mtfs.loader import MtfsDataError, load_file
from commissioning.mtfs.models import Scenario

# --option -> the year's assumption it sets
SETTERS = {
    "tax_base_growth": "tax_base_growth_pct",
    "precept_change": "precept_change_pct",
    "grant_change": "grant_change_pct",
    "pay_inflation": "pay_inflation_pct",
    "price_inflation": "price_inflation_pct",
    "freeze_grant": "freeze_grant",
    "savings": "savings_planned",
    "use_of_reserves": "use_of_reserves",
}


def _scenario(name: str) -> Scenario:
    try:
        return selectors.scenario_get(name)
    except Http404:
        known = ", ".join(Scenario.objects.values_list("name", flat=True)) or "none yet"
        raise CommandError(
            f"--scenario: there is no scenario called {name} (there are: {known})"
        ) from None


def _refusal(exc: ValidationError) -> CommandError:
    return CommandError("nothing was changed: " + "; ".join(exc.messages))


class Command(BaseCommand):
    help = "The medium-term financial strategy: precept options, gaps, reconciliation, changes."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        precept = sub.add_parser("precept", help="the precept options table")
        precept.add_argument("--scenario", required=True)
        precept.add_argument(
            "--increases", help="percentages, comma separated (default: as printed, or 0.5-2)"
        )
        precept.add_argument("--format", choices=["csv", "json"], default="csv")
        gap = sub.add_parser("gap", help="income, expenditure and gap per year")
        gap.add_argument("--scenario", required=True)
        gap.add_argument("--format", choices=["csv", "json"], default="csv")
        pot_parser = sub.add_parser("pot", help="the commissioning pot in the scenario")
        pot_parser.add_argument("--scenario", required=True)
        pot_parser.add_argument("--format", choices=["csv", "json"], default="csv")
        rec = sub.add_parser("reconcile", help="the printed figures beside the scenario's")
        rec.add_argument("--scenario", required=True)
        rec.add_argument("--format", choices=["text", "json"], default="text")
        sub.add_parser("list", help="the scenarios")
        setter = sub.add_parser("set", help="change a year's assumptions")
        setter.add_argument("--scenario", required=True)
        setter.add_argument("--year", required=True, help="e.g. 2014/15")
        for option, name in SETTERS.items():
            unit = "percent" if name in calc.PERCENT_FIELDS else "pounds"
            setter.add_argument(
                f"--{option.replace('_', '-')}",
                dest=option,
                help=f"{calc.FIELD_LABELS[name]}, in {unit}",
            )
        setter.add_argument("--reason", default="", help="why, for the audit history")
        load = sub.add_parser("load", help="scenarios and printed figures from a YAML file")
        load.add_argument("file")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _precept(self, *, scenario: str, increases: str | None, format: str, **_):
        chosen = None
        if increases is not None:
            try:
                chosen = calc.parse_increases(increases)
            except ValueError as exc:
                raise CommandError(f"--increases: {exc}") from None
        found = _scenario(scenario)
        report = selectors.report(found, chosen)
        rows = calc.precept_rows(report.options)
        if format == "json":
            self.stdout.write(
                to_json(
                    calc.PRECEPT_COLUMNS,
                    rows,
                    title=f"Precept options, {found.name}",
                    scenario=found.name,
                    rounding="exact decimal arithmetic, shown to the penny (half up)",
                    how=[o.additional_income.how for o in report.options],
                )
            )
        else:
            self.stdout.write(to_csv(calc.PRECEPT_COLUMNS, rows), ending="")

    def _gap(self, *, scenario: str, format: str, **_):
        found = _scenario(scenario)
        projection = calc.compute(services.inputs_of(found))
        rows = calc.gap_rows(projection)
        if format == "json":
            self.stdout.write(
                to_json(
                    calc.GAP_COLUMNS,
                    rows,
                    title=f"Income, expenditure and funding gap, {found.name}",
                    scenario=found.name,
                    base_year=found.base_year,
                    rounding="exact decimal arithmetic, shown to the penny (half up)",
                    how={
                        y.year: {
                            "council_tax_income": y.council_tax.how,
                            "grant_income": y.grant.how,
                            "income": y.income.how,
                            "cost_before_savings": y.cost.how,
                            "expenditure": y.expenditure.how,
                            "gap_before_savings": y.gap_before_savings.how,
                            "gap": y.gap.how,
                        }
                        for y in projection.years
                    },
                )
            )
        else:
            self.stdout.write(to_csv(calc.GAP_COLUMNS, rows), ending="")

    def _pot(self, *, scenario: str, format: str, **_):
        found = _scenario(scenario)
        report = selectors.pot_report(calc.compute(services.inputs_of(found)))
        rows = pot.pot_rows(report.years)
        if format == "csv":
            self.stdout.write(to_csv(pot.POT_COLUMNS, rows), ending="")
            return
        self.stdout.write(
            to_json(
                pot.POT_COLUMNS,
                rows,
                title=f"The commissioning pot in {found.name}",
                scenario=found.name,
                rule="pot at risk = pot × gap left ÷ expenditure, to the penny; 0 with no gap",
                how={y.year: y.at_risk.how for y in report.years},
                notes=list(report.notes),
                reserve_commitments=[
                    {
                        "name": t.commitment.name,
                        "purpose": t.commitment.purpose,
                        "reserve": t.commitment.reserve,
                        "amount": str(t.commitment.amount),
                        "first_year": t.commitment.first_year,
                        "last_year": t.commitment.last_year,
                        "drawn": str(t.drawn),
                        "remaining": str(t.remaining),
                        "years": [
                            {
                                "year": c.year,
                                "drawn": str(c.drawn),
                                "drawn_to_date": str(c.drawn_to_date),
                                "remaining": str(c.remaining),
                            }
                            for c in t.years
                        ],
                    }
                    for t in report.tracks
                ],
            )
        )

    def _reconcile(self, *, scenario: str, format: str, **_):
        report = selectors.report(_scenario(scenario))
        rec = report.reconciliation
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "scenario": report.scenario.name,
                        "precept": {
                            "printed": len(rec.precept),
                            "agreeing": rec.precept_agreeing,
                        },
                        "gaps": {"printed": len(rec.gaps), "agreeing": rec.gaps_agreeing},
                        "findings": [f.as_dict() for f in rec.findings],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        w = self.stdout.write
        w(
            f"{report.scenario.name}: {rec.precept_agreeing} of {len(rec.precept)} printed "
            f"precept figures and {rec.gaps_agreeing} of {len(rec.gaps)} printed gaps agree."
        )
        for f in rec.findings:
            difference = "" if f.difference is None else f"; difference {money_text(f.difference)}"
            w(f"- {f.where} ({f.cite}): {f.note}{difference}")
            for e in f.explanations:
                w(f"    {e}")

    def _list(self, **_):
        for s in selectors.scenario_list():
            years = ", ".join(y.year for y in sorted(s.years.all(), key=lambda y: y.year))
            self.stdout.write(f"{s.name}\t{s.title}\tbase {s.base_year}\t{years}")

    def _set(self, *, scenario: str, year: str, reason: str, **options):
        found = _scenario(scenario)
        values = {
            name: options[option]
            for option, name in SETTERS.items()
            if options.get(option) is not None
        }
        if not values:
            raise CommandError(
                "give at least one of " + ", ".join(f"--{o.replace('_', '-')}" for o in SETTERS)
            )
        try:
            row = selectors.scenario_year_get(found, year.strip().replace("/", "-"))
        except Http404:
            years = ", ".join(y.year for y in found.years.all())
            raise CommandError(
                f"--year: {found.name} has no year {year} (it has {years})"
            ) from None
        try:
            services.scenario_year_update(
                actor=COMMAND_LINE, scenario_year=row, values=values, reason=reason
            )
        except ValidationError as exc:
            raise _refusal(exc) from None
        self.stdout.write(f"{found.name} {row.year}: changed {', '.join(sorted(values))}.")

    def _load(self, *, file: str, **_):
        try:
            counts = load_file(Path(file), actor=COMMAND_LINE)
        except MtfsDataError as exc:
            raise CommandError(f"nothing was loaded: {exc}") from None
        self.stdout.write("Loaded " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".")
