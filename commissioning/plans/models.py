"""The Police and Crime Plan: themes, strategic priorities and commissioning intentions."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from commissioning.core.models import BaseModel
from commissioning.core.money import MoneyField


class Plan(BaseModel):
    title = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="plan_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class Theme(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="themes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True, help_text="Other wordings the papers use")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="theme_number_unique")
        ]

    def __str__(self) -> str:
        return self.title


class StrategicPriority(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="priorities")
    code = models.CharField(max_length=10)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=400)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="priorities")

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "strategic priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="priority_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CommissioningIntention(BaseModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="intentions")
    code = models.CharField(max_length=10)
    earlier_codes = models.JSONField(default=list, blank=True)
    description = models.TextField()
    priorities = models.ManyToManyField(StrategicPriority, related_name="intentions", blank=True)
    purchasing_systems = models.JSONField(default=list, blank=True, help_text="Mechanism codes")
    current_provider = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="intention_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"


class EstimateKind(models.TextChoices):
    SPLIT = "split", "Split"
    TOTAL = "total", "Stated total"


class IntentionEstimate(BaseModel):
    """An estimated amount for a year: a line (by area or by purchasing system) or the
    total the paper states, kept apart so the two can be reconciled."""

    intention = models.ForeignKey(
        CommissioningIntention, on_delete=models.CASCADE, related_name="estimates"
    )
    year = models.ForeignKey("budgets.FinancialYear", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=EstimateKind.choices)
    mechanism = models.CharField(max_length=30, blank=True)
    area = models.ForeignKey("organisations.Area", null=True, blank=True, on_delete=models.PROTECT)
    provider_as_stated = models.TextField(blank=True)
    amount = MoneyField()
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["intention", "year", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="estimate_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.intention.code} {self.year} {self.amount}"
