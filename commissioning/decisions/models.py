"""PCC decision records, their sign-off and their publication.

A record is drafted by an officer (`DecisionRecord`, with its links, its Equality Impact
Assessment and its text). When the Chief Executive or the CFO approves it, the whole content
is frozen into a `DecisionSnapshot` (append-only, with its sha256) and from then on every
signature names that hash and every page renders the snapshot, never the draft tables. The
PCC signs; the Monitoring Officer determines publication, marking parts exempt
(`Redaction`), and the public version is written once as a `PublishedVersion`. Signatures,
snapshots, redactions, determinations and published versions are append-only: database
triggers refuse UPDATE and DELETE (migration 0002). A correction is a new record that
supersedes the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.core.models import AppendOnlyModel, BaseModel
from commissioning.core.money import MoneyField

from .status import Status, Step


class Publish(models.TextChoices):
    YES = "yes", "Yes"
    PART = "part", "Part redacted"
    NO = "no", "No"


class Exemption(models.TextChoices):
    """Grounds for not publishing, citing the Freedom of Information Act 2000."""

    S21 = "foi_s21", "FOI Act 2000 s.21 Information accessible by other means"
    S22 = "foi_s22", "FOI Act 2000 s.22 Information intended for future publication"
    S24 = "foi_s24", "FOI Act 2000 s.24 National security"
    S30 = "foi_s30", "FOI Act 2000 s.30 Investigations and proceedings"
    S31 = "foi_s31", "FOI Act 2000 s.31 Law enforcement"
    S36 = "foi_s36", "FOI Act 2000 s.36 Prejudice to the effective conduct of public affairs"
    S38 = "foi_s38", "FOI Act 2000 s.38 Health and safety"
    S40 = "foi_s40", "FOI Act 2000 s.40 Personal information"
    S41 = "foi_s41", "FOI Act 2000 s.41 Information provided in confidence"
    S42 = "foi_s42", "FOI Act 2000 s.42 Legal professional privilege"
    S43 = "foi_s43", "FOI Act 2000 s.43 Commercial interests"


class ReferenceCounter(models.Model):
    """The last decision number used in a financial year (EXE 0025/13 is number 25 of 2013/14)."""

    year = models.PositiveSmallIntegerField(unique=True, help_text="First calendar year, e.g. 2013")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DecisionRecord(BaseModel):
    reference = models.CharField(max_length=30, unique=True)
    slug = models.SlugField(max_length=30, unique=True, help_text="Stable public URL part")
    number_year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    decision_date = models.DateField(
        null=True, blank=True, help_text="The date of the decision meeting"
    )
    officers_present = models.TextField(blank=True)
    received_on = models.DateField(null=True, blank=True, help_text="Received in OPCC")
    summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    discussion = models.TextField(blank=True)
    resolution = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    expected_on = models.DateField(
        null=True, blank=True, help_text="When the decision is expected, for the forward plan"
    )
    on_forward_plan = models.BooleanField(
        default=False, help_text="List the title and expected date publicly before the decision"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-number_year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_year", "number"], name="decision_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="decision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class LinkKind(models.TextChoices):
    ALLOCATION = "allocation", "Allocation"
    AWARD = "award", "Grant award"
    FORMULA_RUN = "formula_run", "Formula run"


class DecisionLink(models.Model):
    """An allocation, award or formula run the decision makes or relies on."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="links")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    allocation = models.ForeignKey(
        "budgets.Allocation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_links",
    )
    application = models.ForeignKey(
        "grants.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_links",
    )
    formula_run = models.ForeignKey(
        "formula.FormulaRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_links",
    )
    purpose = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    reasons = models.TextField(
        blank=True, help_text="Why the PCC considers it will reduce crime and disorder"
    )

    class Meta:
        ordering = ["record", "order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "order"], name="link_order_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind="allocation", allocation__isnull=False)
                    | Q(kind="award", application__isnull=False)
                    | Q(kind="formula_run", formula_run__isnull=False)
                ),
                name="link_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record.reference} #{self.order}"


#: The folder of the data directory where attachments are kept.
ATTACHMENT_FOLDER = "decision-attachments"


