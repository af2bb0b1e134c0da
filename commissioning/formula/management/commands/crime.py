"""`commissioning crime ingest PATH...` and `commissioning crime summary --year 2023/24`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.core.actors import COMMAND_LINE
from commissioning.crime.police_uk import CrimeDataError
from commissioning.formula import selectors, services
from commissioning.formula.errors import FormulaInputError


class Command(BaseCommand):
    help = "police.uk street-level crime data: ingest files, folders or zips; summarise a year."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser(
            "ingest", help="Load police.uk files (YYYY-MM-<force>-street.csv), folders or zips"
        )
        ingest.add_argument("paths", nargs="+")
        ingest.add_argument("--no-progress", action="store_true")
        summary = sub.add_parser(
            "summary", help="Counts by district and crime type for a financial year"
        )
        summary.add_argument("--year", required=True)
        summary.add_argument("--format", choices=["text", "csv", "json"], default="text")
        summary.add_argument(
            "--include-asb", action="store_true", help="Count anti-social behaviour too"
        )

    def handle(self, *args, action: str, **options):
        if action == "ingest":
            self.ingest([Path(p) for p in options["paths"]], progress=not options["no_progress"])
        else:
            self.summary(options["year"], options["format"], options["include_asb"])

    def ingest(self, paths: list[Path], progress: bool) -> None:
        for path in paths:
            if not path.exists():
                raise CommandError(f"no such file or folder: {path}")
        try:
            report = services.crime_ingest(
                paths, actor=COMMAND_LINE, progress=progress and sys.stderr.isatty()
            )
        except CrimeDataError as exc:
            raise CommandError(f"nothing was loaded: {exc}") from exc
        self.stdout.write(report.summary())

    def summary(self, label: str, fmt: str, include_asb: bool) -> None:
        label = label.strip().replace("-", "/")
        try:
            rows = selectors.crime_summary(label, include_asb=include_asb)
        except FormulaInputError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if fmt == "json":
            self.stdout.write(json.dumps({"year": label, "rows": rows}, indent=2))
        elif fmt == "csv":
            writer = csv.DictWriter(
                self.stdout, fieldnames=["district_code", "district", "crime_type", "count"]
            )
            writer.writeheader()
            writer.writerows(rows)
        else:
            total = sum(r["count"] for r in rows)
            self.stdout.write(f"police.uk crime {label}: {total:,} in the configured districts")
            current = None
            for r in rows:
                if r["district"] != current:
                    current = r["district"]
                    self.stdout.write(f"\n{current} ({r['district_code']})")
                self.stdout.write(f"  {r['crime_type']:<32} {r['count']:>8,}")
