"""`commissioning year-end --year 2016/17 [--format json]`: the year's outturn.

One row per allocation committed in the year (with its agreement, if it has one): awarded,
varied, committed, paid, spent (as reported in accepted returns; blank with no agreement),
unspent, collected into the next year's central pot, owed back and not repaid; then the
totals, and each figure of the outturn beside the ledger's. Amounts are exact decimals in
pounds. JSON gives `{"year", "rows", "totals", "checks", "notes"}` with amounts as decimal
strings ("1234.50") and a blank as null.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from commissioning.budgets.management import year_or_error
from commissioning.yearend.selectors import FIGURES, outturn

COLUMNS = ("allocation", "agreement", "organisation", *FIGURES)


def _value(value) -> str | None:
    return None if value is None else str(value)


class Command(BaseCommand):
    help = "The year's outturn: per allocation awarded, paid, spent and unspent; totals."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="e.g. 2016/17")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year: str, format: str, **options):
        out = outturn(year_or_error(year))
        rows = [
            {
                "allocation": r.reference,
                "agreement": r.agreement.reference if r.agreement else None,
                "organisation": r.organisation,
                **{name: _value(getattr(r, name)) for name in FIGURES},
            }
            for r in out.rows
        ]
        totals = {name: str(getattr(out.total, name)) for name in FIGURES}
        if format == "json":
            record = {
                "year": out.year.label,
                "rows": rows,
                "totals": totals,
                "checks": [
                    {
                        "figure": c.label,
                        "outturn": str(c.outturn),
                        "ledger": str(c.ledger),
                        "agrees": c.agrees,
                    }
                    for c in out.checks
                ],
                "notes": out.notes,
            }
            self.stdout.write(json.dumps(record, indent=2))
            return
        w = self.stdout.write
        w(f"Year end {out.year.label}")
        w("")
        head = f"  {'allocation':<16} {'organisation':<34}" + "".join(
            f" {name:>12}" for name in ("awarded", "paid", "spent", "unspent", "collected")
        )
        w(head)
        for r in out.rows:
            w(
                f"  {r.reference:<16} {r.organisation[:34]:<34}"
                + "".join(
                    f" {'' if v is None else f'{v:,.2f}':>12}"
                    for v in (r.awarded, r.paid, r.spent, r.unspent, r.collected)
                )
            )
        t = out.total
        w(
            f"  {'Total':<16} {f'{t.rows} allocations':<34}"
            + "".join(
                f" {f'{v:,.2f}':>12}" for v in (t.awarded, t.paid, t.spent, t.unspent, t.collected)
            )
        )
        w("")
        for c in out.checks:
            state = "agrees" if c.agrees else f"differs by {c.difference:,.2f}"
            w(f"  {c.label} with the ledger: {state}")
        for note in out.notes:
            w(f"  {note}")
