"""Reads for monitoring returns: one period's return page, a partner's list of returns, and
the officer's monitoring view of every agreement.

Each costs a fixed number of queries whatever the number of agreements, periods or returns:
the monitoring view sorts and filters in the database (`monitoring_queryset`) and then
decorates only the rows it shows (`monitoring_rows`), reading payments, conditions and
periods through prefetches so `rules.held` and `rules.days_late` ask nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from commissioning.budgets.models import AllocationVersion, Mechanism
from commissioning.core.money import ZERO, pounds
from commissioning.core.permissions import allowed
from commissioning.plans.models import StrategicPriority, Theme

from . import rules
from .models import (
    Agreement,
    AgreementStatus,
    BudgetProfile,
    Condition,
    MeasureActual,
    MeasureTarget,
    MonitoringReturn,
    Payment,
    PaymentStatus,
    Rag,
    ReportingPeriod,
    ReturnAttachment,
    ReturnStatus,
    SpendLine,
)
from .permissions import VIEW
from .rag import MeasureFigure, Suggestion, percent, suggest
from .returns import RETURN_FILES
from .rules import days_late, return_in

# A return counts as in (not late) once submitted; one sent back for changes is out again.
IN = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
OUT = Q(report__isnull=True) | Q(report__status__in=[ReturnStatus.DRAFT, ReturnStatus.RETURNED])
# Agreements whose returns are asked for: accepted by the partner (and closed ones, done).
REPORTING = (AgreementStatus.ACTIVE, AgreementStatus.CLOSED)
PAGE_SIZE = 50
NO_RAG = "none"


def off_words(share: Decimal | None) -> str:
    """A variance as a percentage in words: "60% under", "5.5% over", "on profile"."""
    if share is None:
        return ""
    if share == 0:
        return "on profile"
    size = f"{abs(share):f}".rstrip("0").rstrip(".")
    return f"{size}% {'under' if share < 0 else 'over'}"


def late_words(days: int) -> str:
    return f"Late by {days} day{'s' if days != 1 else ''}" if days else ""


# --- one period's return ---------------------------------------------------------------


def agreement_for(user, uuid) -> Agreement:
    """The agreement, if `user` may see it; otherwise a 404, so a guess reveals nothing."""
    agreement = (
        Agreement.objects.select_related("organisation", "allocation").filter(uuid=uuid).first()
    )
    if agreement is None or not allowed(user, VIEW, agreement):
        raise Http404("No such agreement")
    return agreement


def period_of(agreement: Agreement, number: int) -> ReportingPeriod:
    """The agreement's reporting period `number`, with its return (or a 404)."""
    period = (
        ReportingPeriod.objects.select_related("report")
        .filter(agreement=agreement, number=number)
        .first()
    )
    if period is None:
        raise Http404("The agreement has no such reporting period")
    period.agreement = agreement
    return period


def report_of(period: ReportingPeriod) -> MonitoringReturn:
    """The period's return, or an unsaved empty draft for it (a GET never writes)."""
    report = getattr(period, "report", None)
    if report is None:
        report = MonitoringReturn(period=period)
    return report


@dataclass
class SpendRow:
    category_id: int
    name: str
    profile: Decimal
    spent: Decimal | None
    variance: Decimal | None  # spent - profile
    variance_percent: Decimal | None

    @property
    def off(self) -> str:
        return off_words(self.variance_percent)


@dataclass
class MeasureRow:
    measure_id: int
    outcome: str
    name: str
    unit: str
    unit_label: str
    target: Decimal | None
    actual: Decimal | None
    share: Decimal | None  # actual as % of target


@dataclass
class ReturnPage:
    agreement: Agreement
    period: ReportingPeriod
    report: MonitoringReturn
    spend: list[SpendRow]
    measures: list[MeasureRow]
    files: list[ReturnAttachment]
    events: list
    days_late: int
    profiled: Decimal
    spent: Decimal
    suggestion: Suggestion

    @property
    def late(self) -> str:
        return late_words(self.days_late)

    @property
    def sent_back(self) -> str:
        """The officer's comment when the return is back with the partner for changes."""
        if self.report.status != ReturnStatus.RETURNED:
            return ""
        comments = [e.comment for e in self.events if e.action == "returned"]
        return comments[-1] if comments else ""

    @property
    def variance(self) -> Decimal:
        return self.spent - self.profiled

    @property
    def variance_percent(self) -> Decimal | None:
        return percent(self.variance, self.profiled) if self.profiled else None

    @property
    def off(self) -> str:
        return off_words(self.variance_percent)


