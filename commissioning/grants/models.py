"""Grant rounds: the round and its form, applications with typed answers and attachments,
screening, themed review with conflicts of interest, the panel and the decision.

Amounts are typed columns (MoneyField), never hidden in form data. The application's
status changes only through `services.application_transition`, which writes an
`ApplicationEvent` (append-only) for the timeline.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from commissioning.budgets.models import Mechanism
from commissioning.core import files
from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField

from .status import Status


class Round(BaseModel):
    """A call for applications against one budget line (the pot), open to every organisation
    or only to those chosen (`eligible`; `permissions.round_open_to` decides)."""

    reference = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    mechanism = models.CharField(max_length=30, choices=Mechanism.choices)
    year = models.ForeignKey(
        "budgets.FinancialYear", on_delete=models.PROTECT, related_name="rounds"
    )
    budget_line = models.ForeignKey(
        "budgets.BudgetLine", on_delete=models.PROTECT, related_name="rounds"
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    guidance = models.TextField(blank=True)
    minimum_award = MoneyField(default=0)
    maximum_award = MoneyField()
    cap_to_allocation = models.BooleanField(
        default=False,
        help_text="CSP rounds: each area may ask for no more than its adopted allocation",
    )
    allocation_run = models.ForeignKey(
        "formula.FormulaRun", null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    themes = models.ManyToManyField("plans.Theme", blank=True)
    priorities = models.ManyToManyField("plans.StrategicPriority", blank=True)
    eligible = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="rounds_open_to",
        help_text="The organisations that may apply; none: open to every organisation",
    )
    scale_max = models.PositiveSmallIntegerField(default=5, help_text="Scores run from 0 to this")
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(minimum_award__gte=0), name="round_minimum_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(maximum_award__gte=F("minimum_award")),
                name="round_maximum_at_least_minimum",
            ),
            models.CheckConstraint(condition=Q(scale_max__gte=1), name="round_scale_positive"),
            models.CheckConstraint(
                condition=Q(cap_to_allocation=False) | Q(allocation_run__isnull=False),
                name="round_cap_needs_a_run",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EligibilityQuestion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="eligibility")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    required_answer = models.BooleanField(
        default=True, help_text="The answer an eligible applicant gives"
    )

    class Meta:
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="eligibility_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Criterion(models.Model):
    """An assessment criterion with its weight (a round's weights sum to 100)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="criterion_order_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.weight}%)"


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text"
    AMOUNT = "amount", "Amount of money"
    CHOICE = "choice", "Choice"
    DATE = "date", "Date"
    FILE = "file", "File upload"


class Question(models.Model):
    """A question on a round's application form, configured without code."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    max_file_mb = models.PositiveSmallIntegerField(default=10)
    file_types = models.JSONField(
        default=list, blank=True, help_text='Allowed extensions, e.g. ["pdf", "docx"]'
    )

    class Meta:
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="question_order_unique"),
            models.UniqueConstraint(fields=["round", "key"], name="question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Application(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    amount_requested = MoneyField(null=True, blank=True)
    theme = models.ForeignKey("plans.Theme", null=True, blank=True, on_delete=models.PROTECT)
    primary_priority = models.ForeignKey(
        "plans.StrategicPriority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secondary_priority = models.ForeignKey(
        "plans.StrategicPriority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("organisations.Area", null=True, blank=True, on_delete=models.PROTECT)
    eligibility_answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    screening_reason = models.TextField(blank=True, help_text="Shown to the applicant")
    award_amount = MoneyField(null=True, blank=True)
    allocation = models.OneToOneField(
        "budgets.Allocation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )

    class Meta:
        ordering = ["round", "reference"]
        # The round dashboard at scale: its counts by status read the first index alone,
        # and each way its list can be sorted walks one of them to a page instead of sorting
        # the whole round (the list sorts by these columns, then by reference).
        indexes = [
            models.Index(
                fields=["round", "status", "reference", "amount_requested"],
                name="application_round_status",
            ),
            models.Index(fields=["round", "reference"], name="application_round_reference"),
            models.Index(
                fields=["round", "amount_requested", "reference"], name="application_round_amount"
            ),
            models.Index(
                fields=["round", "submitted_at", "reference"], name="application_round_submitted"
            ),
            models.Index(
                F("round"), Lower("title"), F("reference"), name="application_round_title"
            ),
            models.Index(
                fields=["round", "organisation", "reference"], name="application_round_org"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="requested_positive",
            ),
            models.CheckConstraint(
                condition=Q(award_amount__isnull=True) | Q(award_amount__gt=0),
                name="award_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="withdrawn") | Q(submitted_at__isnull=False),
                name="submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Answer(models.Model):
    """One typed answer to one question."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    amount = MoneyField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question.key}"


ATTACHMENT_FOLDER = "attachments"  # of the data directory, where core.files keeps them


class Attachment(BaseModel):
    """A file stored outside any public path, served only to those allowed to see it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self) -> Path:
        return files.store_dir(ATTACHMENT_FOLDER) / self.stored_name


class ApplicationEvent(AppendOnlyModel):
    """One step of an application's timeline: every status change, and notes officers add."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.from_status} -> {self.to_status}"


class ReviewAssignment(BaseModel):
    """A reviewer asked to score an application. The reviewer declares any conflict of
    interest before seeing it; a declared conflict hides it and excludes the score."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(
        null=True, blank=True, help_text="None until the reviewer declares"
    )
    conflict_details = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="Reassigned by an officer")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                condition=Q(withdrawn=False),
                name="one_live_assignment",
            ),
            # A storage guarantee only: who may see (and so score) an application is decided
            # by permissions.reviewer_may_see alone.
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(has_conflict=False),
                name="completed_only_without_conflict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application.reference}"


class Score(BaseModel):
    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.title}: {self.score}"


class PanelDeclaration(BaseModel):
    """A panel member's declaration of interests for a round, recorded before the panel."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="panel_declarations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interests = models.TextField(help_text="Interests declared, or 'None'")
    conflicted_applications = models.ManyToManyField(
        Application, blank=True, related_name="conflicted_panel"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_declaration_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.round})"


class Recommendation(models.TextChoices):
    FUND = "fund", "Fund"
    FUND_REDUCED = "fund_reduced", "Fund at a reduced amount"
    REJECT = "reject", "Reject"


class PanelRecommendation(BaseModel):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="recommendation"
    )
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    amount = MoneyField(null=True, blank=True)
    reasons = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(recommendation="reject") & Q(amount__isnull=True))
                | (~Q(recommendation="reject") & Q(amount__gt=0)),
                name="recommendation_amount_matches",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.recommendation}"


class RoundDecision(AppendOnlyModel):
    """The PCC's approval of a round's recommendations, which makes the awards."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="decision")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField()
    summary = models.TextField()

    def __str__(self) -> str:
        return f"Decision on {self.round}"
