"""Needs-based allocation: harm weights, population figures, uploaded indicators and runs.

A `FormulaRun` is immutable (append-only, like the ledger): it stores every input it used
(data content hashes, months, the harm weights, the population figures, uploaded
indicators, parameters) and its outputs, so re-running it from what it stored reproduces
the same bytes. Adopting a run into the ledger is a separate, audited act.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField


class HarmWeightTable(BaseModel):
    """Harm per police.uk crime type: ONS Crime Severity Score by default, or the user's own."""

    name = models.CharField(max_length=200, unique=True)
    source = models.TextField(blank=True, help_text="Where the weights come from, with attribution")
    content_hash = models.CharField(max_length=64)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class HarmWeight(models.Model):
    table = models.ForeignKey(HarmWeightTable, on_delete=models.CASCADE, related_name="weights")
    crime_type = models.CharField(max_length=100)
    weight = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["table", "crime_type"]
        constraints = [
            models.UniqueConstraint(fields=["table", "crime_type"], name="harm_weight_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="harm_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type}: {self.weight}"


class PopulationFigure(models.Model):
    """A population count for an area from a named source (Census 2021, mid-2020 estimate...)."""

    area = models.ForeignKey(
        "organisations.Area", on_delete=models.CASCADE, related_name="populations"
    )
    source = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    value = models.PositiveIntegerField()

    class Meta:
        ordering = ["source", "area"]
        constraints = [models.UniqueConstraint(fields=["area", "source"], name="population_unique")]

    def __str__(self) -> str:
        return f"{self.area} {self.label}: {self.value}"


class IndicatorUpload(BaseModel):
    """An indicator a user uploads (area code, value), e.g. a deprivation score."""

    name = models.SlugField(max_length=40, help_text="Used in weights, e.g. deprivation=10")
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10,
        choices=[("count", "A count (adds up across areas)"), ("index", "An index or score")],
        default="index",
    )
    source = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["name", "-created_at"]

    def __str__(self) -> str:
        return self.title


class IndicatorValue(models.Model):
    upload = models.ForeignKey(IndicatorUpload, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey("organisations.Area", on_delete=models.PROTECT)
    value = models.DecimalField(max_digits=20, decimal_places=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "area"], name="indicator_value_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.value}"


class FormulaRun(AppendOnlyModel):
    reference = models.CharField(max_length=40, unique=True)
    year = models.ForeignKey(
        "budgets.FinancialYear", on_delete=models.PROTECT, related_name="formula_runs"
    )
    title = models.CharField(max_length=300)
    formula_version = models.CharField(max_length=10)
    inputs = models.JSONField(help_text="Everything the run used, as stored for re-running")
    outputs = models.JSONField(help_text="The result, every amount as an exact decimal string")
    output_hash = models.CharField(max_length=64)
    pot = MoneyField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def is_adopted(self) -> bool:
        """Read through the one-to-one, so a list fetched with select_related("adoption")
        asks the database nothing more."""
        try:
            return self.adoption is not None
        except FormulaAdoption.DoesNotExist:
            return False

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class FormulaRunArea(AppendOnlyModel):
    """One area's allocation in a run, as a typed column for queries and the ledger."""

    run = models.ForeignKey(FormulaRun, on_delete=models.PROTECT, related_name="areas")
    area_code = models.CharField(max_length=20)
    area_name = models.CharField(max_length=200)
    allocation = MoneyField()

    class Meta:
        ordering = ["run", "area_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "area_code"], name="run_area_unique"),
            models.CheckConstraint(condition=Q(allocation__gte=0), name="run_area_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.area_name}: {self.allocation}"


class FormulaAdoption(AppendOnlyModel):
    """An officer adopted a run into the ledger as the year's Partnership Locality Fund."""

    run = models.OneToOneField(FormulaRun, on_delete=models.PROTECT, related_name="adoption")
    year = models.ForeignKey("budgets.FinancialYear", on_delete=models.PROTECT, related_name="+")
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocations = models.ManyToManyField("budgets.Allocation", related_name="formula_adoptions")
    late_returns = models.JSONField(
        default=list,
        blank=True,
        help_text="The run's late-returns rule as applied, one record per area it changed: "
        "the action, the amount before and after, and the returns that triggered it",
    )

    def __str__(self) -> str:
        return f"{self.run.reference} adopted for {self.year}"


# The background job that loads uploaded police.uk files (`jobs.crime_ingest_run` runs it,
# `services.crime_ingest_start` queues it): named here, where both can import it.
CRIME_INGEST_JOB = "crime.ingest"


class CrimeDataLoad(AppendOnlyModel):
    """A record of one `crime ingest`: what was loaded into the crime store, and its report."""

    months = models.JSONField(help_text="[force, month] pairs loaded")
    files = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    report = models.TextField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.files} files, {self.rows} rows"