def return_page(agreement: Agreement, period: ReportingPeriod, today: dt.date) -> ReturnPage:
    report = report_of(period)
    saved = report.pk is not None
    categories = list(agreement.budget_categories.all())
    profile = {
        p.category_id: p.amount
        for p in BudgetProfile.objects.filter(category__agreement=agreement, period=period)
    }
    spent = {s.category_id: s.amount for s in report.spend.all()} if saved else {}
    spend_rows = []
    for category in categories:
        planned = profile.get(category.pk, ZERO)
        amount = spent.get(category.pk)
        variance = None if amount is None else amount - planned
        spend_rows.append(
            SpendRow(
                category_id=category.pk,
                name=category.name,
                profile=planned,
                spent=amount,
                variance=variance,
                variance_percent=(
                    percent(variance, planned) if variance is not None and planned else None
                ),
            )
        )
    targets = {
        t.measure_id: t.target
        for t in MeasureTarget.objects.filter(measure__outcome__agreement=agreement, period=period)
    }
    actuals = (
        {a.measure_id: a.value for a in MeasureActual.objects.filter(report=report)}
        if saved
        else {}
    )
    measure_rows = []
    for outcome in agreement.outcomes.prefetch_related("measures"):
        for measure in outcome.measures.all():
            target, actual = targets.get(measure.pk), actuals.get(measure.pk)
            measure_rows.append(
                MeasureRow(
                    measure_id=measure.pk,
                    outcome=outcome.title,
                    name=measure.name,
                    unit=measure.unit,
                    unit_label=measure.get_unit_display(),
                    target=target,
                    actual=actual,
                    share=percent(actual, target) if actual is not None and target else None,
                )
            )
    total_profile = sum((r.profile for r in spend_rows), ZERO)
    total_spent = sum((r.spent or ZERO for r in spend_rows), ZERO)
    return ReturnPage(
        agreement=agreement,
        period=period,
        report=report,
        spend=spend_rows,
        measures=measure_rows,
        files=list(report.files.order_by("created_at", "id")) if saved else [],
        events=list(report.events.select_related("actor")) if saved else [],
        days_late=days_late(period, today) if agreement.status in REPORTING else 0,
        profiled=total_profile,
        spent=total_spent,
        suggestion=suggest(
            total_spent,
            total_profile,
            [MeasureFigure(m.name, m.actual, m.target) for m in measure_rows],
        ),
    )


def return_file(period: ReportingPeriod, uuid) -> tuple[ReturnAttachment, Any]:
    """One of the return's files and where it is kept (a 404 if it is not this return's)."""
    from commissioning.core import files

    attachment = ReturnAttachment.objects.filter(uuid=uuid, report__period=period).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment, files.store_dir(RETURN_FILES) / attachment.stored_name


# --- a partner's returns -------------------------------------------------------------------


@dataclass
class OurReturn:
    period: ReportingPeriod
    agreement: Agreement
    status: str
    status_label: str
    days_late: int

    @property
    def late(self) -> str:
        return late_words(self.days_late)


OUR_RETURNS_PAGE_SIZE = 50


def our_returns_queryset(user) -> QuerySet[ReportingPeriod]:
    """Every reporting period of the partner's organisation's accepted agreements: those
    waiting for the partner (not started, being written, returned for changes) first, then
    the rest; soonest due first within each."""
    if not user.organisation_id:
        return ReportingPeriod.objects.none()
    done = Q(report__status__in=[ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED])
    return (
        ReportingPeriod.objects.filter(
            agreement__organisation_id=user.organisation_id, agreement__status__in=REPORTING
        )
        .select_related("agreement", "report")
        .annotate(waiting=Case(When(done, then=Value(1)), default=Value(0)))
        .order_by("waiting", "due_on", "agreement__reference", "number")
    )


def our_returns(periods: Iterable[ReportingPeriod], today: dt.date) -> list[OurReturn]:
    """The rows of the partner's returns page for `periods` (one page of them)."""
    rows = []
    for period in periods:
        report = getattr(period, "report", None)
        status = report.status if report is not None else ReturnStatus.DRAFT
        label = report.get_status_display() if report is not None else "Not started"
        rows.append(
            OurReturn(
                period=period,
                agreement=period.agreement,
                status=status,
                status_label=label,
                days_late=days_late(period, today),
            )
        )
    return rows


