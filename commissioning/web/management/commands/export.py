import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.budgets.exports import allocation_records
from commissioning.budgets.management import year_or_error
from commissioning.budgets.selectors import allocation_lines
from commissioning.core.downloads import to_csv, to_json, to_xlsx
from commissioning.decisions import register, serialise
from commissioning.decisions.giving import grants_package
from commissioning.opendata import giving360, spreadsheet

USAGE = """Export data:
  export allocations --year 2013/14 [--format csv|xlsx|json] [-o FILE]
  export 360giving [--format json|xlsx|csv] [-o FILE]     grants of published decisions
  export decisions --public [--format json|csv] [-o FILE]  the public versions only"""


class Command(BaseCommand):
    help = USAGE

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["allocations", "360giving", "decisions"])
        parser.add_argument("--year", help="Financial year, e.g. 2013/14 (allocations)")
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default=None)
        parser.add_argument(
            "--public",
            action="store_true",
            help="Decisions: export what the public register shows (required)",
        )
        parser.add_argument(
            "--base-url", default="", help="The site's address, for links in the data"
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")

    def handle(self, *args, what: str, output: str | None, **options):
        fmt = options["format"]
        if what == "allocations":
            self._allocations(options["year"], fmt or "csv", output)
        elif what == "360giving":
            self._giving(fmt or "json", output, options["base_url"].rstrip("/"))
        else:
            if not options["public"]:
                raise CommandError(
                    "Only the public versions of decisions are exported: add --public"
                )
            self._decisions(fmt or "json", output)

    def _write(self, data: str | bytes, output: str | None, summary: str) -> None:
        if isinstance(data, bytes):
            if not output:
                if sys.stdout.isatty():
                    raise CommandError("XLSX is binary: give -o FILE")
                sys.stdout.buffer.write(data)
                return
            Path(output).write_bytes(data)
        elif output:
            Path(output).write_text(data, encoding="utf-8")
        else:
            self.stdout.write(data, ending="")
        if output:
            self.stderr.write(f"Wrote {summary} to {output}")

    def _allocations(self, year: str | None, fmt: str, output: str | None) -> None:
        if not year:
            raise CommandError("export allocations needs --year, e.g. --year 2013/14")
        fy = year_or_error(year)
        lines = allocation_lines(fy)
        columns, records = allocation_records(fy.label, lines)
        if fmt == "xlsx":
            data: str | bytes = to_xlsx(columns, records, title=f"Allocations {fy.slug}")
        elif fmt == "csv":
            data = to_csv(columns, records)
        else:
            data = to_json(columns, records, year=fy.label, kind="allocations") + "\n"
        self._write(data, output, f"{len(records)} allocations")

    def _giving(self, fmt: str, output: str | None, base_url: str) -> None:
        try:
            package = grants_package(base_url=base_url)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if fmt == "json":
            data: str | bytes = giving360.dumps(package) + "\n"
        elif fmt == "xlsx":
            data = spreadsheet.workbook(package)
        else:
            data = spreadsheet.csv_text(package)
        self._write(data, output, f"{len(package['grants'])} grants (360Giving {fmt})")

    def _decisions(self, fmt: str, output: str | None) -> None:
        decisions = register.published()
        if fmt == "json":
            data: str | bytes = (
                json.dumps(
                    {"decisions": [serialise.to_dict(d.doc) for d in decisions]},
                    indent=1,
                    ensure_ascii=False,
                )
                + "\n"
            )
        elif fmt == "csv":
            columns, records = register.decision_records(decisions)
            data = to_csv(columns, records)
        else:
            raise CommandError("Decisions export as json or csv")
        self._write(data, output, f"{len(decisions)} published decisions")
