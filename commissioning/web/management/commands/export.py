import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from django.core.management.base import CommandError

from commissioning.agreements import exports as agreement_exports
from commissioning.agreements import spending
from commissioning.budgets.exports import allocation_records
from commissioning.budgets.management import year_or_error
from commissioning.budgets.selectors import allocation_lines
from commissioning.core.commands import ReadingCommand
from commissioning.core.downloads import to_csv, to_json, to_xlsx
from commissioning.core.money import to_money
from commissioning.decisions import register, serialise
from commissioning.decisions.giving import giving_file

USAGE = """Export data:
  export allocations --year 2013/14 [--format csv|xlsx|json] [-o FILE]
  export agreements --year 2016/17 [--format csv|xlsx|json] [-o FILE]  one row per agreement
  export payments --year 2016/17 [--format csv|xlsx|json] [-o FILE]    one row per instalment
  export spending [--over 500] [--month 2016-07] [--format csv|xlsx|json] [-o FILE]
                                                          what the spending register publishes
  export 360giving [--format json|xlsx|csv] [-o FILE]     grants of published decisions
  export decisions --public [--format json|csv] [-o FILE]  the public versions only"""


class Command(ReadingCommand):  # reads only: no system checks first (ADR 23)
    help = USAGE

    def add_arguments(self, parser):
        parser.add_argument(
            "what",
            choices=["allocations", "agreements", "payments", "spending", "360giving", "decisions"],
        )
        parser.add_argument(
            "--year", help="Financial year, e.g. 2013/14 (allocations, agreements, payments)"
        )
        parser.add_argument(
            "--over",
            help="Spending: items over this amount in pounds (default: the register's threshold)",
        )
        parser.add_argument("--month", help="Spending: one month, e.g. 2016-07 (default: all)")
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
        elif what in ("agreements", "payments"):
            self._agreements(what, options["year"], fmt or "csv", output)
        elif what == "spending":
            self._spending(options["over"], options["month"], fmt or "csv", output)
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

    def _table(self, columns, records, fmt: str, title: str, **meta) -> str | bytes:
        if fmt == "xlsx":
            return to_xlsx(columns, records, title=title)
        if fmt == "csv":
            return to_csv(columns, records)
        return to_json(columns, records, **meta) + "\n"

    def _agreements(self, what: str, year: str | None, fmt: str, output: str | None) -> None:
        if not year:
            raise CommandError(f"export {what} needs --year, e.g. --year 2016/17")
        fy = year_or_error(year)
        if what == "agreements":
            columns, records = agreement_exports.agreement_records(fy)
        else:
            columns, records = agreement_exports.payment_records(fy)
        data = self._table(
            columns, records, fmt, f"{what.capitalize()} {fy.slug}", year=fy.label, kind=what
        )
        self._write(data, output, f"{len(records)} {what}")

    def _spending(self, over: str | None, month: str | None, fmt: str, output: str | None) -> None:
        try:
            threshold = spending.threshold() if over is None else to_money(over)
        except ValueError as exc:
            raise CommandError(f"--over: {exc}") from exc
        if threshold < 0:
            raise CommandError("--over: give an amount of £0 or more")
        try:
            first = spending.month_parse(month) if month else None
        except ValueError as exc:
            raise CommandError(f"--month: {exc}") from exc
        columns, records = agreement_exports.spending_records(over=threshold, month=first)
        data = self._table(
            columns,
            records,
            fmt,
            "Spending",
            kind="spending",
            threshold=f"{threshold:.2f}",
            month=f"{first:%Y-%m}" if first else None,
        )
        self._write(data, output, f"{len(records)} items of spending")

    def _giving(self, fmt: str, output: str | None, base_url: str) -> None:
        """Written while the grants are read (`giving_file`): a grant at a time for JSON,
        through a temporary file for CSV and XLSX, whose header needs every grant first."""
        facts = agreement_exports.giving_facts()
        try:
            content = giving_file(fmt, base_url=base_url, facts=facts)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if hasattr(content, "read"):  # XLSX: a temporary file
            with cast(IO[bytes], content) as file:
                if not output:
                    if sys.stdout.isatty():
                        raise CommandError("XLSX is binary: give -o FILE")
                    shutil.copyfileobj(file, sys.stdout.buffer)
                    return
                with open(output, "wb") as f:
                    shutil.copyfileobj(file, f)
        else:  # JSON and CSV: pieces of text
            pieces = cast(Iterator[str], content)
            ending = "\n" if fmt == "json" else ""
            if not output:
                for piece in pieces:
                    self.stdout.write(piece, ending="")
                self.stdout.write(ending, ending="")
                return
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.writelines(pieces)
                f.write(ending)
        if output:
            self.stderr.write(f"Wrote 360Giving {fmt} to {output}")

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
