"""The year's budget and the allocation ledger.

Money flows: funding streams (grants, transfers, reserve draws) make a year's pot; budget
lines set aside parts of it per funding mechanism (and hold the commissioning reserve);
allocations commit or indicate spend against the lines. The position is computed from the
ledger, never stored.

The ledger is append-only. An `Allocation` is an identity; each `AllocationVersion` is one
state of it (organisation, mechanism, theme...); `LedgerEntry` rows carry the money by
period. A variation writes REVERSAL entries that cancel the current version's amounts and
REPLACEMENT entries for the new version, so any sum over entries is the current position
and the history is the entries themselves. Database triggers refuse UPDATE and DELETE on
versions and entries (migration 0002).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField

from .periods import PERIOD_CHOICES

YEAR_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


class FinancialYear(BaseModel):
    """1 April to 31 March, named like "2013/14"."""

    label = models.CharField(max_length=7, unique=True)
    starts = models.DateField(unique=True)
    ends = models.DateField(unique=True)

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__month=4, starts__day=1, ends__month=3, ends__day=31)
                & Q(ends__gt=F("starts")),
                name="financial_year_runs_april_to_march",
            ),
        ]

    @staticmethod
    def parse_label(label: str) -> tuple[dt.date, dt.date]:
        """Dates of a year label; raises ValueError for anything but "YYYY/YY" with YY = YYYY+1."""
        text = label.strip().replace("-", "/")
        match = YEAR_LABEL.match(text)
        if not match:
            raise ValueError(f"“{label}” is not a financial year like 2013/14")
        first = int(match.group(1))
        if (first + 1) % 100 != int(match.group(2)):
            raise ValueError(f"“{label}” is not a financial year: {first}/{(first + 1) % 100:02d}?")
        return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)

    @property
    def slug(self) -> str:
        return self.label.replace("/", "-")

    def __str__(self) -> str:
        return self.label


class Mechanism(models.TextChoices):
    """The purchasing systems of the commissioning framework."""

    DIRECT = "direct", "Direct commissioning"
    CO_COMMISSIONING = "co_commissioning", "Co-commissioning with existing commissioners"
    CSP_CO_COMMISSIONING = (
        "csp_co_commissioning",
        "Co-commissioning with Community Safety Partnerships",
    )
    PARTNERSHIP_LOCALITY_FUND = "plf", "Partnership Locality Fund"
    PCC_GRANT = "pcc_grant", "PCC Grant"
    INNOVATION_FUND = "innovation_fund", "Innovation Fund"
    BCU_FUND = "bcu_fund", "BCU Fund"
    TRANSITIONAL = "transitional", "Transitional funding for established partners"
    UNDERSPEND = "underspend", "Re-offered underspend (the central pot)"


class Reserve(BaseModel):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class StreamKind(models.TextChoices):
    GRANT = "grant", "Grant"
    TRANSFER = "transfer", "Transfer"
    RESERVE_DRAW = "reserve_draw", "Draw from a reserve"
    UNDERSPEND = "underspend", "Underspend collected from the year before"
    OTHER = "other", "Other"


class FundingStream(BaseModel):
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="streams")
    name = models.CharField(max_length=200)
    amount = MoneyField()
    kind = models.CharField(max_length=20, choices=StreamKind.choices)
    source_body = models.CharField(max_length=200, blank=True, help_text="Who provides it")
    ring_fenced = models.BooleanField(default=False)
    conditions = models.TextField(blank=True)
    reserve = models.ForeignKey(Reserve, null=True, blank=True, on_delete=models.PROTECT)
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="stream_name_unique_in_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="stream_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="reserve_draw", reserve__isnull=False)
                | (~Q(kind="reserve_draw") & Q(reserve__isnull=True)),
                name="stream_reserve_iff_reserve_draw",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class BudgetLine(BaseModel):
    """Money set aside in a year for one mechanism, or held in a reserve.

    A capped line refuses any commitment that would take its committed total over its
    amount (checked under a row lock in `allocation_*` services)."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budget_lines")
    name = models.CharField(max_length=200)
    mechanism = models.CharField(max_length=30, choices=Mechanism.choices, blank=True)
    amount = MoneyField()
    capped = models.BooleanField(default=False)
    is_reserve = models.BooleanField(default=False)
    reserve = models.ForeignKey(Reserve, null=True, blank=True, on_delete=models.PROTECT)
    stated_as = models.CharField(max_length=50, blank=True)
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["year", "is_reserve", "mechanism"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"], name="budget_line_name_unique_in_year"
            ),
            models.UniqueConstraint(
                fields=["year", "mechanism"],
                condition=Q(is_reserve=False),
                name="one_budget_line_per_mechanism",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
            models.CheckConstraint(
                condition=(Q(is_reserve=True) & Q(mechanism="") & Q(reserve__isnull=False))
                | (Q(is_reserve=False) & ~Q(mechanism="")),
                name="budget_line_is_mechanism_or_reserve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Status(models.TextChoices):
    INDICATIVE = "indicative", "Indicative"
    COMMITTED = "committed", "Committed"
    CANCELLED = "cancelled", "Cancelled"


class Funding(models.TextChoices):
    """What an allocation gives, and so whose money it is.

    - Cash comes out of the PCC's pot: it counts in the pot's totals and is paid.
    - Support in kind (staff or services a partner provides, such as 000 Table 1's "Police
      In Kind") is valued and recorded beside the cash, but is not money: never paid, left
      out of every cash total and shown in its own column.
    - Pooled money is an award from a co-commissioning pool that several partners pay into.
      It is paid, through an agreement like any grant, but it is the pool's money, not the
      pot's: the PCC's share of it is already counted once, as the PCC's own allocation that
      pays its contribution into the pool, so the award is left out of the pot's totals and
      reported with its pool.

    Two predicates decide: `counts_in_pot` and `is_paid`."""

    CASH = "cash", "Cash"
    IN_KIND = "in_kind", "Support in kind (not cash)"
    POOLED = "pooled", "From a pooled budget"


def counts_in_pot(funding: str) -> bool:
    """The one rule for the pot: only the pot's own cash counts in its totals (committed,
    indicative, available, outturn, capped lines, underspend carried)."""
    return funding == Funding.CASH


def is_paid(funding: str) -> bool:
    """The one rule for payments: cash and pooled awards are paid (and so need an agreement);
    support in kind is not."""
    return funding in (Funding.CASH, Funding.POOLED)


# Ledger entries that count in the pot (the filter form of `counts_in_pot`), and of support
# in kind.
POT_ENTRIES = Q(allocation__funding=Funding.CASH)
IN_KIND_ENTRIES = Q(allocation__funding=Funding.IN_KIND)


class Pool(BaseModel):
    """A co-commissioning pool: a budget several partners pay into for one purpose, held by
    one of them (the host) and spent through awards in the ledger like any other money.

    A pool belongs to one financial year; its agreed total is what the partners agreed to
    put in, and the contributions recorded never add up to more."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="pools")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    host = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="pools_hosted",
        help_text="The partner that holds the pool and accounts for it",
    )
    purpose = models.TextField()
    agreed_total = MoneyField()
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "slug"], name="pool_slug_unique_in_year"),
            models.CheckConstraint(condition=Q(agreed_total__gt=0), name="pool_total_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ContributionStatus(models.TextChoices):
    COMMITTED = "committed", "Committed"
    INDICATIVE = "indicative", "Indicative"


class PoolContribution(BaseModel):
    """What one partner puts into a pool: an amount, the part of the year it covers, the
    conditions it comes with, and whether it is committed or only indicated. Only committed
    contributions can be spent and share in the pool's spending.

    The PCC's own contribution is paid by an allocation of the PCC's pot (`allocation`): that
    allocation is where it counts in the PCC's tables, once."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="contributions")
    contributor = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField()
    period = models.CharField(max_length=2, choices=PERIOD_CHOICES, default="FY")
    conditions = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=ContributionStatus.choices)
    allocation = models.OneToOneField(
        "Allocation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pool_contribution",
        help_text="For the PCC's own contribution: the allocation of the pot that pays it",
    )
    illustrative = models.BooleanField(
        default=False, help_text="Made up for the example: the papers do not give it"
    )
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pool", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "contributor"], name="one_contribution_per_partner"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["committed", "indicative"]),
                name="contribution_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contributor} to {self.pool}"


class Allocation(AppendOnlyModel):
    """The identity of one allocation; its states are versions, its money entries. Whether
    it is cash, support in kind or from a pool (and which) is part of its identity: a change
    is a new allocation."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="allocations")
    reference = models.CharField(max_length=40, unique=True)
    example_key = models.CharField(max_length=120, blank=True)
    funding = models.CharField(max_length=10, choices=Funding.choices, default=Funding.CASH)
    pool = models.ForeignKey(
        Pool,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        help_text="For an award from a pooled budget: the pool it is paid from",
    )
    valuation_basis = models.CharField(
        max_length=300, blank=True, help_text="For support in kind: how its value was set"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "example_key"],
                condition=~Q(example_key=""),
                name="example_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(funding__in=["cash", "in_kind", "pooled"]),
                name="allocation_funding_known",
            ),
            models.CheckConstraint(
                condition=Q(funding="pooled", pool__isnull=False)
                | (~Q(funding="pooled") & Q(pool__isnull=True)),
                name="allocation_pool_iff_pooled",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class AllocationVersion(AppendOnlyModel):
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT)
    initiative = models.CharField(max_length=500)
    mechanism = models.CharField(max_length=30, choices=Mechanism.choices)
    theme = models.ForeignKey("plans.Theme", null=True, blank=True, on_delete=models.PROTECT)
    primary_priority = models.ForeignKey(
        "plans.StrategicPriority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secondary_priority = models.ForeignKey(
        "plans.StrategicPriority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intention = models.ForeignKey(
        "plans.CommissioningIntention", null=True, blank=True, on_delete=models.PROTECT
    )
    reach = models.ForeignKey("organisations.Area", null=True, blank=True, on_delete=models.PROTECT)
    reach_as_stated = models.CharField(max_length=200, blank=True)
    funding_stream = models.ForeignKey(
        FundingStream, null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(blank=True)
    total = MoneyField()
    source = models.CharField(max_length=300, blank=True, help_text="Document and table")
    reason = models.TextField(blank=True, help_text="Why this version was made")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["allocation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(condition=Q(total__gte=0), name="version_total_not_negative"),
            models.CheckConstraint(
                condition=Q(secondary_priority__isnull=True)
                | ~Q(secondary_priority=F("primary_priority")),
                name="secondary_priority_differs",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(total=0), name="cancelled_has_no_money"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation.reference} v{self.number}: {self.initiative[:60]}"


class EntryKind(models.TextChoices):
    ORIGINAL = "original", "Original"
    REVERSAL = "reversal", "Reversal"
    REPLACEMENT = "replacement", "Replacement"


class Account(models.TextChoices):
    """What an entry counts: money committed to an allocation, money paid out of it, or
    money released from it at the year end and carried into the next year's central pot (so
    the year it left does not count it as available again)."""

    COMMITTED = "committed", "Committed"
    PAID = "paid", "Paid"
    CARRIED = "carried", "Carried to the next year's central pot"


class LedgerEntry(AppendOnlyModel):
    """One posting of the ledger. Commitments (`account` committed) carry an allocation's
    amounts by period: a change is a reversal of the old version's entries and a replacement
    for the new. Payments (`account` paid) are what was paid out of the allocation, posted
    when an agreement's instalment is paid; the sum paid never exceeds the agreement's
    maximum sum, which never exceeds the commitment."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="entries")
    version = models.ForeignKey(AllocationVersion, on_delete=models.PROTECT, related_name="entries")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=2, choices=PERIOD_CHOICES)
    amount = MoneyField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    account = models.CharField(max_length=10, choices=Account.choices, default=Account.COMMITTED)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["year", "version"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(account__in=["committed", "paid", "carried"]),
                name="entry_account_known",
            ),
            models.CheckConstraint(
                condition=Q(account="committed") | ~Q(kind="replacement"),
                name="payment_entry_is_original_or_reversal",
            ),
            models.CheckConstraint(
                condition=Q(period__in=["FY", "H1", "H2", "Q1", "Q2", "Q3", "Q4"]),
                name="entry_period_known",
            ),
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(amount__lte=0))
                | (~Q(kind="reversal") & Q(amount__gte=0)),
                name="entry_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {self.period} {self.amount}"


