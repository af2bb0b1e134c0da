"""`commissioning report panel --year 2016/17 --format xlsx|pdf|json [-o FILE]`: the outcomes
pack for a Police and Crime Panel meeting (the same figures as its page). JSON goes to the
screen unless -o is given; XLSX and PDF are binary, so they need -o FILE when the output is a
terminal (piped elsewhere, they are written as they are). A pack that shows reoffending cohort
figures is recorded in the audit log as seen by "command line", as the pack's page is."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from commissioning.budgets.selectors import year_get
from commissioning.core.actors import COMMAND_LINE
from commissioning.scrutiny import exports, selectors, services

FORMATS = ("xlsx", "pdf", "json")


class Command(BaseCommand):
    help = "Reports: `report panel --year 2016/17 --format xlsx|pdf|json [-o FILE]`."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["panel"], help="panel: the outcomes pack")
        parser.add_argument("--year", help="the financial year, e.g. 2016/17")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", help="the file to write (default: the screen)")

    def handle(self, *args, what: str, year: str | None, output: str | None, **options):
        fmt = options["format"]
        if not year:
            raise CommandError("report panel needs --year, e.g. --year 2016/17")
        try:
            fy = year_get(year)
        except Http404:
            raise CommandError(f"--year {year}: there is no financial year {year}") from None
        binary = fmt in ("xlsx", "pdf")
        if binary and not output and self.stdout.isatty():
            raise CommandError(f"--format {fmt} is binary: give -o FILE to write it to a file")
        pack = selectors.outcomes_pack(fy)
        data = exports.pack_file(pack, fmt)
        if output:
            target = Path(output)
            if isinstance(data, bytes):
                target.write_bytes(data)
            else:
                target.write_text(data, encoding="utf-8")
            self.stderr.write(
                f"Wrote the {fy.label} Panel pack ({fmt.upper()}, {pack.agreements} agreements) "
                f"to {output}"
            )
        elif isinstance(data, bytes):
            buffer = getattr(self.stdout, "buffer", None)
            if buffer is None:
                raise CommandError(f"--format {fmt} is binary: give -o FILE to write it to a file")
            buffer.write(data)
            buffer.flush()
        else:
            self.stdout.write(data, ending="")
        services.pack_cohorts_viewed(actor=COMMAND_LINE, pack=pack, fmt=fmt)
