"""`commissioning cohort`: reoffending cohort measures from a file, and the retention deletion.

    commissioning cohort measure FILE.csv --target 17 [--suppress-under 10] [--format csv|json]

Reads a cohort file (nothing is stored) and checks it exactly as the upload page does: a CSV
file (UTF-8) with the columns `pseudonym,cohort,area_code,in_custody,baseline_offences,
current_offences`; every problem is written to standard error naming its row (the header is
row 1) and column, and the command exits with status 1 having printed nothing else. A good
file gives, on standard output, one row per cohort and area (areas in code order) and then
one per cohort over all its areas (`area_code` "all"), cohorts in alphabetical order, with
the columns

    cohort,area_code,offenders,excluded,reduction_pct,meeting_target,meeting_target_pct,suppressed

- `offenders`: the offenders measured; `excluded`: those left out and counted (in custody
  throughout the current period, or no baseline offences);
- `reduction_pct`: `1 - sum(current) / sum(baseline)` over the offenders measured, as a
  percentage to two places (halves rounded up; negative when offending rose);
- `meeting_target`, `meeting_target_pct`: the number of offenders with
  `current <= baseline * (1 - target / 100)`, and their share of the offenders measured (%);
- `suppressed`: `true` where `offenders` is under `--suppress-under` (default 10, the
  setting COHORT_SUPPRESS_UNDER; 0 withholds nothing): every figure of the row is blank
  ("too few to judge"). So that such a row cannot be worked out by taking the shown areas
  from the cohort's "all" row, the smallest other areas of that cohort are withheld too,
  until the withheld areas together hold at least that many offenders.

`--target` is a percentage from 0 to 100 (default 17, the setting COHORT_TARGET_PERCENT).
`--format json` gives `{"title", "target_pct", "suppress_under", "reason",
"columns", "rows"}`, each row an object of the same columns: numbers as numbers, percentages
as decimal strings ("38.90"), blanks as null, `suppressed` as true or false. No pseudonym is
ever printed.

    commissioning cohort prune [--dry-run] [--on DATE]

Deletes every cohort upload whose retention date is before today (or DATE), with its
cohorts and records, each deletion recorded in the audit log; `--dry-run` lists them and
deletes nothing. Run daily by `commissioning jobs daily`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commissioning.cohorts import services
from commissioning.cohorts.cohort_file import (
    CohortFileRefused,
    Problem,
    read_cohort_file,
    shown_problems,
)
from commissioning.cohorts.measures import COLUMNS, TOO_FEW, measure, suppress
from commissioning.core import uploads
from commissioning.core.actors import SYSTEM
from commissioning.core.downloads import to_csv, to_json
from commissioning.organisations.models import Area

MAX_PRINTED = 1000


def _target(text: str | None) -> Decimal:
    if text is None:
        return services.target_default()
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise CommandError(f"--target {text}: give a percentage like 17") from None
    if not value.is_finite() or not (0 <= value <= 100):
        raise CommandError(f"--target {text}: the target is a percentage from 0 to 100")
    return value


class Command(BaseCommand):
    help = (
        "Reoffending cohorts: `cohort measure FILE.csv --target 17` prints the measures "
        "(nothing stored); `cohort prune` deletes uploads past their retention date."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        m = sub.add_parser("measure", help="the measures of a cohort file (nothing is stored)")
        m.add_argument("file", help="the cohort file (CSV)")
        m.add_argument("--target", help="the reduction target in per cent (default 17)")
        m.add_argument(
            "--suppress-under",
            type=int,
            default=None,
            help="withhold rows of fewer offenders than this (default 10)",
        )
        m.add_argument("--format", choices=["csv", "json"], default="csv")
        p = sub.add_parser("prune", help="delete uploads past their retention date")
        p.add_argument("--dry-run", action="store_true", help="list them; delete nothing")
        p.add_argument("--on", help="act as on this day, e.g. 2026-12-02 (default today)")

    def handle(self, *args, action: str, **options):
        if action == "measure":
            self._measure(options)
        else:
            self._prune(options)

    def _refuse(self, problems: list[Problem]) -> None:
        for line in shown_problems(problems, MAX_PRINTED):
            self.stderr.write(line)
        raise CommandError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the file; "
            "no measures were worked out"
        )

    def _measure(self, options) -> None:
        target = _target(options["target"])
        under = options["suppress_under"]
        under = services.suppress_under() if under is None else under
        if under < 0:
            raise CommandError("--suppress-under is a number of offenders, 0 or more")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {options['file']}")
        content = path.read_bytes()
        try:
            uploads.check_upload(
                path.name, content, allowed={"csv"}, max_bytes=services.UPLOAD_MAX_BYTES
            )
        except uploads.AttachmentRejected as exc:
            self._refuse([Problem(0, "", str(exc))])
        try:
            rows = read_cohort_file(
                content, area_codes=set(Area.objects.values_list("code", flat=True))
            )
        except CohortFileRefused as exc:
            self._refuse(exc.problems)
        shown = suppress(measure([r.offender() for r in rows], target=target), under=under)
        if options["format"] == "json":
            self.stdout.write(
                to_json(
                    COLUMNS,
                    [m.record() for m in shown],
                    title=f"Reoffending cohort measures of {path.name}",
                    target_pct=f"{target:.2f}",
                    suppress_under=under,
                    reason=TOO_FEW,
                )
            )
        else:
            self.stdout.write(to_csv(COLUMNS, [m.record(text=True) for m in shown]), ending="")

    def _prune(self, options) -> None:
        on = timezone.localdate()
        if options.get("on"):
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(f"--on {options['on']}: give a date like 2026-12-02") from None
        dry_run = options["dry_run"]
        done = services.cohort_prune(actor=SYSTEM, on=on, dry_run=dry_run)
        for pruned in done:
            self.stdout.write(("Would delete " if dry_run else "Deleted ") + str(pruned))
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{len(done)} cohort upload(s) past their retention date {verb} on {on.isoformat()}."
        )