class DecisionAttachment(BaseModel):
    """A paper attached to a record (a schedule, a report), stored outside any public path by
    the hash of its content and served only through views that check it may be seen."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="attachments")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["record", "order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "order"], name="attachment_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Characteristic(models.TextChoices):
    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender Reassignment"
    MARRIAGE = "marriage_civil_partnership", "Marriage and Civil Partnership"
    PREGNANCY = "pregnancy_maternity", "Pregnancy and Maternity"
    RACE = "race", "Race"
    RELIGION = "religion_belief", "Religion or Belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual Orientation"
    ALL = "all", "All protected characteristics"
    NONE = "none", "None"


class AssessmentDecision(models.TextChoices):
    UNCHANGED = "unchanged", "Plan to remain unchanged"
    AMENDED = "amended", "Plan to be amended"
    STOPPED = "stopped", "Stop and remove the Plan"


class Marking(models.TextChoices):
    SECRET = "secret", "Secret"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"
    NOT_MARKED = "not_marked", "Not Protectively Marked"


class EqualityAssessment(models.Model):
    """An Equality Impact Assessment in the form of paper 001's."""

    record = models.OneToOneField(
        DecisionRecord, on_delete=models.CASCADE, related_name="assessment"
    )
    plan_name = models.CharField(max_length=300)
    owner = models.CharField(max_length=200)
    completed_by = models.CharField(max_length=200)
    completed_on = models.DateField(null=True, blank=True)
    aim = models.TextField()
    characteristics = models.JSONField(default=list, blank=True)
    data_used = models.TextField(blank=True)
    data_gaps = models.TextField(blank=True)
    impacts = models.TextField(blank=True)
    mitigations = models.TextField(blank=True)
    consultation = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=AssessmentDecision.choices)
    marking = models.CharField(max_length=20, choices=Marking.choices)
    review_date = models.CharField(max_length=100, blank=True)
    reviews = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"EIA for {self.record.reference}"


class DecisionSnapshot(AppendOnlyModel):
    """The record's whole content as approved: what the PCC signs and what is published."""

    record = models.OneToOneField(DecisionRecord, on_delete=models.PROTECT, related_name="snapshot")
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.record.reference} {self.sha256[:12]}"


class Signature(AppendOnlyModel):
    """One signature: who, as what, when, and the hash of the content they signed.

    `signer` is the user who signed in the product; a record entered from paper keeps the
    paper's name and date in `name` and `signed_on` and `on_paper` says so.
    """

    record = models.ForeignKey(DecisionRecord, on_delete=models.PROTECT, related_name="signatures")
    step = models.CharField(max_length=20, choices=Step.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100)
    signed_on = models.DateField()
    statement = models.TextField(blank=True)
    note = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    on_paper = models.BooleanField(default=False)

    class Meta:
        ordering = ["record", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "step"], name="one_signature_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.record.reference} {self.step} by {self.name}"


class Redaction(AppendOnlyModel):
    """A part of a record the Monitoring Officer marked exempt from publication."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.PROTECT, related_name="redactions")
    part = models.CharField(max_length=60, help_text="e.g. 'discussion', 'link:3', 'assessment'")
    exemption = models.CharField(max_length=20, choices=Exemption.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["record", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "part"], name="one_redaction_per_part")
        ]

    def __str__(self) -> str:
        return f"{self.record.reference} {self.part}"


class Determination(AppendOnlyModel):
    """The Monitoring Officer's publication determination: three answers and the reasons."""

    record = models.OneToOneField(
        DecisionRecord, on_delete=models.PROTECT, related_name="determination"
    )
    publish_record = models.CharField(max_length=10, choices=Publish.choices)
    publish_assessment = models.CharField(max_length=10, choices=Publish.choices)
    publish_details = models.CharField(max_length=10, choices=Publish.choices)
    exemption = models.CharField(
        max_length=20, choices=Exemption.choices, blank=True, help_text="For a 'No'"
    )
    reasons = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.record.reference}: {self.publish_record}"


class PublishedVersion(AppendOnlyModel):
    """The public version, written once at determination: every public surface reads this."""

    record = models.OneToOneField(
        DecisionRecord, on_delete=models.PROTECT, related_name="published"
    )
    content = models.JSONField()
    search_text = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.record.reference} published"


class PublishedGrant(AppendOnlyModel):
    """One grant of a published version, written with it: the grants register's rows.

    Only what the public version shows is here (a withheld item never becomes a row), so
    the register can search, filter and page grants in the database.
    """

    version = models.ForeignKey(PublishedVersion, on_delete=models.PROTECT, related_name="grants")
    position = models.PositiveIntegerField(help_text="The item's place in the public version")
    kind = models.CharField(max_length=20)
    reference = models.CharField(max_length=60)
    recipient = models.CharField(max_length=300)
    purpose = models.TextField()
    description = models.TextField()
    amount = MoneyField(null=True, blank=True)
    year = models.CharField(max_length=7)
    mechanism = models.CharField(max_length=100)
    conditions = models.TextField(blank=True)
    reasons = models.TextField(blank=True)
    decision_date = models.DateField(null=True, blank=True)
    search_text = models.TextField()

    class Meta:
        ordering = ["-decision_date", "version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="published_grant_unique")
        ]
        indexes = [models.Index(fields=["-decision_date", "version", "position"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.recipient}"
