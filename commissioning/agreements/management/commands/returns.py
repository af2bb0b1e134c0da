"""`commissioning returns due --on 2016-10-15 [--within 7] [--format text|csv|json]`: the
monitoring returns due or late on a day; `commissioning returns remind [--dry-run] [--on
DATE]`: the reminder job (each reminder sent once, safe to run twice; run daily by
`commissioning jobs daily`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commissioning.agreements import reminders
from commissioning.core.actors import SYSTEM
from commissioning.core.downloads import to_csv, to_json


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on {text}: give a date like 2016-10-15") from None


class Command(BaseCommand):
    help = "Monitoring returns: `returns due --on DATE` lists them; `returns remind` reminds."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="returns due or late on a day")
        due.add_argument("--on", help="the day, e.g. 2016-10-15 (default today)")
        due.add_argument("--within", type=int, default=0, help="also those due in the next N days")
        due.add_argument("--format", choices=["text", "csv", "json"], default="text")
        remind = sub.add_parser("remind", help="send the reminders due (once each)")
        remind.add_argument("--on", help="the day to act as (default today)")
        remind.add_argument("--dry-run", action="store_true", help="say what would be sent")
        remind.add_argument(
            "--before",
            type=int,
            default=reminders.BEFORE_DAYS,
            help=f"days before the due date (default {reminders.BEFORE_DAYS})",
        )
        remind.add_argument(
            "--after",
            type=int,
            default=reminders.AFTER_DAYS,
            help=f"days after the due date (default {reminders.AFTER_DAYS})",
        )

    def handle(self, *args, action: str, **options):
        on = _day(options["on"]) if options.get("on") else timezone.localdate()
        if action == "due":
            self._due(on, options["within"], options["format"])
        else:
            self._remind(on, options)

    def _due(self, on: dt.date, within: int, fmt: str) -> None:
        if within < 0:
            raise CommandError("--within is a number of days, 0 or more")
        rows = reminders.returns_due(on, within=within)
        records = [asdict(r) for r in rows]
        if fmt == "json":
            self.stdout.write(
                to_json(reminders.DUE_COLUMNS, records, title="Returns due", on=on.isoformat())
            )
        elif fmt == "csv":
            self.stdout.write(to_csv(reminders.DUE_COLUMNS, records), ending="")
        else:
            for r in rows:
                late = (
                    f"{r.days_late} day{'' if r.days_late == 1 else 's'} late"
                    if r.days_late
                    else "due"
                )
                self.stdout.write(
                    f"{r.agreement}\t{r.organisation}\t{r.period}\t{r.due_on.isoformat()}\t"
                    f"{late}\t{r.status}"
                )
            self.stdout.write(f"{len(rows)} return(s) due or late on {on.isoformat()}.")

    def _remind(self, on: dt.date, options) -> None:
        if options["before"] < 0 or options["after"] < 0:
            raise CommandError("--before and --after are numbers of days, 0 or more")
        outcomes = reminders.reminders_send(
            actor=SYSTEM,
            on=on,
            dry_run=options["dry_run"],
            before=options["before"],
            after=options["after"],
        )
        for o in outcomes:
            r = o.reminder
            self.stdout.write(
                f"{r.period.agreement.reference}\t{r.period.label}\t{r.kind}\t{o.note}"
            )
        sent = sum(1 for o in outcomes if o.sent)
        self.stdout.write(f"Sent {sent} reminder(s) on {on.isoformat()}.")
