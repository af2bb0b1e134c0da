"""Writes of reoffending cohorts: each one transaction with its audit event, each checking its
own rule. Viewing cohort data is recorded too (`cohort_viewed`): it is criminal-offence data,
and the audit log says who looked at which upload, when. The retention deletion
(`cohort_prune`) is the one deletion the product performs; its audit event keeps what was
deleted (names and counts, never a pseudonym).

No status moves here (an upload is stored, then deleted), so there is no workflow table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.agreements.models import Outcome
from commissioning.core import uploads
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.permissions import SYSTEM_ONLY, require
from commissioning.organisations.models import Area

from .cohort_file import CohortFileRefused, Problem, Row, read_cohort_file, shown_problems
from .models import Cohort, CohortRecord, CohortUpload
from .permissions import MANAGE, VIEW

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TARGET = Decimal(17)
DEFAULT_SUPPRESS_UNDER = 10
DEFAULT_RETENTION_DAYS = 365
VIEWS = {
    "view": "the measures, unsuppressed",
    "view_records": "the records, by pseudonym",
    "download": "the measures as a download (small counts withheld)",
}


def target_default() -> Decimal:
    """The reduction target a new upload is measured against (setting COHORT_TARGET_PERCENT)."""
    return Decimal(str(getattr(settings, "COHORT_TARGET_PERCENT", DEFAULT_TARGET)))


def suppress_under() -> int:
    """Rows of fewer offenders than this are withheld outside the cohort team
    (setting COHORT_SUPPRESS_UNDER)."""
    return int(getattr(settings, "COHORT_SUPPRESS_UNDER", DEFAULT_SUPPRESS_UNDER))


def retention_days() -> int:
    """How long an upload is kept, at most and by default (setting COHORT_RETENTION_DAYS)."""
    return int(getattr(settings, "COHORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


class CohortUploadRefused(ValidationError):
    """Nothing was stored: the form's problems by field, and the file's by row in `problems`."""

    def __init__(self, fields: dict[str, list[str]], problems: list[Problem]):
        self.problems = problems
        super().__init__(fields)

    @property
    def problem_lines(self) -> list[str]:
        return shown_problems(self.problems)


def _target(value) -> tuple[Decimal | None, str]:
    if value is None or value == "":
        return target_default(), ""
    try:
        target = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        return None, f"“{str(value)[:20]}” is not a percentage: write it like 17"
    if not target.is_finite() or not (0 <= target <= 100):
        return None, "The target is a percentage from 0 to 100"
    if target != target.quantize(Decimal("0.01")):
        return None, "Give the target to at most two decimal places"
    return target.quantize(Decimal("0.01")), ""


def cohort_upload(
    *,
    actor,
    name: str,
    period_label: str,
    filename: str,
    content: bytes,
    retain_until: dt.date | None = None,
    target: Decimal | str | None = None,
    synthetic: bool = False,
) -> CohortUpload:
    """Store a cohort file's rows, all or none. Every problem is named at once: the form's
    by field, the file's by row and column (`CohortUploadRefused`); nothing is stored unless
    every row is good. The upload is kept until `retain_until` (by default, and at most,
    COHORT_RETENTION_DAYS after today) and then deleted by the daily job."""
    require(actor, MANAGE)
    today = timezone.localdate()
    fields: dict[str, list[str]] = {}
    name = (name or "").strip()
    period_label = (period_label or "").strip()
    if not name:
        fields["name"] = ["Give the upload a name, such as “IOM cohort, first six months”"]
    elif len(name) > 200:
        fields["name"] = ["The name is longer than 200 characters"]
    if not period_label:
        fields["period_label"] = ["Say which period the file measures, such as 2013/14"]
    elif len(period_label) > 20:
        fields["period_label"] = ["The period is longer than 20 characters"]
    latest = today + dt.timedelta(days=retention_days())
    if retain_until is None:
        retain_until = latest
    elif retain_until <= today:
        fields["retain_until"] = ["The date to keep it until must be after today"]
    elif retain_until > latest:
        fields["retain_until"] = [
            f"Cohort data is kept at most {retention_days()} days: choose "
            f"{latest:%-d %B %Y} or earlier"
        ]
    target_value, target_error = _target(target)
    if target_error:
        fields["target"] = [target_error]
    problems: list[Problem] = []
    rows: list[Row] = []
    checked = None
    if not filename and not content:
        fields["file"] = ["Choose the cohort file to upload"]
    else:
        try:
            checked = uploads.check_upload(
                filename, content, allowed={"csv"}, max_bytes=UPLOAD_MAX_BYTES
            )
        except uploads.AttachmentRejected as exc:
            fields["file"] = [str(exc)]
    if checked is not None:
        try:
            rows = read_cohort_file(
                content, area_codes=set(Area.objects.values_list("code", flat=True))
            )
        except CohortFileRefused as exc:
            problems = exc.problems
            fields["file"] = [
                f"Nothing was stored: put right the {len(problems):,} "
                f"problem{'s' if len(problems) != 1 else ''} in the file and upload it again"
            ]
    if fields:
        raise CohortUploadRefused(fields, problems)
    assert checked is not None and target_value is not None
    with transaction.atomic():
        made = CohortUpload.objects.create(
            name=name,
            period_label=period_label,
            original_name=uploads.display_name(checked.original_name)[:200],
            sha256=checked.sha256,
            rows=len(rows),
            target_percent=target_value,
            retain_until=retain_until,
            uploaded_by=user_of(actor),
            created_by=user_of(actor),
            synthetic=synthetic,
        )
        areas = dict(Area.objects.values_list("code", "pk"))
        cohorts: dict[str, Cohort] = {}
        for row in rows:
            if row.cohort not in cohorts:
                cohorts[row.cohort] = Cohort.objects.create(upload=made, name=row.cohort)
        CohortRecord.objects.bulk_create(
            [
                CohortRecord(
                    cohort=cohorts[r.cohort],
                    row=r.row,
                    pseudonym=r.pseudonym,
                    area_id=areas[r.area_code],
                    in_custody=r.in_custody,
                    baseline_offences=r.baseline,
                    current_offences=r.current,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="cohort.upload",
            obj=made,
            after={
                "name": name,
                "period": period_label,
                "file": made.original_name,
                "records": len(rows),
                "cohorts": dict(sorted(Counter(r.cohort for r in rows).items())),
                "target_percent": target_value,
                "retain_until": retain_until,
                "synthetic": synthetic,
            },
        )
        return made


def cohort_viewed(*, actor, upload: CohortUpload, what: str, detail: str = "") -> None:
    """Record that `actor` looked at an upload's cohort data: `what` is "view" (the
    measures, unsuppressed), "view_records" (record by record) or "download"."""
    require(actor, VIEW)
    if what not in VIEWS:
        raise ValueError(f"no such view of cohort data: {what!r}")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"cohort.{what}",
            obj=upload,
            after={"saw": VIEWS[what], **({"detail": detail} if detail else {})},
        )


def _outcome_label(outcome: Outcome | None) -> str:
    if outcome is None:
        return ""
    return f"{outcome.agreement.reference}: {outcome.title}"


def cohort_link(*, actor, cohort: Cohort, outcome: Outcome | None) -> Cohort:
    """Link a cohort's measures to the agreement outcome they report on (or unlink it)."""
    require(actor, MANAGE)
    with transaction.atomic():
        locked(Cohort.objects.filter(pk=cohort.pk))
        cohort = Cohort.objects.select_related("upload", "outcome__agreement").get(pk=cohort.pk)
        before = _outcome_label(cohort.outcome)
        cohort.outcome = outcome
        cohort.save(update_fields=["outcome"])
        audit_record(
            actor=actor,
            action="cohort.link",
            obj=cohort.upload,
            before={"cohort": cohort.name, "outcome": before},
            after={"cohort": cohort.name, "outcome": _outcome_label(outcome)},
        )
        return cohort


