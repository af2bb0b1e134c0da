from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from commissioning.examples.loader import ExampleDataError, load_llr


class Command(BaseCommand):
    help = "Load an example deployment's data (only 'llr': Leicester, Leicestershire and Rutland)."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["llr"])

    def handle(self, *args, **options):
        # A fresh database has no tables yet: bring it up to date first, as the demo does.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            counts = load_llr()
        except ExampleDataError as exc:
            raise CommandError(f"the example data is inconsistent: {exc}") from exc
        if not counts:
            self.stdout.write("The LLR example is already loaded.")
            return
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"Loaded the LLR example: {summary}.")
