import json

from commissioning.budgets.exports import position_record
from commissioning.budgets.management import year_or_error
from commissioning.budgets.selectors import position
from commissioning.core.commands import ReadingCommand
from commissioning.core.money import money_text


def _money(value) -> str:
    return "" if value is None else money_text(value)


class Command(ReadingCommand):  # reads only: no system checks first (ADR 23)
    help = "The budget position of a year: budget, committed, indicative, reserve and available."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year: str, format: str, **options):
        fy = year_or_error(year)
        pos = position(fy)
        if format == "json":
            self.stdout.write(json.dumps(position_record(pos), indent=2))
            return
        w = self.stdout.write
        w(f"Budget position {fy.label}")
        w("")
        for s in pos.streams:
            w(f"  {s.name:<60} {_money(s.amount):>16}")
        w(f"  {'Budget (the pot)':<60} {_money(pos.pot):>16}")
        w(f"  {'Committed':<60} {_money(pos.committed):>16}")
        w(f"  {'Indicative':<60} {_money(pos.indicative):>16}")
        w(f"  {'Held in reserve':<60} {_money(pos.reserve):>16}")
        if pos.carried:
            w(f"  {'Underspend carried to the next year':<60} {_money(pos.carried):>16}")
        w(f"  {'Available':<60} {_money(pos.available):>16}")
        w("")
        w(
            f"  {'By mechanism':<44} {'budget':>14} {'committed':>14} {'indicative':>14} {'available':>14}"
        )
        for r in pos.by_mechanism:
            cap = " (capped)" if r.capped else ""
            w(
                f"  {(r.label + cap)[:44]:<44} {_money(r.budget):>14} {_money(r.committed):>14}"
                f" {_money(r.indicative):>14} {_money(r.available):>14}"
            )
        for note in pos.notes:
            w(f"Note: {note}")