# --- What the papers said: source tables, rows and stated figures, for reconciliation ---


class SourceDocument(BaseModel):
    key = models.CharField(max_length=40, unique=True)
    file = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=400)
    reference = models.CharField(max_length=100, blank=True)
    date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class SourceTable(BaseModel):
    key = models.CharField(max_length=80, unique=True)
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="source_tables")
    document = models.ForeignKey(SourceDocument, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=400)
    periods = models.JSONField(default=list)
    period_labels = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["year", "key"]

    def __str__(self) -> str:
        return self.name


class SourceRow(BaseModel):
    """One row of a source table as printed, linked to the allocation it defines or cites."""

    table = models.ForeignKey(SourceTable, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    group = models.CharField(max_length=200, blank=True)
    allocation = models.ForeignKey(
        Allocation, null=True, blank=True, on_delete=models.PROTECT, related_name="source_rows"
    )
    defines = models.BooleanField(default=False)
    organisation_as_stated = models.CharField(max_length=300, blank=True)
    initiative_as_stated = models.TextField(blank=True)
    theme_as_stated = models.CharField(max_length=200, blank=True)
    priorities_as_stated = models.CharField(max_length=100, blank=True)
    reach_as_stated = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["table", "row"]
        constraints = [models.UniqueConstraint(fields=["table", "row"], name="source_row_unique")]

    def __str__(self) -> str:
        return f"{self.table.key} row {self.row}"


class SourceRowAmount(models.Model):
    """A figure printed in a source row: one period's amount, or the row total (period "")."""

    row = models.ForeignKey(SourceRow, on_delete=models.CASCADE, related_name="amounts")
    period = models.CharField(max_length=2, blank=True)
    amount = MoneyField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["row", "period"], name="row_amount_unique")]


