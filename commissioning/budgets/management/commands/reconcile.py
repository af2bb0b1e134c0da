import json

from django.core.management.base import BaseCommand

from commissioning.budgets.management import year_or_error
from commissioning.budgets.reconcile import KIND_LABELS
from commissioning.budgets.selectors import reconcile_year


def _m(value) -> str:
    return "" if value is None else f"{value:,}"


class Command(BaseCommand):
    help = "List every discrepancy between the papers' stated figures and the ledger. Exit 0 when it ran."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year: str, format: str, **options):
        fy = year_or_error(year)
        findings = reconcile_year(fy)
        if format == "json":
            payload = {
                "year": fy.label,
                "count": len(findings),
                "findings": [f.as_dict() for f in findings],
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"Reconciliation {fy.label}: {len(findings)} findings")
        for f in findings:
            self.stdout.write("")
            self.stdout.write(f"- {KIND_LABELS.get(f.kind, f.kind)}")
            self.stdout.write(f"  where:      {f.where}")
            if f.stated is not None:
                self.stdout.write(f"  stated:     {_m(f.stated)}")
                self.stdout.write(f"  computed:   {_m(f.computed)}")
                self.stdout.write(f"  difference: {_m(f.difference)}")
            if f.note:
                self.stdout.write(f"  note:       {f.note}")
