"""Agreements: what the OPCC and a funded organisation agreed, and the money's life after it.

An `Agreement` rests on one committed allocation (a grant round award, a CSP's share of an
adopted formula run, a co-commissioning or direct contract) and, where there is one, the
decision record that made it. While it is a draft the officer shapes its terms: outcomes and
their measures, conditions, quality standards, an eligible-expenditure budget profiled by
period, the reporting periods (each with its return's due date) and the payment schedule.
Issuing it freezes those terms in an append-only `AgreementTerms` (content and its sha256);
the partner accepts those terms, which is recorded as an append-only `Acceptance` (their name
and position, as a signature). Later changes are variations: new terms, the old kept.

Payments are instalments with a status (scheduled, requested, approved, paid, cancelled; the
moves are `workflow.PAYMENT`). A paid instalment is an entry of the budgets ledger on the
`paid` account (`budgets.LedgerEntry`), never an edit of one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued to the partner"
    ACTIVE = "active", "Accepted"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Agreement(BaseModel):
    reference = models.CharField(max_length=40, unique=True)
    allocation = models.OneToOneField(
        "budgets.Allocation", on_delete=models.PROTECT, related_name="agreement"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="agreements"
    )
    decision = models.ForeignKey(
        "decisions.DecisionRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        help_text="The decision record the agreement rests on",
    )
    title = models.CharField(max_length=300)
    purpose = models.TextField(help_text="What the money is for, in the partner's words or ours")
    starts_on = models.DateField()
    ends_on = models.DateField()
    maximum_sum = MoneyField(help_text="The most the OPCC will pay under this agreement")
    retention_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text="Held back from each instalment until the final return is accepted",
    )
    quality_standards = models.TextField(blank=True)
    underperformance = models.TextField(
        blank=True, help_text="How the PCC will manage outcomes that are not being achieved"
    )
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    example = models.BooleanField(
        default=False, help_text="Example activity made by the demo, not from the papers"
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(maximum_sum__gt=0), name="agreement_sum_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(retention_percent__gte=0) & Q(retention_percent__lt=100),
                name="agreement_retention_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title[:60]}"


class Outcome(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["agreement", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "order"], name="outcome_order_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Unit(models.TextChoices):
    COUNT = "count", "Number"
    PERCENT = "percent", "Percentage"
    POUNDS = "pounds", "Pounds"


class Measure(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    priority = models.ForeignKey(
        "plans.StrategicPriority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The strategic priority the measure serves",
    )
    proposed_by_partner = models.BooleanField(default=False)

    class Meta:
        ordering = ["outcome", "order"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "order"], name="measure_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ConditionKind(models.TextChoices):
    PRECEDENT = "precedent", "Before the first payment"
    ONGOING = "ongoing", "Throughout the agreement"


class Condition(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="conditions")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ConditionKind.choices)
    text = models.TextField()
    met_on = models.DateField(null=True, blank=True)
    met_note = models.TextField(blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "order"], name="condition_order_unique")
        ]

    def __str__(self) -> str:
        return self.text[:80]


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "Quarterly"
    MILESTONE = "milestone", "Milestone"
    AD_HOC = "ad_hoc", "Ad hoc"


class ReportingPeriod(models.Model):
    """A stretch of the agreement the partner reports on, with the date its return is due.
    Quarterly by default; milestone and ad-hoc returns are periods too. Budget profiles and
    measure targets are set per period."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    label = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()
    due_on = models.DateField(help_text="When the return for the period is due")
    final = models.BooleanField(default=False, help_text="The agreement's final return")

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="period_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("ends_on")), name="period_due_after"),
        ]

    def __str__(self) -> str:
        return self.label


class MeasureTarget(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    target = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="target_once_per_period")
        ]


class BudgetCategory(models.Model):
    """A heading of eligible expenditure (staff, venue, materials...) with its amount."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="budget_categories"
    )
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    amount = MoneyField()

    class Meta:
        ordering = ["agreement", "order"]
        verbose_name_plural = "budget categories"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "order"], name="category_order_unique"),
            models.UniqueConstraint(fields=["agreement", "name"], name="category_name_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="category_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetProfile(models.Model):
    """How much of a category the partner plans to spend in a period."""

    category = models.ForeignKey(BudgetCategory, on_delete=models.CASCADE, related_name="profile")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    amount = MoneyField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "period"], name="profile_once_per_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="profile_not_negative"),
        ]


class AgreementTerms(AppendOnlyModel):
    """The terms as issued (number 1) or as varied (2, 3...): the whole agreement as one
    document, so the original stays readable beside the current terms."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name_plural = "agreement terms"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="terms_number_unique")
        ]


class Acceptance(AppendOnlyModel):
    """The partner's signature on one version of the terms."""

    terms = models.OneToOneField(
        AgreementTerms, on_delete=models.PROTECT, related_name="acceptance"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, help_text="The name typed as a signature")
    position = models.CharField(max_length=200)


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class Timing(models.TextChoices):
    ARREARS = "arrears", "In arrears"
    ADVANCE = "advance", "In advance"


