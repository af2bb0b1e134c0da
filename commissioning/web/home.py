"""What needs each person now, for their home page: counted items, each a link to where the
work is done, grouped by the part of the job it belongs to.

It brings several apps together (grants, decisions, agreements, the year end), so it lives
in `web`, on top. Each item is asked only of the people whose rule allows the work (the
same rules the pages and services check), and each is one counting query: the home costs
the same however much work there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from commissioning.agreements.models import (
    Agreement,
    AgreementStatus,
    MonitoringReturn,
    Payment,
    PaymentStatus,
    ReportingPeriod,
    ReturnStatus,
    Variation,
)
from commissioning.core.permissions import allowed
from commissioning.core.roles import Role
from commissioning.decisions.models import DecisionRecord
from commissioning.decisions.status import Status as RecordStatus
from commissioning.grants.models import Application, ReviewAssignment, Round
from commissioning.grants.status import Status as AppStatus
from commissioning.yearend.models import Receivable


@dataclass
class Item:
    count: int
    text: str  # the words after the count: "applications to screen in PCC Grant 2026/27"
    href: str
    counted: bool = True  # False: one thing named in the text (a draft, a round)


@dataclass
class Group:
    heading: str
    items: list[Item] = field(default_factory=list)

    def add(self, count: int, one: str, many: str, href: str) -> None:
        if count:
            self.items.append(Item(count, one if count == 1 else many, href))


@dataclass
class Home:
    groups: list[Group]
    hints: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(i.count for g in self.groups for i in g.items)

    @property
    def shown(self) -> list[Group]:
        return [g for g in self.groups if g.items]


LATE_OR_OPEN = (None, ReturnStatus.DRAFT, ReturnStatus.RETURNED)


def _rounds(user, today: dt.date) -> Group:
    """Officers: applications to screen and to assign, round by round."""
    group = Group("Grant rounds")
    if not allowed(user, "grants.manage"):
        return group
    rows = (
        Application.objects.filter(status__in=[AppStatus.SUBMITTED, AppStatus.IN_REVIEW])
        .values("round__reference", "round__title")
        .annotate(
            to_screen=Count("pk", filter=Q(status=AppStatus.SUBMITTED)),
            to_assign=Count(
                "pk",
                filter=Q(status=AppStatus.IN_REVIEW)
                & ~Q(Exists(ReviewAssignment.objects.filter(application=OuterRef("pk")))),
            ),
        )
        .order_by("round__title")
    )
    for row in rows:
        href = reverse("round-dashboard", args=[row["round__reference"]])
        title = row["round__title"]
        group.add(
            row["to_screen"],
            f"application to screen in {title}",
            f"applications to screen in {title}",
            href,
        )
        group.add(
            row["to_assign"],
            f"application in review with no reviewer in {title}",
            f"applications in review with no reviewer in {title}",
            href,
        )
    return group


def _agreements(user, today: dt.date) -> Group:
    """Officers and the CFO: returns to review and late, instalments to request or approve,
    variations to decide."""
    group = Group("Agreements and payments")
    if not allowed(user, "agreements.monitor"):
        return group
    monitoring = reverse("monitoring")
    live = Q(agreement__status=AgreementStatus.ACTIVE)
    if user.has_role(Role.COMMISSIONING_OFFICER):
        group.add(
            MonitoringReturn.objects.filter(status=ReturnStatus.SUBMITTED).count(),
            "monitoring return to review",
            "monitoring returns to review",
            monitoring,
        )
        late = ReportingPeriod.objects.filter(live, due_on__lt=today).filter(
            Q(report__isnull=True) | Q(report__status__in=LATE_OR_OPEN[1:])
        )
        group.add(late.count(), "monitoring return late", "monitoring returns late", monitoring)
        group.add(
            Payment.objects.filter(live, status=PaymentStatus.SCHEDULED, due_on__lte=today).count(),
            "instalment fallen due, to request (or see what holds it)",
            "instalments fallen due, to request (or see what holds them)",
            monitoring,
        )
    if allowed(user, "payments.approve"):
        group.add(
            Payment.objects.filter(status=PaymentStatus.REQUESTED)
            .exclude(requested_by=user)
            .count(),
            "instalment requested, to approve",
            "instalments requested, to approve",
            monitoring,
        )
    if allowed(user, "agreements.decide_variation"):
        group.add(
            Variation.objects.filter(status="proposed").exclude(created_by=user).count(),
            "variation proposed, to decide",
            "variations proposed, to decide",
            monitoring,
        )
    return group


def _records(user, today: dt.date) -> Group:
    """Decision records at each signature: drafts to approve (Chief Executive, CFO),
    approved ones to sign (PCC), signed ones to determine (Monitoring Officer)."""
    group = Group("Decision records")
    href = reverse("decision-list")
    records = DecisionRecord.objects.all()
    if allowed(user, "decisions.approve"):
        group.add(
            records.filter(status=RecordStatus.DRAFT).exclude(created_by=user).count(),
            "record in draft, to approve when it is ready",
            "records in draft, to approve when they are ready",
            href,
        )
    if allowed(user, "decisions.sign"):
        group.add(
            records.filter(status=RecordStatus.APPROVED).count(),
            "record approved, waiting for your signature",
            "records approved, waiting for your signature",
            href,
        )
    if allowed(user, "decisions.determine"):
        group.add(
            records.filter(status=RecordStatus.SIGNED).count(),
            "record signed, waiting for the publication determination",
            "records signed, waiting for the publication determination",
            href,
        )
    if user.has_role(Role.COMMISSIONING_OFFICER):
        group.add(
            records.filter(status=RecordStatus.DRAFT, created_by=user).count(),
            "of your records is still a draft",
            "of your records are still drafts",
            href,
        )
    return group


def _decisions_on_rounds(user, today: dt.date) -> Group:
    """The review panel's rounds to recommend, and the PCC's to decide."""
    group = Group("Awards to recommend or approve")
    if allowed(user, "grants.panel"):
        rows = (
            Application.objects.filter(status=AppStatus.REVIEWED)
            .values("round__reference", "round__title")
            .annotate(n=Count("pk"))
            .order_by("round__title")
        )
        for row in rows:
            group.add(
                row["n"],
                f"application reviewed, for the panel to recommend, in {row['round__title']}",
                f"applications reviewed, for the panel to recommend, in {row['round__title']}",
                reverse("round-panel", args=[row["round__reference"]]),
            )
    if allowed(user, "grants.decide"):
        rows = (
            Application.objects.filter(status=AppStatus.RECOMMENDED)
            .values("round__reference", "round__title")
            .annotate(n=Count("pk"))
            .order_by("round__title")
        )
        for row in rows:
            group.add(
                row["n"],
                f"recommendation to approve in {row['round__title']}",
                f"recommendations to approve in {row['round__title']}",
                reverse("round-decision", args=[row["round__reference"]]),
            )
    return group


def _reviews(user, today: dt.date) -> tuple[Group, list[str]]:
    group = Group("Reviews")
    hints: list[str] = []
    if not allowed(user, "grants.review"):
        return group, hints
    mine = ReviewAssignment.objects.filter(reviewer=user, application__status=AppStatus.IN_REVIEW)
    href = reverse("review-queue")
    counts = mine.aggregate(
        declare=Count("pk", filter=Q(has_conflict__isnull=True)),
        score=Count("pk", filter=Q(has_conflict=False, completed_at__isnull=True)),
    )
    group.add(
        counts["declare"],
        "application to declare any conflict of interest on",
        "applications to declare any conflict of interest on",
        href,
    )
    group.add(counts["score"], "application to score", "applications to score", href)
    if not group.items:
        hints.append(
            _when_work_comes(
                today,
                "Nothing is assigned to you. Applications come to reviewers once a round closes "
                "and an officer screens them",
                "Nothing is assigned to you, and no round is open: work comes when an officer "
                "screens a round's applications into review.",
            )
        )
    return group, hints


def _when_work_comes(today: dt.date, waiting: str, no_round: str) -> str:
    """A hint for someone with nothing to do yet: when the next open round closes, after
    which their work comes; `no_round` when none is open."""
    first = (
        Round.objects.filter(published=True, closes_at__date__gte=today)
        .order_by("closes_at")
        .first()
    )
    if first is None:
        return no_round
    return f"{waiting}: {first.title} closes on {first.closes_at:%-d %B %Y}."


def _partner(user, today: dt.date) -> Group:
    """A partner: agreements to accept, variations to sign, returns due soon or late."""
    group = Group("Your agreements and returns")
    if not (user.has_role(Role.PARTNER) and user.organisation_id):
        return group
    ours = Q(agreement__organisation_id=user.organisation_id)
    group.add(
        Agreement.objects.filter(
            organisation_id=user.organisation_id, status=AgreementStatus.ISSUED
        ).count(),
        "agreement issued to you, to read and accept",
        "agreements issued to you, to read and accept",
        reverse("our-agreements"),
    )
    group.add(
        Variation.objects.filter(ours, status="approved").count(),
        "variation approved by the OPCC, waiting for your signature",
        "variations approved by the OPCC, waiting for your signature",
        reverse("our-agreements"),
    )
    periods = ReportingPeriod.objects.filter(ours, agreement__status=AgreementStatus.ACTIVE).filter(
        Q(report__isnull=True) | Q(report__status__in=LATE_OR_OPEN[1:])
    )
    group.add(
        periods.filter(due_on__lt=today).count(),
        "monitoring return late",
        "monitoring returns late",
        reverse("our-returns"),
    )
    group.add(
        periods.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=14)).count(),
        "monitoring return due in the next 14 days",
        "monitoring returns due in the next 14 days",
        reverse("our-returns"),
    )
    return group


def _applicant(user, today: dt.date) -> Group:
    """An applicant: drafts to finish before their round closes, and rounds open to them."""
    group = Group("Funding")
    if not allowed(user, "grants.apply"):
        return group
    drafts = (
        Application.objects.filter(
            organisation_id=user.organisation_id,
            status=AppStatus.DRAFT,
            round__closes_at__date__gte=today,
        )
        .select_related("round")
        .order_by("round__closes_at")
    )
    for draft in drafts[:5]:
        group.items.append(
            Item(
                1,
                f"Draft to finish: {draft.title}, {draft.round.title} closes on "
                f"{draft.round.closes_at:%-d %B %Y}",
                reverse("application-detail", args=[draft.uuid]),
                counted=False,
            )
        )
    open_rounds = [
        r
        for r in Round.objects.filter(
            published=True, opens_at__date__lte=today, closes_at__date__gte=today
        ).order_by("closes_at")
        if allowed(user, "grants.apply", r)
    ]
    for rnd in open_rounds:
        group.items.append(
            Item(
                1,
                f"Round open to you: {rnd.title}, closes on {rnd.closes_at:%-d %B %Y}",
                reverse("grant-round", args=[rnd.reference]),
                counted=False,
            )
        )
    return group


def _year_end(user, today: dt.date) -> Group:
    group = Group("Year end")
    if not allowed(user, "yearend.collect"):
        return group
    owed = (
        Receivable.objects.filter(repayment__isnull=True)
        .values("allocation__year__label")
        .annotate(n=Count("pk"))
        .order_by("allocation__year__label")
    )
    for row in owed:
        label = row["allocation__year__label"]
        group.add(
            row["n"],
            f"repayment owed for {label}, not yet received",
            f"repayments owed for {label}, not yet received",
            reverse("year-end", args=[label.replace("/", "-")]),
        )
    return group


def home_for(user, today: dt.date) -> Home:
    """What needs `user` now."""
    if not getattr(user, "is_authenticated", False):
        return Home(groups=[])
    reviews, hints = _reviews(user, today)
    on_rounds = _decisions_on_rounds(user, today)
    if user.has_role(Role.PANEL_MEMBER) and not on_rounds.items:
        hints.append(
            _when_work_comes(
                today,
                "Nothing is waiting for the panel. Applications come to the panel once their "
                "reviewers have scored them",
                "Nothing is waiting for the panel, and no round is open: work comes once a "
                "round's applications have been reviewed.",
            )
        )
    groups = [
        _rounds(user, today),
        on_rounds,
        _records(user, today),
        _agreements(user, today),
        _year_end(user, today),
        reviews,
        _partner(user, today),
        _applicant(user, today),
    ]
    return Home(groups=groups, hints=hints)
