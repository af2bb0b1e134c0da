"""Reoffending cohorts: criminal-offence data (UK GDPR article 10), pseudonymised.

An officer uploads a cohort file (`CohortUpload`): for each offender of each cohort (PPO,
IOM, DYO, 16-24, Troubled Families...) a pseudonym, the area, whether they were in custody
throughout the current period, and their offences in the baseline and current periods
(`CohortRecord`). Each upload carries the date it is kept until; the daily job deletes it
after that date, with its cohorts and records, and records the deletion in the audit log
(`services.cohort_prune`): the one deletion the product performs. The raw file is not kept:
the parsed rows are all the product holds.

A cohort (`Cohort`) can be linked to an outcome of an agreement, such as the IOM
co-commissioning line of CI006, so that its measures sit beside the outcome they report on.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from commissioning.core.models import BaseModel


class CohortUpload(BaseModel):
    """One uploaded cohort file: its name, the period it measures, who uploaded it, the
    target it is measured against and the date it is kept until."""

    name = models.CharField(max_length=200)
    period_label = models.CharField(max_length=20, help_text='The period measured, e.g. "2013/14"')
    original_name = models.CharField(max_length=200, help_text="The file's name as uploaded")
    sha256 = models.CharField(max_length=64, help_text="Of the file's content; never shown")
    rows = models.PositiveIntegerField(help_text="Records in the file")
    target_percent = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="The reduction target, e.g. 17.00"
    )
    retain_until = models.DateField(help_text="Deleted, with its records, after this day")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(
        default=False, help_text="Made-up example data (the demo), not real offenders"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_percent__gte=0) & models.Q(target_percent__lte=100),
                name="cohort_upload_target_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_label})"


class Cohort(models.Model):
    """One cohort of an upload, by the name the file gives it, optionally linked to the
    agreement outcome its measures report on."""

    upload = models.ForeignKey(CohortUpload, on_delete=models.CASCADE, related_name="cohorts")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=60)
    outcome = models.ForeignKey(
        "agreements.Outcome",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agreement outcome these measures report on",
    )

    class Meta:
        ordering = ["upload", "name"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "name"], name="cohort_name_once_per_upload")
        ]

    def __str__(self) -> str:
        return self.name


class CohortRecord(models.Model):
    """One offender in one cohort: a pseudonym, never a name."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField(help_text="The row of the file (the header is row 1)")
    pseudonym = models.CharField(max_length=64)
    area = models.ForeignKey("organisations.Area", on_delete=models.PROTECT, related_name="+")
    in_custody = models.BooleanField(help_text="In custody throughout the current period")
    baseline_offences = models.PositiveIntegerField()
    current_offences = models.PositiveIntegerField()

    class Meta:
        ordering = ["cohort", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "pseudonym"], name="cohort_record_pseudonym_once_per_cohort"
            )
        ]

    def __str__(self) -> str:
        return f"row {self.row} of {self.cohort}"