class Payment(BaseModel):
    """One instalment of the payment schedule.

    In arrears (the default) an instalment pays for a reporting period already delivered, and
    is held until that period's return is accepted. In advance needs the three tests of
    Managing Public Money recorded: that it was agreed, the partner's identifiable need, and
    why it is necessary. A retention instalment is the part held back until the final return.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="payments")
    number = models.PositiveIntegerField()
    period = models.ForeignKey(
        ReportingPeriod,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        help_text="The period whose return must be accepted first",
    )
    due_on = models.DateField()
    amount = MoneyField()
    timing = models.CharField(max_length=10, choices=Timing.choices, default=Timing.ARREARS)
    advance_agreed = models.TextField(blank=True, help_text="How the advance was agreed")
    advance_need = models.TextField(blank=True, help_text="The partner's identifiable need")
    advance_necessary = models.TextField(blank=True, help_text="Why paying early is necessary")
    retention = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.SCHEDULED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    finance_reference = models.CharField(max_length=100, blank=True)
    cancelled_reason = models.TextField(blank=True)
    entry = models.OneToOneField(
        "budgets.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
        help_text="The ledger entry of the payment once paid",
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="payment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=~Q(timing="advance")
                | (~Q(advance_agreed="") & ~Q(advance_need="") & ~Q(advance_necessary="")),
                name="advance_is_justified",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(paid_on__isnull=False) & ~Q(finance_reference="") & Q(entry__isnull=False)),
                name="paid_has_date_reference_and_entry",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="approver_is_not_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} instalment {self.number}"


class ApprovalDelegation(BaseModel):
    """The CFO's delegation of payment approval to a named person, up to an amount."""

    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_delegations"
    )
    up_to = MoneyField(help_text="The largest instalment the delegate may approve")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(up_to__gt=0), name="delegation_limit_positive")
        ]


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Being written"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class MonitoringReturn(BaseModel):
    """The partner's return for one reporting period: spend per budget category, each
    measure's actual, a narrative, evidence, and their own RAG; the officer's RAG with its
    reason once reviewed."""

    period = models.OneToOneField(ReportingPeriod, on_delete=models.PROTECT, related_name="report")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    achievements = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    case_study = models.TextField(blank=True)
    partner_rag = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    officer_rag = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    officer_rag_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(officer_rag="") | ~Q(officer_rag_reason=""),
                name="officer_rag_has_reason",
            )
        ]


class SpendLine(models.Model):
    report = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="spend")
    category = models.ForeignKey(BudgetCategory, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="spend_once_per_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_not_negative"),
        ]


class MeasureActual(models.Model):
    report = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="actuals")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="actuals")
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="actual_once_per_measure")
        ]


class ReturnEvent(AppendOnlyModel):
    """The return's timeline: submitted, returned with comments, accepted."""

    report = models.ForeignKey(MonitoringReturn, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "created_at", "id"]


class ReturnAttachment(BaseModel):
    """Evidence the partner attaches to a return: the same upload checks as an application's
    files, stored outside any public path (core.files)."""

    report = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="files")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class SpendingImport(AppendOnlyModel):
    """One finance-system CSV export of the PCC's other spending (not grant payments), loaded
    whole or not at all. A wrong import is withdrawn (`SpendingWithdrawal`), never edited."""

    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]


class SpendingWithdrawal(AppendOnlyModel):
    spending_import = models.OneToOneField(
        SpendingImport, on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.TextField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class SpendingItem(AppendOnlyModel):
    """One line of the finance system's export: a payment the PCC made to a supplier."""

    spending_import = models.ForeignKey(
        SpendingImport, on_delete=models.PROTECT, related_name="items"
    )
    row = models.PositiveIntegerField(help_text="The line of the file it came from")
    paid_on = models.DateField()
    supplier = models.CharField(max_length=300)
    individual = models.BooleanField(
        default=False, help_text="Paid to a private individual: the name is never published"
    )
    amount = MoneyField()
    category = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)

    class Meta:
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["paid_on"])]
        constraints = [
            models.UniqueConstraint(fields=["spending_import", "row"], name="spending_row_once")
        ]


class VariationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved, waiting for the partner to sign"
    SIGNED = "signed", "In force, signed by the partner"
    REJECTED = "rejected", "Rejected"
    DECLINED = "declined", "Declined by the partner"


OPEN_VARIATION = (VariationStatus.PROPOSED, VariationStatus.APPROVED)


class Variation(BaseModel):
    """A proposed change to an accepted agreement's terms: its maximum sum, its end date,
    its budget, its outcomes and measures. Approved for the OPCC by someone other than the
    person who proposed it, then signed by the partner, it becomes a new version of the
    terms; the original stays beside it. An increase above the OPCC's threshold must rest
    on a decision record."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="variations")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VariationStatus.choices, default=VariationStatus.PROPOSED
    )
    reason = models.TextField()
    maximum_sum = MoneyField(null=True, blank=True, help_text="The new maximum sum, if it changes")
    ends_on = models.DateField(null=True, blank=True, help_text="The new end date, if it changes")
    budget = models.JSONField(
        null=True, blank=True, help_text="The new budget (categories and profiles), if it changes"
    )
    outcomes = models.JSONField(
        null=True,
        blank=True,
        help_text="Measures added (to an outcome, or with a new one) and targets changed",
    )
    decision = models.ForeignKey(
        "decisions.DecisionRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The decision record an increase rests on",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    terms = models.OneToOneField(
        AgreementTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variation",
        help_text="The version of the terms the partner's signature put in force",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    partner_note = models.TextField(blank=True, help_text="Why the partner declined")

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="variation_number_unique"),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status__in=["proposed", "approved"]),
                name="one_open_variation_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("created_by")),
                name="variation_decided_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} variation {self.number}"