@dataclass(frozen=True)
class Pruned:
    """An upload deleted (or, on a dry run, to be deleted) after its retention date."""

    name: str
    period_label: str
    retain_until: dt.date
    records: int
    cohorts: int

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.period_label}): kept until {self.retain_until.isoformat()}, "
            f"{self.records} record(s) in {self.cohorts} cohort(s)"
        )


def expired(on: dt.date):
    """Uploads whose retention date is before `on`."""
    return CohortUpload.objects.filter(retain_until__lt=on).order_by("retain_until", "id")


def cohort_prune(*, actor, on: dt.date | None = None, dry_run: bool = False) -> list[Pruned]:
    """Delete every upload whose retention date has passed, with its cohorts and records,
    each deletion recorded in the audit log (what was deleted, never a pseudonym); all in one
    transaction. The product's own move, run by the daily job (`core.system`)."""
    require(actor, SYSTEM_ONLY)
    on = on or timezone.localdate()
    done: list[Pruned] = []
    with transaction.atomic():
        for upload in list(expired(on).select_for_update()):
            pruned = Pruned(
                name=upload.name,
                period_label=upload.period_label,
                retain_until=upload.retain_until,
                records=CohortRecord.objects.filter(cohort__upload=upload).count(),
                cohorts=upload.cohorts.count(),
            )
            done.append(pruned)
            if dry_run:
                continue
            audit_record(
                actor=actor,
                action="cohort.delete",
                obj=upload,
                before={
                    "name": upload.name,
                    "period": upload.period_label,
                    "file": upload.original_name,
                    "records": pruned.records,
                    "cohorts": pruned.cohorts,
                    "retain_until": upload.retain_until,
                    "uploaded_at": upload.created_at,
                },
                reason=f"its retention date, {upload.retain_until:%-d %B %Y}, has passed",
            )
            CohortRecord.objects.filter(cohort__upload=upload).delete()
            upload.cohorts.all().delete()
            upload.delete()
    return done
