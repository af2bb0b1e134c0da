from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.budgets.importing import import_allocations
from commissioning.budgets.management import year_or_error
from commissioning.core.actors import COMMAND_LINE


class Command(BaseCommand):
    help = "Import allocations from CSV or XLSX: `import allocations FILE --year 2014/15`. All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["allocations"])
        parser.add_argument("file")
        parser.add_argument("--year", required=True)

    def handle(self, *args, what: str, file: str, year: str, **options):
        fy = year_or_error(year)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        report = import_allocations(
            actor=COMMAND_LINE, year=fy, filename=path.name, content=path.read_bytes()
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(report.problems)} problems; nothing was imported")
        self.stdout.write(f"Imported {len(report.created)} allocations into {fy.label}.")