class Scope(models.TextChoices):
    GROUP = "group", "Rows under a heading"
    TABLE = "table", "All rows of the table"
    UNALLOCATED = "unallocated", "The pot less the table"
    POT = "table_plus_unallocated", "The pot"
    MEASURE = "measure", "A figure of the year's position"


class Measure(models.TextChoices):
    POT = "pot", "Budget (the pot)"
    COMMITTED = "committed", "Committed"
    INDICATIVE = "indicative", "Indicative"
    UNCOMMITTED = "uncommitted", "Budget less committed"
    RESERVE = "reserve", "Held in reserve"
    AVAILABLE = "available", "Available"
    STREAMS_SUBTOTAL = "streams_subtotal", "Funding streams before reserve draws"


class StatedFigure(BaseModel):
    """A total or subtotal as a paper prints it. `period` "" is the total column."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="stated_figures")
    table = models.ForeignKey(
        SourceTable, null=True, blank=True, on_delete=models.CASCADE, related_name="stated_figures"
    )
    label = models.CharField(max_length=300)
    scope = models.CharField(max_length=30, choices=Scope.choices)
    group = models.CharField(max_length=200, blank=True)
    measure = models.CharField(max_length=30, choices=Measure.choices, blank=True)
    period = models.CharField(max_length=2, blank=True)
    amount = MoneyField()
    precision = models.PositiveIntegerField(default=1)
    stated_as = models.CharField(max_length=50, blank=True)
    cite = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["year", "table", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="measure") | ~Q(measure=""), name="measure_scope_names_measure"
            ),
            models.CheckConstraint(condition=Q(precision__gte=1), name="precision_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class FindingExplanation(AppendOnlyModel):
    """An officer's note that a reconciliation finding is explained. Findings are computed,
    not stored: `key` names the finding (see `reconcile.py`), so the note survives
    recomputation. Append-only: a newer note for the same key supersedes the older, which
    stays as history. The finding's figures when it was explained are kept with it."""

    year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="finding_explanations"
    )
    key = models.CharField(max_length=300)
    kind = models.CharField(max_length=40)
    where = models.TextField()
    stated = MoneyField(null=True, blank=True)
    computed = MoneyField(null=True, blank=True)
    note = models.TextField()
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explained_by_name = models.CharField(max_length=200, help_text="Name at the time")

    class Meta:
        ordering = ["year", "key", "-created_at", "-id"]
        indexes = [models.Index(fields=["year", "key"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="finding_explanation_has_note"),
            models.CheckConstraint(condition=~Q(key=""), name="finding_explanation_has_key"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.key}"
