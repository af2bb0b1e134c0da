import json

from django.utils import timezone

from commissioning.budgets.exports import FINDING_COLUMNS, finding_records
from commissioning.budgets.management import year_or_error
from commissioning.budgets.reconcile import KIND_LABELS
from commissioning.budgets.selectors import reconcile_year
from commissioning.core.commands import ReadingCommand
from commissioning.core.downloads import to_csv
from commissioning.core.templatetags.govuk import money


class Command(ReadingCommand):  # reads only: no system checks first (ADR 23)
    help = (
        "List every discrepancy between the papers' stated figures and the ledger, with its "
        "explanation if an officer has given one. Exit 0 when it ran."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--format", choices=["text", "json", "csv"], default="text")

    def handle(self, *args, year: str, format: str, **options):
        fy = year_or_error(year)
        findings = reconcile_year(fy)
        explained = sum(1 for f in findings if f.explained)
        if format == "json":
            payload = {
                "year": fy.label,
                "count": len(findings),
                "explained": explained,
                "findings": [f.as_dict() for f in findings],
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        if format == "csv":
            self.stdout.write(to_csv(FINDING_COLUMNS, finding_records(findings)), ending="")
            return
        self.stdout.write(
            f"Reconciliation {fy.label}: {len(findings)} findings, {explained} explained"
        )
        for f in findings:
            self.stdout.write("")
            self.stdout.write(f"- {KIND_LABELS.get(f.kind, f.kind)}")
            self.stdout.write(f"  where:      {f.where}")
            if f.stated is not None:
                printed = f" (printed as {f.stated_as})" if f.stated_as else ""
                self.stdout.write(f"  stated:     {money(f.stated)}{printed}")
                self.stdout.write(f"  computed:   {money(f.computed)}")
                self.stdout.write(f"  difference: {money(f.difference)}")
            if f.note:
                self.stdout.write(f"  note:       {f.note}")
            if e := f.explanation:
                changed = " (the figures have changed since)" if f.figures_changed else ""
                on = timezone.localdate(e.on).isoformat()
                self.stdout.write(f"  explained:  by {e.by} on {on}{changed}: {e.note}")
            self.stdout.write(f"  key:        {f.key}")
