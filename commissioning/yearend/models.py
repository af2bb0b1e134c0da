"""The year end: underspend collected into a central pot of the next year, money paid in
advance and not spent owed back, and repaid.

A `Pot` is the next year's funding stream and capped budget line of the re-offered
underspend mechanism, made once per year; each `Collection` releases the unspent part of one
allocation (a new allocation version, so the old ledger rows stay) and adds it to the pot.
The pot's stream and line always equal the sum of its collections. A `Receivable` is money
paid in advance that the partner did not spend; a `Repayment` marks it repaid, with the
paid account's reversal entry. Collections, receivables and repayments are append-only.

The rule for late returns belongs to the needs-based formula (formula/late.py): it is a
parameter of the run that allocates the next year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField, money_text


class Pot(BaseModel):
    """The central pot of one year's underspend, to be re-offered in the next year."""

    source_year = models.OneToOneField(
        "budgets.FinancialYear", on_delete=models.PROTECT, related_name="underspend_pot"
    )
    year = models.OneToOneField(
        "budgets.FinancialYear",
        on_delete=models.PROTECT,
        related_name="central_pot",
        help_text="The year the pot funds",
    )
    name = models.CharField(max_length=200)
    stream = models.OneToOneField(
        "budgets.FundingStream", on_delete=models.PROTECT, related_name="+"
    )
    line = models.OneToOneField("budgets.BudgetLine", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.name


class Collection(AppendOnlyModel):
    """One allocation's underspend released into the pot."""

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="collections")
    allocation = models.ForeignKey(
        "budgets.Allocation", on_delete=models.PROTECT, related_name="underspend_collections"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.OneToOneField(
        "budgets.AllocationVersion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The allocation's version the release made",
    )
    amount = MoneyField()
    source = models.TextField(help_text="Where the money came from, in words")
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pot", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {money_text(self.amount)} to {self.pot}"


class Receivable(AppendOnlyModel):
    """Money paid in advance that the partner did not spend: owed back to the PCC."""

    allocation = models.ForeignKey(
        "budgets.Allocation", on_delete=models.PROTECT, related_name="receivables"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField()
    reason = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_positive"),
        ]

    def __str__(self) -> str:
        return f"{money_text(self.amount)} owed on {self.allocation}"


class Repayment(AppendOnlyModel):
    """A receivable repaid in full: the date, the finance system's reference, and the
    reversal it posted on the ledger's paid account."""

    receivable = models.OneToOneField(
        Receivable, on_delete=models.PROTECT, related_name="repayment"
    )
    received_on = models.DateField()
    reference = models.CharField(max_length=100)
    entry = models.OneToOneField("budgets.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
