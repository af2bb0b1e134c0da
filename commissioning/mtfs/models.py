"""The medium-term financial strategy: scenarios, their years' assumptions, and the figures
the papers printed about it.

A `Scenario` is edited in place (a `BaseModel`): the CFO changes an assumption and sees its
effect, and every change is an audit event with the values before and after, so any earlier
state can be read back from the history. A "what if" worth keeping is a copy
(`services.scenario_copy`), so the scenario loaded from a paper can stay as the paper has it.

Nothing computed is stored: income, expenditure, gaps and precept options are worked out from
the stored inputs by `calc.py` whenever they are shown, so they cannot disagree with them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from commissioning.core.models import BaseModel
from commissioning.core.money import MoneyField


def _pct(help_text: str) -> models.DecimalField:
    return models.DecimalField(max_digits=6, decimal_places=3, default=0, help_text=help_text)


class Scenario(BaseModel):
    name = models.SlugField(max_length=60, unique=True, help_text='Short and unique: "llr-2013-12"')
    title = models.CharField(max_length=200)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mtfs_scenarios",
        help_text="The plan period the scenario's years must fall in",
    )
    base_year = models.CharField(max_length=7, help_text="Like 2013/14")
    base_budget_requirement = MoneyField()
    base_council_tax_requirement = MoneyField()
    base_tax_base = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Band D equivalents"
    )
    base_band_d = models.DecimalField(max_digits=10, decimal_places=4, help_text="£ a year")
    pay_share_pct = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=0,
        help_text="The share of the base budget that is pay (grown by pay inflation)",
    )
    document = models.ForeignKey(
        "budgets.SourceDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The paper the scenario was taken from",
    )
    cite = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True, help_text="What the paper does not print, and so on")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(base_budget_requirement__gt=0), name="mtfs_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(base_council_tax_requirement__gte=0)
                & Q(base_council_tax_requirement__lte=F("base_budget_requirement")),
                name="mtfs_council_tax_within_budget",
            ),
            models.CheckConstraint(condition=Q(base_tax_base__gt=0), name="mtfs_tax_base_positive"),
            models.CheckConstraint(condition=Q(base_band_d__gt=0), name="mtfs_band_d_positive"),
            models.CheckConstraint(
                condition=Q(pay_share_pct__gte=0) & Q(pay_share_pct__lte=100),
                name="mtfs_pay_share_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.title}"


class ScenarioYear(BaseModel):
    """One year's assumptions. Percentages in percent (0.8 is 0.8%), money in pounds."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="years")
    year = models.CharField(max_length=7, help_text="Like 2014/15")
    tax_base_growth_pct = _pct("Growth of the tax base on the year before")
    precept_change_pct = _pct("Change of Band D on the year before")
    grant_change_pct = _pct("Change of government funding on the year before")
    pay_inflation_pct = _pct("Growth of pay costs on the year before")
    price_inflation_pct = _pct("Growth of other costs on the year before")
    freeze_grant = MoneyField(default=0, help_text="Council tax freeze grant for the year")
    savings_planned = MoneyField(default=0, help_text="The year's savings against its costs")
    use_of_reserves = MoneyField(default=0)
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["scenario", "year"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "year"], name="mtfs_year_once"),
            models.CheckConstraint(
                condition=Q(freeze_grant__gte=0)
                & Q(savings_planned__gte=0)
                & Q(use_of_reserves__gte=0),
                name="mtfs_year_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario.name} {self.year}"

    @property
    def slug(self) -> str:
        return self.year.replace("/", "-")


class StatedKind(models.TextChoices):
    FUNDING_GAP = "funding_gap", "Funding gap"
    PRECEPT_INCOME = "precept_income", "Additional income from a precept increase"


class StatedFigure(BaseModel):
    """A figure as a paper prints it, in pounds: £6.085m is 6085000 with precision 1000
    (printed to the nearest £1,000), and `stated_as` keeps the print."""

    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "budgets.SourceDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=StatedKind.choices)
    series = models.SlugField(max_length=60, help_text='One printed table: "gap-2013-08"')
    label = models.CharField(max_length=300)
    year = models.CharField(max_length=7)
    increase_pct = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    amount = MoneyField()
    precision = models.PositiveIntegerField(default=1)
    stated_as = models.CharField(max_length=50, blank=True)
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["series", "increase_pct", "year"]
        constraints = [
            models.CheckConstraint(condition=Q(precision__gte=1), name="mtfs_precision_positive"),
            models.CheckConstraint(
                condition=(Q(kind="precept_income") & Q(increase_pct__isnull=False))
                | (Q(kind="funding_gap") & Q(increase_pct__isnull=True)),
                name="mtfs_increase_only_for_precept",
            ),
            models.UniqueConstraint(
                fields=["series", "year", "increase_pct"], name="mtfs_stated_once"
            ),
            models.UniqueConstraint(
                fields=["series", "year"],
                condition=Q(increase_pct__isnull=True),
                name="mtfs_stated_gap_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.year}"


class ReserveCommitment(BaseModel):
    """A promise to draw a sum from a reserve over several years, such as 000's "an additional
    £1m over the next 3 years" from the Budget Equalisation Reserve. The draws themselves are
    the years' funding streams of kind "reserve draw" on the same reserve (budgets), so the
    commitment is tracked year by year against what the ledger records, never against figures
    typed twice."""

    name = models.SlugField(max_length=60, unique=True, help_text='Short and unique: "ber-1m"')
    reserve = models.ForeignKey("budgets.Reserve", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    amount = MoneyField()
    first_year = models.CharField(max_length=7, help_text="Like 2013/14")
    last_year = models.CharField(max_length=7, help_text="Like 2015/16")
    document = models.ForeignKey(
        "budgets.SourceDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["first_year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="mtfs_commitment_positive"),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="mtfs_commitment_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.first_year} to {self.last_year})"