# --- the officer's monitoring view ---------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the monitoring view is narrowed to; blank means all."""

    round: str = ""  # a grant round's reference
    mechanism: str = ""  # a budgets.Mechanism value
    theme: str = ""  # a theme's uuid
    priority: str = ""  # a strategic priority's uuid
    rag: str = ""  # green, amber, red, or "none" (no accepted return yet)

    @classmethod
    def from_query(cls, query) -> Filters:
        return cls(**{name: str(query.get(name, "")).strip()[:100] for name in FILTER_NAMES})

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_NAMES}


FILTER_NAMES = ("round", "mechanism", "theme", "priority", "rag")


def monitoring_queryset(filters: Filters, today: dt.date) -> QuerySet[Agreement]:
    """Every agreement with what the view sorts and filters on, computed in the database:
    late returns first (the longest overdue first), then by the next return due."""
    periods = ReportingPeriod.objects.filter(agreement=OuterRef("pk"))
    reporting = Q(agreement__status__in=REPORTING)
    late = periods.filter(reporting, OUT, due_on__lt=today)
    version = AllocationVersion.objects.filter(allocation=OuterRef("allocation")).order_by(
        "-number"
    )
    latest_rag = (
        MonitoringReturn.objects.filter(
            period__agreement=OuterRef("pk"), status=ReturnStatus.ACCEPTED
        )
        .exclude(officer_rag="")
        .order_by("-period__number")
        .values("officer_rag")[:1]
    )
    qs = Agreement.objects.annotate(
        late_count=Coalesce(
            Subquery(
                late.order_by().values("agreement").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        oldest_late=Subquery(late.order_by("due_on").values("due_on")[:1]),
        next_due=Subquery(
            periods.filter(reporting, OUT, due_on__gte=today)
            .order_by("due_on")
            .values("due_on")[:1]
        ),
        latest_rag=Coalesce(Subquery(latest_rag), Value("")),
        version_id=Subquery(version.values("pk")[:1]),
        mechanism_now=Subquery(version.values("mechanism")[:1]),
        theme_now=Subquery(version.values("theme__uuid")[:1]),
        priority_now=Subquery(version.values("primary_priority__uuid")[:1]),
        is_late=Case(When(late_count__gt=0, then=Value(1)), default=Value(0)),
    ).select_related("organisation", "allocation")
    qs = qs.prefetch_related(
        Prefetch(
            "periods",
            queryset=ReportingPeriod.objects.select_related("report").order_by("number"),
        ),
        Prefetch("conditions", queryset=Condition.objects.order_by("order")),
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("period__report").order_by("number"),
        ),
    )
    if filters.round:
        qs = qs.filter(allocation__application__round__reference=filters.round)
    if filters.mechanism:
        qs = qs.filter(mechanism_now=filters.mechanism)
    for name, column in (("theme", "theme_now"), ("priority", "priority_now")):
        if getattr(filters, name):
            key = _uuid_or_none(getattr(filters, name))
            qs = qs.filter(**{column: key}) if key is not None else qs.none()
    if filters.rag == NO_RAG:
        qs = qs.filter(latest_rag="")
    elif filters.rag:
        qs = qs.filter(latest_rag=filters.rag)
    return qs.order_by("-is_late", "oldest_late", "next_due", "reference")


def _uuid_or_none(text: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@dataclass
class MonitoringRow:
    agreement: Agreement
    organisation: str
    status: str
    status_label: str
    mechanism: str
    theme: str
    priority: str
    maximum_sum: Decimal
    paid: Decimal
    reported: Decimal  # spend in submitted and accepted returns
    profiled: Decimal  # the profile of every period ended by the day
    next_due: dt.date | None
    next_label: str
    late_count: int
    worst_late: int  # days, of the longest overdue return
    rag: str
    held: int
    held_reasons: list[str] = field(default_factory=list)
    url: str = ""  # the agreement's page, where the page has one

    @property
    def late(self) -> str:
        return late_words(self.worst_late)


def monitoring_rows(agreements: Iterable[Agreement], today: dt.date) -> list[MonitoringRow]:
    """The rows for `agreements` from `monitoring_queryset` (a page of it, or all of it),
    whose prefetches they use: a fixed number of queries however many there are."""
    agreements = list(agreements)
    ids = [a.pk for a in agreements]
    versions = {
        v.pk: v
        for v in AllocationVersion.objects.filter(
            pk__in=[getattr(a, "version_id", None) for a in agreements]
        ).select_related("theme", "primary_priority")
    }
    reported = dict(
        SpendLine.objects.filter(report__period__agreement_id__in=ids, report__status__in=IN)
        .values_list("report__period__agreement_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    profiled = dict(
        BudgetProfile.objects.filter(category__agreement_id__in=ids, period__ends_on__lte=today)
        .values_list("category__agreement_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows = []
    for agreement in agreements:
        version = versions.get(getattr(agreement, "version_id", 0))
        periods = list(agreement.periods.all())
        reporting = agreement.status in REPORTING
        lateness = [days_late(p, today) for p in periods] if reporting else []
        upcoming = sorted(
            (p for p in periods if reporting and p.due_on >= today and not return_in(p)),
            key=lambda p: p.due_on,
        )
        held = []
        for payment in agreement.payments.all():
            reasons = rules.held(payment, today)
            if reasons:
                held.append((payment, reasons))
        rows.append(
            MonitoringRow(
                agreement=agreement,
                organisation=agreement.organisation.name,
                status=agreement.status,
                status_label=agreement.get_status_display(),
                mechanism=version.get_mechanism_display() if version else "",
                theme=version.theme.title if version and version.theme else "",
                priority=(
                    version.primary_priority.code if version and version.primary_priority else ""
                ),
                maximum_sum=agreement.maximum_sum,
                paid=sum(
                    (p.amount for p in agreement.payments.all() if p.status == PaymentStatus.PAID),
                    ZERO,
                ),
                reported=pounds(reported.get(agreement.pk)),
                profiled=pounds(profiled.get(agreement.pk)),
                next_due=upcoming[0].due_on if upcoming else None,
                next_label=upcoming[0].label if upcoming else "",
                late_count=sum(1 for d in lateness if d),
                worst_late=max(lateness, default=0),
                rag=getattr(agreement, "latest_rag", "") or "",
                held=len(held),
                held_reasons=[f"Instalment {p.number}: {' '.join(reasons)}" for p, reasons in held],
            )
        )
    return rows


def monitoring(filters: Filters, today: dt.date) -> list[MonitoringRow]:
    """Every agreement the filters let through, as rows: what the downloads (and a
    benchmark) use."""
    return monitoring_rows(monitoring_queryset(filters, today), today)


COLUMNS = [
    "reference",
    "organisation",
    "status",
    "mechanism",
    "theme",
    "primary_priority",
    "maximum_sum",
    "paid",
    "spend_reported",
    "profile_to_date",
    "next_return_due",
    "late_returns",
    "worst_days_late",
    "rag",
    "payments_held",
]


def monitoring_records(rows: Sequence[MonitoringRow]) -> list[dict[str, Any]]:
    return [
        {
            "reference": r.agreement.reference,
            "organisation": r.organisation,
            "status": r.status,
            "mechanism": r.mechanism,
            "theme": r.theme,
            "primary_priority": r.priority,
            "maximum_sum": r.maximum_sum,
            "paid": r.paid,
            "spend_reported": r.reported,
            "profile_to_date": r.profiled,
            "next_return_due": r.next_due.isoformat() if r.next_due else "",
            "late_returns": r.late_count,
            "worst_days_late": r.worst_late,
            "rag": r.rag,
            "payments_held": r.held,
        }
        for r in rows
    ]


@dataclass
class FilterChoices:
    rounds: list[tuple[str, str]]
    mechanisms: list[tuple[str, str]]
    themes: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    rags: list[tuple[str, str]]


def filter_choices() -> FilterChoices:
    from commissioning.grants.models import Round

    return FilterChoices(
        rounds=[
            (r.reference, r.title)
            for r in Round.objects.filter(applications__allocation__agreement__isnull=False)
            .distinct()
            .order_by("reference")
        ],
        mechanisms=list(Mechanism.choices),
        themes=[
            (str(t.uuid), f"{t.number}. {t.title}")
            for t in Theme.objects.select_related("plan").order_by("-plan__starts", "number")
        ],
        priorities=[
            (str(p.uuid), f"{p.code}: {p.title}"[:90])
            for p in StrategicPriority.objects.order_by("-plan__starts", "number")
        ],
        rags=[*Rag.choices, (NO_RAG, "Not rated yet")],
    )
