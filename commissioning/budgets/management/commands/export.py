import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.budgets import exports
from commissioning.budgets.management import year_or_error
from commissioning.budgets.selectors import allocation_lines


class Command(BaseCommand):
    help = "Export data: `export allocations --year 2013/14 --format csv|xlsx|json [-o FILE]`."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["allocations"])
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2013/14")
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")

    def handle(self, *args, what: str, year: str, format: str, output: str | None, **options):
        fy = year_or_error(year)
        lines = allocation_lines(fy)
        columns, records = exports.allocation_records(fy.label, lines)
        if format == "xlsx":
            data = exports.to_xlsx(columns, records, title=f"Allocations {fy.slug}")
            if not output:
                if sys.stdout.isatty():
                    raise CommandError("XLSX is binary: give -o FILE")
                sys.stdout.buffer.write(data)
                return
            Path(output).write_bytes(data)
        else:
            text = (
                exports.to_csv(columns, records)
                if format == "csv"
                else exports.to_json(columns, records, year=fy.label, kind="allocations") + "\n"
            )
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
        if output:
            self.stderr.write(f"Wrote {len(records)} allocations to {output}")
